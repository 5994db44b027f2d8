using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Serverless.Core.Storage;

/// <summary>Registers the Azure Storage SDK clients as process-wide singletons.</summary>
public static class StorageServiceCollectionExtensions
{
    public static IServiceCollection AddAzureStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(_ => StorageAccount.FromConfiguration(configuration));
        services.TryAddSingleton(sp => sp.GetRequiredService<StorageAccount>().CreateBlobServiceClient());
        services.TryAddSingleton(sp => sp.GetRequiredService<StorageAccount>().CreateTableServiceClient());
        services.TryAddSingleton(sp => sp.GetRequiredService<StorageAccount>().CreateQueueServiceClient());
        return services;
    }
}
