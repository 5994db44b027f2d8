using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Serverless.Core.Features;
using Serverless.Core.Graphs;
using Serverless.Core.Onnx;
using Serverless.Core.Registry;
using Serverless.Core.Serving.Batching;
using Serverless.Core.Tabular.Steps;

namespace Serverless.Core.Serving;

/// <summary>
/// Wires online serving: options (sections <c>Serving</c> and <c>Batching</c>), the registry with the inspector that admits models as they
/// will be served, the session cache, warm-up, inference and the records API.
/// </summary>
public static class ServingServiceCollectionExtensions
{
    public static IServiceCollection AddModelServing(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddServedModelRegistry(configuration);
        services.AddOptions<BatchingOptions>()
            .BindConfiguration(BatchingOptions.SectionName)
            .Validate(o => o.Models.Values.All(m => Validator.TryValidateObject(m, new ValidationContext(m), null, validateAllProperties: true)),
                "Batching:Models: MaxBatchSize must be 2 to 65,536, MaxQueueDelayMicroseconds 0 to 1,000,000 and MaxConcurrentBatches 1 to 64.")
            .ValidateOnStart();
        services.TryAddSingleton<IModelLoader, ModelLoader>();
        services.TryAddSingleton<ModelSessionCache>();
        services.TryAddSingleton<ModelResolver>();
        services.TryAddSingleton<AliasTrafficWarmer>();
        services.TryAddSingleton<ServingReadiness>();
        services.TryAddSingleton<InferenceService>();
        services.TryAddSingleton<GraphExecutor>();
        services.TryAddSingleton<GraphService>();
        services.TryAddSingleton<GraphManifests>();
        services.TryAddSingleton<GraphRecordService>();
        services.AddHostedService<ModelWarmupService>();
        return services;
    }

    /// <summary>The records API for tabular models on top of online serving: the tabular model leaser, the feature store its rows may join, and the prediction service.</summary>
    public static IServiceCollection AddTabularServing(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddModelServing(configuration);
        services.AddFeatureStore(configuration);
        services.TryAddSingleton<TabularStepCatalog>();
        services.TryAddSingleton<TabularModelLeaser>();
        services.TryAddSingleton<TabularPredictionService>();
        return services;
    }

    /// <summary>
    /// The model registry (<see cref="RegistryServiceCollectionExtensions.AddModelRegistry"/>) with what registration
    /// measures a model by, so a model is admitted as it will be served: options (section <c>Serving</c>), the
    /// <see cref="SessionOptionsFactory"/> sessions are created with, and the <see cref="OnnxModelInspector"/> within
    /// <see cref="RegistryOptions.MaxSessionBytes"/> and <see cref="ServingOptions.MaxWarmupElements"/>. Idempotent.
    /// </summary>
    public static IServiceCollection AddServedModelRegistry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddModelRegistry(configuration);
        if (services.Any(d => d.ServiceType == typeof(SessionOptionsFactory)))
        {
            return services;
        }

        services.AddOptions<ServingOptions>()
            .BindConfiguration(ServingOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<SessionOptionsFactory>();
        services.TryAddSingleton(sp => new OnnxModelInspector(
            sp.GetRequiredService<SessionOptionsFactory>().Create,
            new ModelBudgets(
                sp.GetRequiredService<IOptions<RegistryOptions>>().Value.MaxSessionBytes,
                sp.GetRequiredService<IOptions<ServingOptions>>().Value.MaxWarmupElements)));
        return services;
    }
}
