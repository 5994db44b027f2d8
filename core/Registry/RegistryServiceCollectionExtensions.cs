using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Serverless.Core.Baselines;
using Serverless.Core.Onnx;
using Serverless.Core.Storage;

namespace Serverless.Core.Registry;

/// <summary>
/// Wires the model registry: options (section <c>Registry</c>), storage clients, the registry itself and version
/// baselines. The registry admits models with an <see cref="OnnxModelInspector"/>, which measures a model as it will
/// be served and so is wired by serving (<c>AddServedModelRegistry</c> in core/Serving, which calls this); resolving
/// the registry without one fails naming it.
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
        services.TryAddSingleton<IModelRegistry>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<RegistryOptions>>().Value;
            return new ModelRegistry(
                sp.GetRequiredService<BlobServiceClient>().GetBlobContainerClient(options.ContainerName),
                sp.GetRequiredService<TableServiceClient>().GetTableClient(options.TableName),
                sp.GetService<OnnxModelInspector>() ?? throw new InvalidOperationException(
                    "The model registry needs an OnnxModelInspector to admit models: wire it with AddServedModelRegistry (or AddModelServing)."),
                sp.GetRequiredService<TimeProvider>());
        });
        services.TryAddSingleton(sp => new BaselineStore(
            sp.GetRequiredService<BlobServiceClient>().GetBlobContainerClient(sp.GetRequiredService<IOptions<RegistryOptions>>().Value.ContainerName)));
        return services;
    }
}
