using Azure;
using Azure.Storage.Blobs;

namespace Serverless.Core.Baselines;

/// <summary>
/// Baselines of registered model versions, stored as <c>{name}/{version}/baseline.json</c> in the registry's
/// container. A baseline can be replaced (a sweep writes the training distribution; a team may upload its own).
/// Thread-safe.
/// </summary>
public sealed class BaselineStore
{
    private readonly BlobContainerClient _container;

    public BaselineStore(BlobContainerClient container)
    {
        _container = container;
    }

    public static string BlobName(string model, string version) => $"{model}/{version}/baseline.json";

    public async Task SaveAsync(string model, string version, DatasetBaseline baseline, CancellationToken cancellationToken)
    {
        await _container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await _container.GetBlobClient(BlobName(model, version)).UploadAsync(BinaryData.FromBytes(baseline.ToJson()), overwrite: true, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>The version's baseline, or null when it has none.</summary>
    public async Task<DatasetBaseline?> GetAsync(string model, string version, CancellationToken cancellationToken)
    {
        try
        {
            var content = await _container.GetBlobClient(BlobName(model, version)).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            return DatasetBaseline.FromJson(content.Value.Content.ToMemory().Span);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }
}
