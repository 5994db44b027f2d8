using Azure;
using Microsoft.DurableTask;
using Serverless.Core.Errors;
using Serverless.Core.Registry;
using Serverless.Core.Serving;

namespace Serverless.Orchestrations.BatchScoring;

/// <summary>
/// Plans the job without reading the whole input: resolves the model version once, reads the header and a
/// sample from the start to estimate bytes per row, then probes a small window at each chunk boundary to move
/// it to the next line start. Rows must not span lines (no line breaks inside quoted CSV fields).
/// </summary>
[DurableTask(Name)]
public sealed class PlanBatchActivity : TaskActivity<BatchScoringRequest, BatchPlan>
{
    public const string Name = "BatchScoringPlan";

    private const int SampleBytes = 1 << 20;
    private const int ProbeBytes = 64 * 1024;
    private const int MaxChunks = 100_000;

    private readonly InputBlobReader _input;
    private readonly IModelRegistry _registry;
    private readonly ModelResolver _resolver;

    public PlanBatchActivity(InputBlobReader input, IModelRegistry registry, ModelResolver resolver)
    {
        _input = input;
        _registry = registry;
        _resolver = resolver;
    }

    public override async Task<BatchPlan> RunAsync(TaskActivityContext context, BatchScoringRequest request)
    {
        var version = await ResolveVersionAsync(request).ConfigureAwait(false);
        var format = BatchFormats.Resolve(request.Format, request.Input);
        long size;
        try
        {
            size = (await _input.Blob(request.Input).GetPropertiesAsync().ConfigureAwait(false)).Value.ContentLength;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            throw ServingException.NotFound($"Input blob '{request.Input}' not found.");
        }

        var sample = await _input.ReadAsync(request.Input, 0, (int)Math.Min(size, SampleBytes), CancellationToken.None).ConfigureAwait(false);
        string? header = null;
        var dataStart = 0L;
        if (format == BatchFormats.Csv)
        {
            var newline = Array.IndexOf(sample, (byte)'\n');
            dataStart = newline < 0 ? sample.Length : newline + 1;
            header = System.Text.Encoding.UTF8.GetString(sample, 0, (int)dataStart).TrimEnd('\r', '\n').TrimStart('\uFEFF');
        }

        var sampleLines = sample.AsSpan((int)dataStart).Count((byte)'\n');
        var bytesPerRow = sampleLines == 0 ? Math.Max(1, size - dataStart) : Math.Max(1, (sample.Length - dataStart) / sampleLines);
        var chunkBytes = BalancedChunkBytes(size - dataStart, bytesPerRow * Math.Max(1, request.ChunkRows));

        var chunks = new List<ChunkRange>();
        var start = dataStart;
        while (start < size)
        {
            var end = start + chunkBytes >= size ? size : await NextLineStartAsync(request.Input, start + chunkBytes, size).ConfigureAwait(false);
            chunks.Add(new ChunkRange(chunks.Count, start, end));
            start = end;
            if (chunks.Count > MaxChunks)
            {
                throw ServingException.BadRequest($"The input would need more than {MaxChunks} chunks; raise chunk_rows.");
            }
        }

        return new BatchPlan(request.Model, version, format, header, size, chunks);
    }

    /// <summary>
    /// Spreads the data evenly over the nearest whole number of chunks of the requested size, so a small remainder
    /// does not become a straggler chunk that runs alone after the others.
    /// </summary>
    internal static long BalancedChunkBytes(long dataBytes, long requestedBytes)
    {
        requestedBytes = Math.Max(1, requestedBytes);
        var count = Math.Max(1, (long)Math.Round((double)dataBytes / requestedBytes, MidpointRounding.AwayFromZero));
        return Math.Max(1, (dataBytes + count - 1) / count);
    }

    private async Task<long> NextLineStartAsync(string path, long from, long size)
    {
        for (var position = from; position < size; position += ProbeBytes)
        {
            var window = await _input.ReadAsync(path, position, (int)Math.Min(ProbeBytes, size - position), CancellationToken.None).ConfigureAwait(false);
            var newline = Array.IndexOf(window, (byte)'\n');
            if (newline >= 0)
            {
                return position + newline + 1;
            }
        }

        return size;
    }

    private async Task<string> ResolveVersionAsync(BatchScoringRequest request)
    {
        if (request.Version is null && request.Alias is not null)
        {
            var alias = await _registry.GetAliasAsync(request.Model, request.Alias, CancellationToken.None).ConfigureAwait(false)
                ?? throw ServingException.NotFound($"Model '{request.Model}' has no alias '{request.Alias}'.");
            return alias.Version;
        }

        return (await _resolver.ResolveAsync(request.Model, request.Version, CancellationToken.None).ConfigureAwait(false)).Version;
    }
}
