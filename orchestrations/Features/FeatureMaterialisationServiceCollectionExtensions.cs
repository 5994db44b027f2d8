using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Serverless.Core.Features;

namespace Serverless.Orchestrations.Features;

/// <summary>Wires materialisation's start checks and activities over the feature store (the orchestrator is stateless).</summary>
public static class FeatureMaterialisationServiceCollectionExtensions
{
    public static IServiceCollection AddFeatureMaterialisation(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddFeatureStore(configuration);
        services.TryAddSingleton<FeatureMaterialisationStarter>();
        services.TryAddTransient<PlanMaterialisationActivity>();
        services.TryAddTransient<MaterialiseChunkActivity>();
        return services;
    }
}
