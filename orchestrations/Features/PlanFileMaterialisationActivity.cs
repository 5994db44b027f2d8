using Microsoft.DurableTask;
using Serverless.Core.Features;
using Serverless.Orchestrations.BatchScoring;

namespace Serverless.Orchestrations.Features;

/// <summary>
/// Plans the materialisation of a file without reading it whole: checks the source again (<see cref="MaterialisationSource"/>: an input
/// replayed from history gets no further than a request would), sizes chunks from a sample of its start, and moves each chunk boundary
/// to the next line start by probing a small window there. Rows must not span lines (no line breaks inside quoted CSV fields).
/// Idempotent: it only reads.
/// </summary>
[DurableTask(Name)]
public sealed class PlanFileMaterialisationActivity : TaskActivity<MaterialisationRequest, FileMaterialisationPlan>
{
    public const string Name = "FeatureMaterialisationPlanFile";

    private readonly FeatureSetCatalog _catalog;
    private readonly InputBlobReader _input;

    public PlanFileMaterialisationActivity(FeatureSetCatalog catalog, InputBlobReader input)
    {
        _catalog = catalog;
        _input = input;
    }

    public override async Task<FileMaterialisationPlan> RunAsync(TaskActivityContext context, MaterialisationRequest request)
    {
        var set = await _catalog.GetAsync(request.Name, request.Version, CancellationToken.None).ConfigureAwait(false);
        var (size, layout, format) = await MaterialisationSource.LayoutAsync(_input, request, set, CancellationToken.None).ConfigureAwait(false);
        var chunks = new List<FileMaterialisationChunk>();
        var start = layout.DataStart;
        while (start < size)
        {
            var end = start + layout.ChunkBytes >= size
                ? size
                : await _input.NextLineStartAsync(request.Source!, start + layout.ChunkBytes, size, CancellationToken.None).ConfigureAwait(false);
            chunks.Add(new FileMaterialisationChunk(chunks.Count, request.Name, request.Version, request.Source!, format, layout.Header, start, end));
            start = end;
        }

        return new FileMaterialisationPlan(chunks, size);
    }
}
