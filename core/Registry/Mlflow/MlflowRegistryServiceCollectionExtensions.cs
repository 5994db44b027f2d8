using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Serverless.Core.Training.Tracking;

namespace Serverless.Core.Registry.Mlflow;

/// <summary>
/// Wires MLflow's model registry over the app's (<see cref="MlflowModelRegistry"/>): its metadata table, the source resolver over the tracking
/// store's artifacts, and the registry (its inspector comes from serving, as for every registration).
/// </summary>
public static class MlflowRegistryServiceCollectionExtensions
{
    public static IServiceCollection AddMlflowRegistry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddModelRegistry(configuration);
        services.AddMlflowTracking(configuration);
        services.TryAddSingleton(sp => new MlflowRegistryMetadata(sp.GetRequiredService<TableServiceClient>()));
        services.TryAddSingleton(sp => new OnnxModelSource(sp.GetRequiredService<TrackingStore>(), sp.GetRequiredService<ArtifactStore>()));
        services.TryAddSingleton(sp => new MlflowModelRegistry(sp.GetRequiredService<IModelRegistry>(), sp.GetRequiredService<MlflowRegistryMetadata>(),
            sp.GetRequiredService<OnnxModelSource>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<RegistryOptions>>().Value.MaxModelBytes));
        return services;
    }
}
