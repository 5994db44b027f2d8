using System.Globalization;
using System.Text;
using Serverless.Core.Errors;

namespace Serverless.Orchestrations.BatchScoring;

/// <summary>How the input is cut: where its data starts, its header (CSV), the bytes per chunk and how many chunks that makes.</summary>
public sealed record ChunkLayout(long DataStart, string? Header, long ChunkBytes, long ChunkCount);

/// <summary>
/// Sizes a batch job from the input's size and a sample of its start, before any chunk boundary is probed or any
/// per-chunk state allocated: the bytes per row come from the sample, the chunk count from the size, and a job over
/// <see cref="MaxChunks"/> chunks (or with a header row over <see cref="MaxHeaderBytes"/>) is refused with a
/// BadRequest saying what to change. The start of a job and its planning activity both call it, so a request the
/// start accepts is planned the same way. Pure; thread-safe.
/// </summary>
public static class BatchChunking
{
    /// <summary>Bytes read from the start of the input to find the header and estimate bytes per row.</summary>
    public const int SampleBytes = 1 << 20;

    /// <summary>Most chunks one job may have (each is a count and a score activity, and a line in the manifest).</summary>
    public const int MaxChunks = 10_000;

    /// <summary>Longest CSV header row (it travels with every chunk's work item).</summary>
    public const int MaxHeaderBytes = 64 * 1024;

    public const int MinChunkRows = 100;
    public const int MaxChunkRows = 1_000_000;

    /// <summary>The layout of an input of <paramref name="size"/> bytes whose first bytes are <paramref name="sample"/> (up to <see cref="SampleBytes"/>).</summary>
    public static ChunkLayout Layout(ReadOnlySpan<byte> sample, long size, string format, int chunkRows)
    {
        string? header = null;
        var dataStart = 0L;
        if (format == BatchFormats.Csv)
        {
            var newline = sample.IndexOf((byte)'\n');
            if ((newline < 0 && size > sample.Length) || (newline < 0 ? sample.Length : newline) > MaxHeaderBytes)
            {
                throw ServingException.BadRequest(
                    $"The input's header row is longer than {MaxHeaderBytes / 1024} KiB (or the input is not line-separated CSV): expected a header row, then one row per line.");
            }

            dataStart = newline < 0 ? sample.Length : newline + 1;
            header = Encoding.UTF8.GetString(sample[..(int)dataStart]).TrimEnd('\r', '\n').TrimStart('\uFEFF');
        }

        var dataBytes = Math.Max(0, size - dataStart);
        var sampleLines = sample[(int)Math.Min(dataStart, sample.Length)..].Count((byte)'\n');
        var bytesPerRow = sampleLines == 0 ? Math.Max(1, dataBytes) : Math.Max(1, (sample.Length - dataStart) / sampleLines);
        var chunkBytes = BalancedChunkBytes(dataBytes, SaturatingMultiply(bytesPerRow, Math.Max(1, chunkRows)));
        var chunkCount = dataBytes == 0 ? 0 : ((dataBytes - 1) / chunkBytes) + 1;
        if (chunkCount > MaxChunks)
        {
            throw TooManyChunks(dataBytes, bytesPerRow, chunkRows, chunkCount);
        }

        return new ChunkLayout(dataStart, header, chunkBytes, chunkCount);
    }

    /// <summary>
    /// Spreads the data evenly over the nearest whole number of chunks of the requested size, so a small remainder
    /// does not become a straggler chunk that runs alone after the others.
    /// </summary>
    public static long BalancedChunkBytes(long dataBytes, long requestedBytes)
    {
        requestedBytes = Math.Max(1, requestedBytes);
        var count = Math.Max(1, (long)Math.Round((double)dataBytes / requestedBytes, MidpointRounding.AwayFromZero));
        return Math.Max(1, (dataBytes + count - 1) / count);
    }

    private static ServingException TooManyChunks(long dataBytes, long bytesPerRow, int chunkRows, long chunkCount)
    {
        var rows = dataBytes / bytesPerRow;
        var needed = (rows / MaxChunks) + 1;
        var advice = needed <= MaxChunkRows
            ? string.Create(CultureInfo.InvariantCulture, $"set 'chunk_rows' to at least {Math.Max(MinChunkRows, needed)}")
            : "split the input into several files";
        return ServingException.BadRequest(string.Create(CultureInfo.InvariantCulture,
            $"The input ({dataBytes} bytes of data, about {rows} rows) would be cut into {chunkCount} chunks of 'chunk_rows' {chunkRows}; " +
            $"at most {MaxChunks} chunks are allowed: {advice}."));
    }

    private static long SaturatingMultiply(long a, long b) => a > long.MaxValue / b ? long.MaxValue : a * b;
}
