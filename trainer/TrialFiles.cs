using Serverless.Core.Training;

namespace Serverless.Trainer;

/// <summary>
/// Reads and writes the trial's files by URI: through <see cref="TrialStorage"/> when storage is configured
/// (file:// paths and blob URLs), else file:// paths only (a blob URL then fails, saying to set
/// <c>AzureWebJobsStorage</c>). Thread-safe.
/// </summary>
public sealed class TrialFiles
{
    private readonly TrialStorage? _storage;

    public TrialFiles(TrialStorage? storage)
    {
        _storage = storage;
    }

    public async Task<byte[]> ReadAsync(string uri, CancellationToken cancellationToken)
    {
        if (_storage is not null)
        {
            return await _storage.ReadAsync(uri, cancellationToken).ConfigureAwait(false);
        }

        var path = LocalPath(uri);
        return File.Exists(path)
            ? await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false)
            : throw new FileNotFoundException($"'{uri}' does not exist.", path);
    }

    /// <summary>The file as UTF-8 text, without a byte order mark.</summary>
    public async Task<string> ReadTextAsync(string uri, CancellationToken cancellationToken)
    {
        var bytes = await ReadAsync(uri, cancellationToken).ConfigureAwait(false);
        var preamble = System.Text.Encoding.UTF8.Preamble;
        var text = bytes.AsSpan().StartsWith(preamble) ? bytes.AsSpan(preamble.Length) : bytes;
        return System.Text.Encoding.UTF8.GetString(text);
    }

    public async Task WriteAsync(string uri, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        if (_storage is not null)
        {
            await _storage.WriteAsync(uri, content, cancellationToken).ConfigureAwait(false);
            return;
        }

        var path = LocalPath(uri);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllBytesAsync(path, content.ToArray(), cancellationToken).ConfigureAwait(false);
    }

    public Task WriteTextAsync(string uri, string text, CancellationToken cancellationToken) =>
        WriteAsync(uri, System.Text.Encoding.UTF8.GetBytes(text), cancellationToken);

    private static string LocalPath(string uri) => uri.StartsWith("file://", StringComparison.OrdinalIgnoreCase)
        ? new Uri(uri).LocalPath
        : throw new TrialException($"'{uri}' is not a file:// URI and no storage is configured: set AzureWebJobsStorage (a connection string, or __accountName / __blobServiceUri) to reach blob URLs.");
}
