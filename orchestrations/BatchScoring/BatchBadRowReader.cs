using System.Text;
using System.Text.Json;

namespace Serverless.Orchestrations.BatchScoring;

/// <summary>
/// The first bad rows of a batch job, read back from its errors blobs (<c>{output}/errors/part-NNNNN.jsonl</c>, written at
/// fan-in with file-wide row numbers) in part order: at most <see cref="MaxLimit"/> rows, and at most
/// <see cref="MaxBytesPerBlob"/> bytes of each blob, so a job with millions of bad rows costs one small read per part
/// sampled. A line that is not a row error (a blob cut mid-line, or not written by the job) is passed over. Thread-safe.
/// </summary>
public sealed class BatchBadRowReader
{
    /// <summary>Most rows one sample holds.</summary>
    public const int MaxLimit = 100;

    /// <summary>Most bytes read from one errors blob.</summary>
    public const int MaxBytesPerBlob = 64 * 1024;

    private readonly InputBlobReader _blobs;

    public BatchBadRowReader(InputBlobReader blobs)
    {
        _blobs = blobs;
    }

    /// <summary>Up to <paramref name="limit"/> (1–<see cref="MaxLimit"/>) bad rows of the job that wrote to <paramref name="output"/>, lowest row first within each part.</summary>
    public async Task<BatchBadRowSample> ReadAsync(string output, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, MaxLimit);
        var folder = _blobs.Containers.Prefix(output, "output").Child("errors");
        var rows = new List<BatchRowError>(limit);
        var blobs = new List<string>();
        await foreach (var (path, size) in _blobs.ListAsync(folder, cancellationToken).ConfigureAwait(false))
        {
            if (size == 0 || !path.EndsWith(".jsonl", StringComparison.Ordinal))
            {
                continue;
            }

            blobs.Add(path);
            if (rows.Count >= limit)
            {
                break;
            }

            var bytes = await _blobs.ReadAsync(path, 0, (int)Math.Min(size, MaxBytesPerBlob), cancellationToken).ConfigureAwait(false);
            var lines = Encoding.UTF8.GetString(bytes).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            foreach (var line in size > bytes.Length ? lines[..^1] : lines)
            {
                if (Parse(line) is { } row)
                {
                    rows.Add(row);
                    if (rows.Count >= limit)
                    {
                        break;
                    }
                }
            }
        }

        return new BatchBadRowSample(folder.ToString(), blobs, rows);
    }

    private static BatchRowError? Parse(string line)
    {
        try
        {
            return JsonSerializer.Deserialize<BatchRowError>(line, BatchRowError.Json) is { Reason: not null } row ? row : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>
/// Where a job's bad rows are listed (<see cref="Folder"/>), the errors blobs read or seen (in part order; the listing stops
/// once the sample is full) and the rows read, in part order. Immutable.
/// </summary>
public sealed record BatchBadRowSample(string Folder, IReadOnlyList<string> Blobs, IReadOnlyList<BatchRowError> Rows);
