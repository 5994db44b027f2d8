using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Serverless.Core.Storage;

namespace Serverless.Core.Training.Tracking;

/// <summary>Wires MLflow's tracking store and proxied artifacts (section <c>Mlflow</c>) on the app's storage account, the app's sweeps among them.</summary>
public static class TrackingServiceCollectionExtensions
{
    public static IServiceCollection AddMlflowTracking(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddAzureStorage(configuration);
        services.AddOptions<MlflowOptions>()
            .BindConfiguration(MlflowOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new ExperimentStore(sp.GetRequiredService<TableServiceClient>()));
        services.TryAddSingleton(sp => new SweepRuns(sp.GetRequiredService<ExperimentStore>()));
        services.TryAddSingleton(sp => new TrackingStore(sp.GetRequiredService<TableServiceClient>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<SweepRuns>()));
        services.TryAddSingleton(sp => new ArtifactStore(sp.GetRequiredService<BlobServiceClient>(), sp.GetRequiredService<SweepRuns>()));
        return services;
    }
}
