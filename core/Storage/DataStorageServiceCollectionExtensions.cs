using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Serverless.Core.Storage;

/// <summary>
/// Wires the data containers requests may name: options (section <c>Storage</c>, validated at start-up) and the
/// <see cref="DataContainers"/> singleton. Safe to call more than once.
/// </summary>
public static class DataStorageServiceCollectionExtensions
{
    public static IServiceCollection AddDataContainers(this IServiceCollection services, IConfiguration configuration)
    {
        if (services.Any(d => d.ServiceType == typeof(DataContainers)))
        {
            return services;
        }

        services.AddOptions<DataStorageOptions>()
            .Bind(configuration.GetSection(DataStorageOptions.SectionName))
            .Configure(options =>
            {
                // One app setting (Storage__DataContainers=data,training,scores) is easier to set than an indexed list.
                var single = configuration[DataStorageOptions.DataContainersSetting];
                if (!string.IsNullOrWhiteSpace(single))
                {
                    options.DataContainers = single.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();
                }
            })
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<DataStorageOptions>>(_ => new DataStorageOptionsValidator(configuration));
        services.TryAddSingleton(sp => new DataContainers(sp.GetRequiredService<IOptions<DataStorageOptions>>().Value.EffectiveDataContainers));
        return services;
    }
}
