using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Serverless.Core.Baselines;
using Serverless.Core.Onnx;
using Serverless.Core.Serving;
using Serverless.Core.Storage;

namespace Serverless.Core.Registry;

/// <summary>
/// Wires the model registry: options (section <c>Registry</c>, and <c>Serving</c> for the session options and budgets a
/// model is measured with at registration), storage clients, the registry itself and version baselines.
/// </summary>
public static class RegistryServiceCollectionExtensions
{
    public static IServiceCollection AddModelRegistry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddAzureStorage(configuration);
        services.AddOptions<RegistryOptions>()
            .BindConfiguration(RegistryOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddServingSessionOptions();
        services.TryAddSingleton(sp => new OnnxModelInspector(
            sp.GetRequiredService<SessionOptionsFactory>().Create,
            new ModelBudgets(
                sp.GetRequiredService<IOptions<RegistryOptions>>().Value.MaxSessionBytes,
                sp.GetRequiredService<IOptions<ServingOptions>>().Value.MaxWarmupElements)));
        services.TryAddSingleton<IModelRegistry>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<RegistryOptions>>().Value;
            return new ModelRegistry(
                sp.GetRequiredService<BlobServiceClient>().GetBlobContainerClient(options.ContainerName),
                sp.GetRequiredService<TableServiceClient>().GetTableClient(options.TableName),
                sp.GetRequiredService<OnnxModelInspector>(),
                sp.GetRequiredService<TimeProvider>());
        });
        services.TryAddSingleton(sp => new BaselineStore(
            sp.GetRequiredService<BlobServiceClient>().GetBlobContainerClient(sp.GetRequiredService<IOptions<RegistryOptions>>().Value.ContainerName)));
        return services;
    }
}
