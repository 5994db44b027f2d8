using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Serverless.Core.Registry;

namespace Serverless.Core.Serving;

/// <summary>Wires online serving: options (section <c>Serving</c>), the session cache, warm-up and inference.</summary>
public static class ServingServiceCollectionExtensions
{
    public static IServiceCollection AddModelServing(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddModelRegistry(configuration);
        services.AddServingSessionOptions();
        services.TryAddSingleton<IModelLoader, ModelLoader>();
        services.TryAddSingleton<ModelSessionCache>();
        services.TryAddSingleton<ModelResolver>();
        services.TryAddSingleton<ServingReadiness>();
        services.TryAddSingleton<InferenceService>();
        services.AddHostedService<ModelWarmupService>();
        return services;
    }

    /// <summary>
    /// Options (section <c>Serving</c>) and the <see cref="SessionOptionsFactory"/> sessions are created with;
    /// registration needs them too, to measure a model as it will be served. Idempotent.
    /// </summary>
    public static IServiceCollection AddServingSessionOptions(this IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(SessionOptionsFactory)))
        {
            return services;
        }

        services.AddOptions<ServingOptions>()
            .BindConfiguration(ServingOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<SessionOptionsFactory>();
        return services;
    }
}
