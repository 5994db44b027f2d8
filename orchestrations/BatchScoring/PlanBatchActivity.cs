using Azure;
using Microsoft.DurableTask;
using Serverless.Core.Errors;
using Serverless.Core.Registry;
using Serverless.Core.Serving;
using Serverless.Core.Storage;

namespace Serverless.Orchestrations.BatchScoring;

/// <summary>
/// Plans the job without reading the whole input: checks the input and output paths again (an input replayed from
/// history gets no further than a request would), takes the model version the start resolved (checking it still
/// exists; inputs recorded before the start resolved it are resolved here, once), sizes the job from the input's
/// size and a sample from its start (<see cref="BatchChunking.Layout"/>, which refuses a job over
/// <see cref="BatchChunking.MaxChunks"/> chunks before anything per chunk is read or allocated), then probes a
/// small window at each chunk boundary to move it to the next line start. Rows must not span lines (no line breaks
/// inside quoted CSV fields).
/// </summary>
[DurableTask(Name)]
public sealed class PlanBatchActivity : TaskActivity<BatchScoringRequest, BatchPlan>
{
    public const string Name = "BatchScoringPlan";

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
        BatchScoringPaths.Parse(request.Input, request.Output, _input.Containers);
        var version = await ResolveVersionAsync(request).ConfigureAwait(false);
        var format = BatchFormats.Resolve(request.Format, request.Input);
        var (size, layout) = await LayoutAsync(_input, request, format, CancellationToken.None).ConfigureAwait(false);

        var chunks = await CutAsync(_input, request.Input, size, layout, CancellationToken.None).ConfigureAwait(false);
        return new BatchPlan(request.Model, version, format, layout.Header, size, chunks);
    }

    /// <summary>The chunks of an input of <paramref name="size"/> bytes: each boundary moved to the first line start at or after its byte budget (one probe each).</summary>
    public static async Task<List<ChunkRange>> CutAsync(InputBlobReader input, string path, long size, ChunkLayout layout, CancellationToken cancellationToken)
    {
        var chunks = new List<ChunkRange>((int)layout.ChunkCount);
        var start = layout.DataStart;
        while (start < size)
        {
            var end = start + layout.ChunkBytes >= size ? size : await input.NextLineStartAsync(path, start + layout.ChunkBytes, size, cancellationToken).ConfigureAwait(false);
            chunks.Add(new ChunkRange(chunks.Count, start, end));
            start = end;
        }

        return chunks;
    }

    /// <summary>
    /// The input's size and layout from its properties and a sample of its start: BadRequest naming <c>input</c> when it
    /// does not exist or would need too many chunks. The start of a job calls this too.
    /// </summary>
    public static async Task<(long Size, ChunkLayout Layout)> LayoutAsync(InputBlobReader input, BatchScoringRequest request, string format,
        CancellationToken cancellationToken)
    {
        long size;
        try
        {
            size = (await input.Blob(request.Input).GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value.ContentLength;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            throw ServingException.BadRequest($"'input' names blob {DataText.Quote(request.Input)}, which does not exist.");
        }

        var sample = await input.ReadAsync(request.Input, 0, (int)Math.Min(size, BatchChunking.SampleBytes), cancellationToken).ConfigureAwait(false);
        return (size, BatchChunking.Layout(sample, size, format, request.ChunkRows));
    }

    private async Task<string> ResolveVersionAsync(BatchScoringRequest request)
    {
        if (request.ResolvedVersion is not null)
        {
            return (await _registry.GetExistingVersionAsync(request.Model, request.ResolvedVersion, CancellationToken.None).ConfigureAwait(false)).Version;
        }

        if (request.Version is null && request.Alias is not null)
        {
            var alias = await _registry.GetAliasAsync(request.Model, request.Alias, CancellationToken.None).ConfigureAwait(false)
                ?? throw ServingException.AliasNotFound($"Model '{request.Model}' has no alias '{request.Alias}'.");
            return alias.Version;
        }

        return (await _resolver.ResolveAsync(request.Model, request.Version, CancellationToken.None).ConfigureAwait(false)).Version;
    }
}
