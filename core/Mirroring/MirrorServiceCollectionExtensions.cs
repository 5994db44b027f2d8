using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Serverless.Core.Storage;

namespace Serverless.Core.Mirroring;

/// <summary>Registers mirror (shadow) traffic: options (section <c>Mirror</c>), the dispatcher, the queue, its sender and the scorer.</summary>
public static class MirrorServiceCollectionExtensions
{
    public static IServiceCollection AddMirroring(this IServiceCollection services, IConfiguration configuration)
    {
        if (services.Any(d => d.ServiceType == typeof(MirrorDispatcher)))
        {
            return services;
        }

        services.AddOptions<MirrorOptions>()
            .BindConfiguration(MirrorOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<MirrorCounters>();
        services.AddSingleton<MirrorDispatcher>();
        services.AddSingleton(sp => new MirrorQueue(sp.GetRequiredService<StorageAccount>(), configuration));
        services.AddSingleton<MirrorScorer>();
        services.AddHostedService<MirrorSender>();
        return services;
    }
}
