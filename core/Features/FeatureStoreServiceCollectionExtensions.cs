using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Serverless.Core.Storage;

namespace Serverless.Core.Features;

/// <summary>
/// Wires the feature store: options (section <c>FeatureStore</c>, validated at start-up), the catalog of set declarations, the online
/// store on Tables behind its in-process cache, the history on Blob storage, ingestion, the row assembler serving uses and the point-in-time joiner training uses.
/// </summary>
public static class FeatureStoreServiceCollectionExtensions
{
    public static IServiceCollection AddFeatureStore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddAzureStorage(configuration);
        services.AddOptions<FeatureStoreOptions>()
            .BindConfiguration(FeatureStoreOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new FeatureSetCatalog(
            sp.GetRequiredService<TableServiceClient>().GetTableClient(sp.GetRequiredService<IOptions<FeatureStoreOptions>>().Value.SetsTable),
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IOnlineFeatureStore>(sp => new TableOnlineFeatureStore(
            sp.GetRequiredService<TableServiceClient>().GetTableClient(sp.GetRequiredService<IOptions<FeatureStoreOptions>>().Value.OnlineTable)));
        services.TryAddSingleton<IFeatureHistory>(sp => new BlobFeatureHistory(
            sp.GetRequiredService<BlobServiceClient>().GetBlobContainerClient(sp.GetRequiredService<IOptions<FeatureStoreOptions>>().Value.HistoryContainer)));
        services.TryAddSingleton<OnlineFeatureCache>();
        services.TryAddSingleton<FeatureIngestion>();
        services.TryAddSingleton<FeatureRowAssembler>();
        services.TryAddSingleton<PointInTimeJoiner>();
        return services;
    }
}
