using System.Runtime.CompilerServices;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Serverless.Core.Storage;

namespace Serverless.Orchestrations.BatchScoring;

/// <summary>
/// Reads and writes the blobs requests name (<c>container/path</c>), only ever in the data containers: every path
/// goes through <see cref="DataPath.Parse(string, string, DataContainers)"/> again here, so an orchestration input replayed from history or written
/// by hand cannot reach the app's own containers (a <see cref="Core.Errors.ServingException"/> instead). Ranged reads
/// let activities read only their own bytes. The app's own blobs (sweeps, registry) use their own clients. Thread-safe.
/// </summary>
public sealed class InputBlobReader
{
    private const string Field = "blob";

    /// <summary>Bytes read at a time while looking for a line start.</summary>
    public const int ProbeBytes = 64 * 1024;

    private readonly BlobServiceClient _blobs;
    private readonly DataContainers _containers;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Task> _createdContainers = new(StringComparer.Ordinal);

    public InputBlobReader(BlobServiceClient blobs, DataContainers containers)
    {
        _blobs = blobs;
        _containers = containers;
    }

    /// <summary>The containers this reader may reach.</summary>
    public DataContainers Containers => _containers;

    public BlobClient Blob(string path)
    {
        var blob = _containers.Blob(path, Field);
        return _blobs.GetBlobContainerClient(blob.Container).GetBlobClient(blob.Name);
    }

    /// <summary>A blob to write; its container is created on first use (once per container and process).</summary>
    public async Task<BlobClient> OutputBlobAsync(string path)
    {
        var (container, name) = await OutputContainerAsync(path).ConfigureAwait(false);
        return container.GetBlobClient(name);
    }

    /// <summary>As <see cref="OutputBlobAsync"/>, as a block blob (to upload in staged blocks).</summary>
    public async Task<BlockBlobClient> OutputBlockBlobAsync(string path)
    {
        var (container, name) = await OutputContainerAsync(path).ConfigureAwait(false);
        return container.GetBlockBlobClient(name);
    }

    private async Task<(BlobContainerClient Container, string Name)> OutputContainerAsync(string path)
    {
        var blob = _containers.Blob(path, Field);
        var (container, name) = (blob.Container, blob.Name);
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

        return (client, name);
    }

    /// <summary>The blobs directly or deeper under <paramref name="folder"/> (<c>container/path</c> and size), in name order.</summary>
    public async IAsyncEnumerable<(string Path, long Size)> ListAsync(DataPath folder, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var container = _blobs.GetBlobContainerClient(folder.Container);
        var prefix = folder.Name.Length == 0 ? "" : folder.Name + "/";
        await foreach (var item in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix, cancellationToken).ConfigureAwait(false))
        {
            yield return ($"{folder.Container}/{item.Name}", item.Properties.ContentLength ?? 0);
        }
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

    /// <summary>
    /// The start of the first line that begins after <paramref name="from"/> (just past the next '\n' at or after it), probing
    /// <see cref="ProbeBytes"/> at a time; <paramref name="size"/> when there is none.
    /// </summary>
    public async Task<long> NextLineStartAsync(string path, long from, long size, CancellationToken cancellationToken)
    {
        for (var position = from; position < size; position += ProbeBytes)
        {
            var window = await ReadAsync(path, position, (int)Math.Min(ProbeBytes, size - position), cancellationToken).ConfigureAwait(false);
            var newline = Array.IndexOf(window, (byte)'\n');
            if (newline >= 0)
            {
                return position + newline + 1;
            }
        }

        return size;
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
