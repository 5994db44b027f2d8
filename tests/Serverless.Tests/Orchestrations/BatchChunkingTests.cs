using System.Text;
using Serverless.Core.Errors;
using Serverless.Orchestrations.BatchScoring;

namespace Serverless.Tests.Orchestrations;

public sealed class BatchChunkingTests
{
    [Fact]
    public void Layout_CsvWithHeader_CountsChunksFromSizeAndSampledRowWidth()
    {
        var csv = Csv(rows: 1_000, width: 10);

        var layout = BatchChunking.Layout(csv, csv.Length, BatchFormats.Csv, chunkRows: 100);

        Assert.Equal("id,a,b", layout.Header);
        Assert.Equal("id,a,b\n".Length, layout.DataStart);
        Assert.Equal(10, layout.ChunkCount);
        Assert.Equal(1_000, layout.ChunkBytes);
    }

    [Fact]
    public void Layout_HugeBlobTinyChunks_IsRefusedSayingWhatChunkRowsWouldDo()
    {
        // A 1 TB input of 10-byte rows at 100 rows per chunk: a billion chunks, refused from the sample alone.
        var sample = Csv(rows: 100_000, width: 10);
        const long size = 1L << 40;

        var error = Assert.Throws<ServingException>(() => BatchChunking.Layout(sample, size, BatchFormats.Csv, chunkRows: 100));

        Assert.Equal(ServingErrorKind.BadRequest, error.Kind);
        Assert.Contains($"at most {BatchChunking.MaxChunks} chunks", error.Message);
        Assert.Contains("split the input", error.Message);
    }

    [Fact]
    public void Layout_JustOverTheCap_SuggestsAChunkRowsThatFits()
    {
        var sample = Csv(rows: 10_000, width: 10);
        var size = sample.Length + (10L * 100 * BatchChunking.MaxChunks * 3);

        var error = Assert.Throws<ServingException>(() => BatchChunking.Layout(sample, size, BatchFormats.Csv, chunkRows: 100));
        var advised = int.Parse(error.Message[(error.Message.IndexOf("at least ", StringComparison.Ordinal) + 9)..].TrimEnd('.'));

        Assert.InRange(BatchChunking.Layout(sample, size, BatchFormats.Csv, advised).ChunkCount, 1, BatchChunking.MaxChunks);
    }

    [Fact]
    public void Layout_NoHeaderLineInTheSample_IsRefused()
    {
        var sample = new byte[BatchChunking.SampleBytes];
        sample.AsSpan().Fill((byte)'a');

        var error = Assert.Throws<ServingException>(() => BatchChunking.Layout(sample, 10L * BatchChunking.SampleBytes, BatchFormats.Csv, 100));

        Assert.Contains("header row is longer than 64 KiB", error.Message);
    }

    [Fact]
    public void Layout_HeaderOverTheCapInASmallFile_IsRefused()
    {
        var csv = Encoding.UTF8.GetBytes(new string('h', BatchChunking.MaxHeaderBytes + 1) + "\n1\n");

        Assert.Throws<ServingException>(() => BatchChunking.Layout(csv, csv.Length, BatchFormats.Csv, 100));
    }

    [Fact]
    public void Layout_JsonLines_HasNoHeaderAndStartsAtZero()
    {
        var jsonl = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("{\"a\":1}\n", 1_000)));

        var layout = BatchChunking.Layout(jsonl, jsonl.Length, BatchFormats.JsonLines, 100);

        Assert.Null(layout.Header);
        Assert.Equal(0, layout.DataStart);
        Assert.Equal(10, layout.ChunkCount);
    }

    [Fact]
    public void Layout_EmptyData_HasNoChunks()
    {
        var csv = Encoding.UTF8.GetBytes("a,b\n");

        Assert.Equal(0, BatchChunking.Layout(csv, csv.Length, BatchFormats.Csv, 100).ChunkCount);
    }

    [Theory]
    [InlineData(1_000, 250, 250)]
    [InlineData(1_000, 240, 250)]
    [InlineData(1_000, 300, 334)]
    [InlineData(1_000, 5_000, 1_000)]
    [InlineData(1_000, 0, 1)]
    public void BalancedChunkBytes_SpreadsTheRemainderInsteadOfLeavingAStraggler(long dataBytes, long requested, long expected)
    {
        Assert.Equal(expected, BatchChunking.BalancedChunkBytes(dataBytes, requested));
    }

    /// <summary>A header "id,a,b" and rows of exactly <paramref name="width"/> bytes including the newline.</summary>
    private static byte[] Csv(int rows, int width)
    {
        var row = new string('1', width - 1) + "\n";
        return Encoding.UTF8.GetBytes("id,a,b\n" + string.Concat(Enumerable.Repeat(row, rows)));
    }
}
