using Serverless.Core.Errors;
using Serverless.Core.Models;

namespace Serverless.Core.Registry;

/// <summary>Lookups that answer a missing model version the way every API does: a 404 naming the model and version.</summary>
public static class ModelRegistryExtensions
{
    /// <summary>The version, or <see cref="ServingException.NotFound"/> when the model has no such version.</summary>
    public static async Task<ModelVersion> GetExistingVersionAsync(this IModelRegistry registry, string name, string version, CancellationToken cancellationToken) =>
        await registry.GetVersionAsync(name, version, cancellationToken).ConfigureAwait(false)
            ?? throw ServingException.NotFound($"Model '{name}' has no version '{version}'.");
}
