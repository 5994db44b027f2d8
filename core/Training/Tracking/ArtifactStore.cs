using Azure;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Serverless.Core.Errors;
using Serverless.Core.Storage;

namespace Serverless.Core.Training.Tracking;

/// <summary>One entry of an artifact listing: its path relative to the folder listed, whether it is a folder, and a file's size in bytes.</summary>
public sealed record ArtifactEntry(string Path, bool IsDir, long? FileSize);

/// <summary>
/// The artifacts MLflow clients upload through the proxied artifact API, as blobs of <see cref="AppStorageNames.MlflowArtifactsContainer"/>
/// named by their path (<c>{experiment}/{run}/artifacts/...</c>). Uploads are streamed in blocks of <see cref="BlockBytes"/> (memory per upload
/// stays at one block whatever the size) and refused past a size limit; a path is checked before it names a blob (no '..', '.', empty
/// or absolute segments, no backslashes or control characters). Paths under <see cref="SweepRuns.ExperimentId"/> are the app's sweeps:
/// a trial's outputs (<see cref="SweepArtifacts"/>) are listed and read from its output folder, and nothing there can be written. Thread-safe.
/// </summary>
public sealed class ArtifactStore
{
    public const int BlockBytes = 4 * 1024 * 1024;
    public const int MaxPathLength = 1024;
    private const int MaxListed = 10_000;

    /// <summary>The outputs of a trial shown as its run's artifacts (not its spec, which names the sweep's data).</summary>
    public static IReadOnlyList<string> SweepArtifacts { get; } = [TrialOutputs.Model, TrialOutputs.Manifest, TrialOutputs.Metrics, TrialOutputs.ValidationPredictions];

    private readonly BlobContainerClient _container;
    private readonly Lazy<Task> _created;
    private readonly SweepRuns? _sweeps;
    private readonly TrialStorage _trials;
    private readonly BlobServiceClient _blobs;

    public ArtifactStore(BlobServiceClient blobs, SweepRuns? sweeps = null)
    {
        _container = blobs.GetBlobContainerClient(AppStorageNames.MlflowArtifactsContainer);
        _created = new Lazy<Task>(() => _container.CreateIfNotExistsAsync());
        _sweeps = sweeps;
        _trials = new TrialStorage(blobs);
        _blobs = blobs;
    }

    /// <summary>The path, checked: BadRequest (naming <paramref name="field"/>) for traversal, absolute or empty segments, backslashes, control characters, over-long paths.</summary>
    public static string CheckPath(string? path, string field = "path", bool allowEmpty = false)
    {
        path = (path ?? string.Empty).Trim('/');
        if (path.Length == 0)
        {
            return allowEmpty ? path : throw ServingException.BadRequest($"'{field}' must name an artifact.");
        }

        if (path.Length > MaxPathLength || path.Any(c => char.IsControl(c) || c == '\\')
            || path.Split('/').Any(s => s is "" or "." or ".." || Uri.UnescapeDataString(s) is "." or ".." || Uri.UnescapeDataString(s).IndexOfAny(['/', '\\']) >= 0))
        {
            throw ServingException.BadRequest(
                $"Invalid artifact path {DataText.Quote(path)} in '{field}': use at most {MaxPathLength} characters of relative segments, without '.', '..', empty segments, backslashes, escaped separators or control characters.");
        }

        return path;
    }

    /// <summary>
    /// Streams <paramref name="content"/> into the blob at <paramref name="path"/> (replacing it), refusing it (PayloadTooLarge, nothing
    /// stored) once more than <paramref name="maxBytes"/> arrive. Answers the bytes stored.
    /// </summary>
    public async Task<long> UploadAsync(string path, Stream content, long maxBytes, CancellationToken cancellationToken)
    {
        RequireWritable(path);
        await _created.Value.ConfigureAwait(false);
        await using var limited = new LimitedReadStream(content, maxBytes);
        await _container.GetBlobClient(path).UploadAsync(limited, new BlobUploadOptions
        {
            TransferOptions = new StorageTransferOptions { InitialTransferSize = BlockBytes, MaximumTransferSize = BlockBytes, MaximumConcurrency = 1 },
        }, cancellationToken).ConfigureAwait(false);
        return limited.BytesRead;
    }

    /// <summary>The blob's content as a stream read on demand, with its length; NotFound when there is none.</summary>
    public async Task<(Stream Content, long Length)> OpenReadAsync(string path, CancellationToken cancellationToken)
    {
        await _created.Value.ConfigureAwait(false);
        var blob = await BlobAsync(path, cancellationToken).ConfigureAwait(false) ?? throw ServingException.NotFound($"No artifact at {DataText.Quote(path)}.");
        try
        {
            var download = await blob.DownloadStreamingAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return (download.Value.Content, download.Value.Details.ContentLength);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            throw ServingException.NotFound($"No artifact at {DataText.Quote(path)}.");
        }
    }

    /// <summary>Reads a small blob whole (at most <paramref name="maxBytes"/>, BadRequest beyond); null when absent.</summary>
    public async Task<byte[]?> ReadAllAsync(string path, long maxBytes, CancellationToken cancellationToken)
    {
        await _created.Value.ConfigureAwait(false);
        var blob = await BlobAsync(path, cancellationToken).ConfigureAwait(false);
        if (blob is null)
        {
            return null;
        }

        try
        {
            var properties = await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            if (properties.Value.ContentLength > maxBytes)
            {
                throw ServingException.BadRequest($"The artifact {DataText.Quote(path)} is {properties.Value.ContentLength} bytes; at most {maxBytes} are read.");
            }

            return (await blob.DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value.Content.ToArray();
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    /// <summary>The files and folders directly under <paramref name="path"/> (the root when empty), names relative to it, at most 10,000.</summary>
    public async Task<IReadOnlyList<ArtifactEntry>> ListAsync(string path, CancellationToken cancellationToken)
    {
        await _created.Value.ConfigureAwait(false);
        if (_sweeps is not null && SweepRuns.OwnsPath(path))
        {
            return await ListSweepAsync(path, cancellationToken).ConfigureAwait(false);
        }

        var prefix = path.Length == 0 ? string.Empty : path + "/";
        var entries = new List<ArtifactEntry>();
        await foreach (var item in _container.GetBlobsByHierarchyAsync(BlobTraits.None, BlobStates.None, "/", prefix, cancellationToken).ConfigureAwait(false))
        {
            entries.Add(item.IsPrefix
                ? new ArtifactEntry(item.Prefix[prefix.Length..].TrimEnd('/'), true, null)
                : new ArtifactEntry(item.Blob.Name[prefix.Length..], false, item.Blob.Properties.ContentLength));
            if (entries.Count == MaxListed)
            {
                break;
            }
        }

        return entries;
    }

    /// <summary>Deletes the artifact at <paramref name="path"/> and everything under it as a folder; answers how many blobs went.</summary>
    public async Task<int> DeleteAsync(string path, CancellationToken cancellationToken)
    {
        RequireWritable(path);
        await _created.Value.ConfigureAwait(false);
        var deleted = 0;
        if ((await _container.GetBlobClient(path).DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value)
        {
            deleted++;
        }

        await foreach (var blob in _container.GetBlobsAsync(BlobTraits.None, BlobStates.None, path + "/", cancellationToken).ConfigureAwait(false))
        {
            await _container.GetBlobClient(blob.Name).DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            deleted++;
        }

        return deleted;
    }

    /// <summary>The path inside the container of an artifact URI this server proxies (<c>mlflow-artifacts:/a/b</c> → <c>a/b</c>); null for any other URI.</summary>
    public static string? PathOf(string uri)
    {
        if (!uri.StartsWith(TrackingStore.ArtifactScheme, StringComparison.Ordinal))
        {
            return null;
        }

        var rest = uri[TrackingStore.ArtifactScheme.Length..];
        if (rest.StartsWith("//", StringComparison.Ordinal))
        {
            // mlflow-artifacts://host:port/path: the path after the authority.
            var slash = rest.IndexOf('/', 2);
            rest = slash < 0 ? string.Empty : rest[slash..];
        }

        return rest.Trim('/');
    }

    private void RequireWritable(string path)
    {
        if (_sweeps is not null && SweepRuns.OwnsPath(path))
        {
            throw SweepRuns.ReadOnly($"The artifact path {DataText.Quote(path)}");
        }
    }

    /// <summary>The blob behind a path: in the artifacts container, or a trial's output under the sweeps experiment (null when it has none).</summary>
    private async Task<BlobClient?> BlobAsync(string path, CancellationToken cancellationToken)
    {
        if (_sweeps is null || !SweepRuns.OwnsPath(path))
        {
            return _container.GetBlobClient(path);
        }

        var (outputUri, relative) = await _sweeps.ResolveArtifactsAsync(path, cancellationToken).ConfigureAwait(false);
        return outputUri is null || !SweepArtifacts.Contains(relative, StringComparer.Ordinal) ? null : TrialBlob(outputUri, relative);
    }

    private async Task<IReadOnlyList<ArtifactEntry>> ListSweepAsync(string path, CancellationToken cancellationToken)
    {
        var (outputUri, relative) = await _sweeps!.ResolveArtifactsAsync(path, cancellationToken).ConfigureAwait(false);
        var folder = outputUri is null || relative.Length > 0 ? null : TrialBlob(outputUri, TrialOutputs.Model);
        if (folder is null)
        {
            return [];
        }

        var prefix = folder.Name[..(folder.Name.LastIndexOf('/') + 1)];
        var container = _blobs.GetBlobContainerClient(folder.BlobContainerName);
        var entries = new List<ArtifactEntry>();
        await foreach (var item in container.GetBlobsByHierarchyAsync(BlobTraits.None, BlobStates.None, "/", prefix, cancellationToken).ConfigureAwait(false))
        {
            if (!item.IsPrefix && SweepArtifacts.Contains(item.Blob.Name[prefix.Length..], StringComparer.Ordinal))
            {
                entries.Add(new ArtifactEntry(item.Blob.Name[prefix.Length..], false, item.Blob.Properties.ContentLength));
            }
        }

        return entries;
    }

    /// <summary>A trial output's blob; null for an output folder outside this account's blob storage (a local trainer's file:// folder).</summary>
    private BlobClient? TrialBlob(string outputUri, string name)
    {
        try
        {
            return _trials.Blob(TrialOutputs.Combine(outputUri, name));
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}
