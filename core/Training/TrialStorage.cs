using Azure;
using Azure.Storage.Blobs;

namespace Serverless.Core.Training;

/// <summary>
/// Reads and writes the files of the trial contract by URI: <c>file://</c> paths, or blob URLs under the
/// configured storage account's blob endpoint (Azure or Azurite), reached with the account's own credentials.
/// Thread-safe.
/// </summary>
public sealed class TrialStorage
{
    private readonly BlobServiceClient _blobs;

    public TrialStorage(BlobServiceClient blobs)
    {
        _blobs = blobs;
    }

    /// <summary>The blob URL of <c>container/path</c> in this account.</summary>
    public string BlobUri(string container, string path) => _blobs.GetBlobContainerClient(container).GetBlobClient(path).Uri.ToString();

    public async Task<byte[]> ReadAsync(string uri, CancellationToken cancellationToken)
    {
        if (TryLocalPath(uri, out var path))
        {
            return File.Exists(path)
                ? await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false)
                : throw new FileNotFoundException($"'{uri}' does not exist.", path);
        }

        try
        {
            return (await Blob(uri).DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value.Content.ToArray();
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            throw new FileNotFoundException($"'{uri}' does not exist.", uri, e);
        }
    }

    public async Task<string> ReadTextAsync(string uri, CancellationToken cancellationToken) =>
        System.Text.Encoding.UTF8.GetString(await ReadAsync(uri, cancellationToken).ConfigureAwait(false));

    public async Task WriteAsync(string uri, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        if (TryLocalPath(uri, out var path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllBytesAsync(path, content.ToArray(), cancellationToken).ConfigureAwait(false);
            return;
        }

        var blob = Blob(uri);
        await _blobs.GetBlobContainerClient(blob.BlobContainerName).CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await blob.UploadAsync(BinaryData.FromBytes(content), overwrite: true, cancellationToken).ConfigureAwait(false);
    }

    public Task WriteTextAsync(string uri, string text, CancellationToken cancellationToken) =>
        WriteAsync(uri, System.Text.Encoding.UTF8.GetBytes(text), cancellationToken);

    public async Task<bool> ExistsAsync(string uri, CancellationToken cancellationToken) =>
        TryLocalPath(uri, out var path) ? File.Exists(path) : (await Blob(uri).ExistsAsync(cancellationToken).ConfigureAwait(false)).Value;

    /// <summary>The blob client for a URL under this account's blob endpoint; ArgumentException for any other URL.</summary>
    public BlobClient Blob(string uri)
    {
        var endpoint = _blobs.Uri.ToString().TrimEnd('/') + "/";
        if (!uri.StartsWith(endpoint, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"'{uri}' is neither a file:// URI nor a blob URL of this storage account ({endpoint}).");
        }

        var relative = Uri.UnescapeDataString(uri[endpoint.Length..].Split('?')[0]);
        var slash = relative.IndexOf('/');
        return slash <= 0
            ? throw new ArgumentException($"'{uri}' names no blob (expected {endpoint}container/path).")
            : _blobs.GetBlobContainerClient(relative[..slash]).GetBlobClient(relative[(slash + 1)..]);
    }

    private static bool TryLocalPath(string uri, out string path)
    {
        if (uri.StartsWith("file://", StringComparison.OrdinalIgnoreCase))
        {
            path = new Uri(uri).LocalPath;
            return true;
        }

        path = string.Empty;
        return false;
    }
}
