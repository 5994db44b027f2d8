using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Serverless.Core.Features;
using Serverless.Core.Storage;
using Serverless.Orchestrations.BatchScoring;

namespace Serverless.Orchestrations.Features;

/// <summary>Wires materialisation's start checks and activities over the feature store and the data containers (the orchestrator is stateless).</summary>
public static class FeatureMaterialisationServiceCollectionExtensions
{
    public static IServiceCollection AddFeatureMaterialisation(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddFeatureStore(configuration);
        services.AddDataContainers(configuration);
        services.TryAddSingleton<InputBlobReader>();
        services.TryAddSingleton<FeatureMaterialisationStarter>();
        services.TryAddTransient<PlanMaterialisationActivity>();
        services.TryAddTransient<MaterialiseChunkActivity>();
        services.TryAddTransient<PlanFileMaterialisationActivity>();
        services.TryAddTransient<MaterialiseFileChunkActivity>();
        return services;
    }
}
