using Serverless.Core.Errors;
using Serverless.Core.Models;

namespace Serverless.Core.Registry;

/// <summary>Lookups that answer a missing model version the way every API does: a 404 naming the model and version.</summary>
public static class ModelRegistryExtensions
{
    /// <summary>
    /// The version, or <see cref="ServingException"/> (NotFound) when the model has no such version: code
    /// <see cref="ErrorCodes.ModelNotFound"/> when the model has no version at all, else <see cref="ErrorCodes.VersionNotFound"/>.
    /// </summary>
    public static async Task<ModelVersion> GetExistingVersionAsync(this IModelRegistry registry, string name, string version, CancellationToken cancellationToken) =>
        await registry.GetVersionAsync(name, version, cancellationToken).ConfigureAwait(false)
            ?? throw await registry.VersionNotFoundAsync(name, $"Model '{name}' has no version '{version}'.", cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// The error for a version that is missing, with <paramref name="message"/>: <see cref="ErrorCodes.ModelNotFound"/> when
    /// the model has no version at all (asked only on this failure path), else <see cref="ErrorCodes.VersionNotFound"/>.
    /// </summary>
    public static async Task<ServingException> VersionNotFoundAsync(this IModelRegistry registry, string name, string message, CancellationToken cancellationToken)
    {
        var versions = await registry.ListVersionsAsync(name, cancellationToken).ConfigureAwait(false);
        return versions is not { Count: > 0 } ? ServingException.ModelNotFound(message) : ServingException.VersionNotFound(message);
    }
}
