using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Serverless.Orchestrations.BatchScoring;

/// <summary>Ranged reads of the input blob: activities read only their own bytes. Thread-safe.</summary>
public sealed class InputBlobReader
{
    private readonly BlobServiceClient _blobs;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Task> _createdContainers = new(StringComparer.Ordinal);

    public InputBlobReader(BlobServiceClient blobs)
    {
        _blobs = blobs;
    }

    public BlobClient Blob(string path)
    {
        var (container, name) = BlobPaths.Split(path);
        return _blobs.GetBlobContainerClient(container).GetBlobClient(name);
    }

    /// <summary>A blob to write; its container is created on first use (once per container and process).</summary>
    public async Task<BlobClient> OutputBlobAsync(string path)
    {
        var (container, name) = BlobPaths.Split(path);
        var client = _blobs.GetBlobContainerClient(container);
        var creation = _createdContainers.GetOrAdd(container, _ => client.CreateIfNotExistsAsync());
        try
        {
            await creation.ConfigureAwait(false);
        }
        catch
        {
            _createdContainers.TryRemove(container, out _);
            throw;
        }

        return client.GetBlobClient(name);
    }

    /// <summary>Streams bytes [start, end) of the blob.</summary>
    public async Task<Stream> OpenRangeAsync(string path, long start, long end, CancellationToken cancellationToken)
    {
        if (end <= start)
        {
            return Stream.Null;
        }

        var response = await Blob(path).DownloadStreamingAsync(new BlobDownloadOptions { Range = new Azure.HttpRange(start, end - start) }, cancellationToken)
            .ConfigureAwait(false);
        return response.Value.Content;
    }

    /// <summary>Reads up to <paramref name="length"/> bytes from <paramref name="start"/>.</summary>
    public async Task<byte[]> ReadAsync(string path, long start, int length, CancellationToken cancellationToken)
    {
        await using var stream = await OpenRangeAsync(path, start, start + length, cancellationToken).ConfigureAwait(false);
        using var buffer = new MemoryStream(length);
        await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        return buffer.ToArray();
    }
}
