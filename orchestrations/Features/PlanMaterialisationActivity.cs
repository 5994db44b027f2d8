using Microsoft.DurableTask;
using Serverless.Core.Features;

namespace Serverless.Orchestrations.Features;

/// <summary>
/// Plans materialisation from a listing of the history (no blob is read): the blobs of each event date in range, a date with more than
/// <see cref="MaterialisationRequest.BlobsPerChunk"/> blobs split by the first hex digit(s) of their names (SHA-256s, so evenly), and
/// consecutive parts packed into chunks of about that many blobs. A part names a date and a name prefix, not blobs, so a chunk's work
/// stays small however large the history, and a blob appended after planning is either in its part when the chunk lists it or was
/// written to the online store by its own write. At most <see cref="MaxChunks"/> chunks (else the orchestration fails saying so).
/// Idempotent: it only lists.
/// </summary>
[DurableTask(Name)]
public sealed class PlanMaterialisationActivity : TaskActivity<MaterialisationRequest, MaterialisationPlan>
{
    public const string Name = "FeatureMaterialisationPlan";

    /// <summary>Chunks one materialisation may have (each costs a few events in the orchestration's history).</summary>
    public const int MaxChunks = 1_000;

    private readonly FeatureSetCatalog _catalog;
    private readonly IFeatureHistory _history;

    public PlanMaterialisationActivity(FeatureSetCatalog catalog, IFeatureHistory history)
    {
        _catalog = catalog;
        _history = history;
    }

    public override async Task<MaterialisationPlan> RunAsync(TaskActivityContext context, MaterialisationRequest request)
    {
        var set = await _catalog.GetAsync(request.Name, request.Version, CancellationToken.None).ConfigureAwait(false);
        var names = await _history.ListAsync(set, request.From, request.To, CancellationToken.None).ConfigureAwait(false);
        return Plan(request, names);
    }

    /// <summary>The plan for a listing (names as <see cref="BlobFeatureHistory"/> writes them; others are skipped).</summary>
    public static MaterialisationPlan Plan(MaterialisationRequest request, IReadOnlyList<string> names)
    {
        var perChunk = Math.Max(1, request.BlobsPerChunk);
        var byDate = new SortedDictionary<DateOnly, List<string>>();
        foreach (var name in names)
        {
            if (BlobFeatureHistory.TryParseName(name, out var date, out var file))
            {
                if (!byDate.TryGetValue(date, out var files))
                {
                    byDate[date] = files = [];
                }

                files.Add(file);
            }
        }

        var parts = new List<(MaterialisationPart Part, int Blobs)>();
        foreach (var (date, files) in byDate)
        {
            var digits = files.Count <= perChunk ? 0 : files.Count <= perChunk * 16 ? 1 : files.Count <= perChunk * 256 ? 2 : 3;
            parts.AddRange(files.GroupBy(f => f[..Math.Min(digits, f.Length)], StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => (new MaterialisationPart(date, g.Key), g.Count())));
        }

        var chunks = new List<MaterialisationChunk>();
        var current = new List<MaterialisationPart>();
        var blobs = 0;
        foreach (var (part, count) in parts)
        {
            if (current.Count > 0 && blobs + count > perChunk)
            {
                chunks.Add(new MaterialisationChunk(chunks.Count, request.Name, request.Version, current));
                current = [];
                blobs = 0;
            }

            current.Add(part);
            blobs += count;
        }

        if (current.Count > 0)
        {
            chunks.Add(new MaterialisationChunk(chunks.Count, request.Name, request.Version, current));
        }

        var total = parts.Sum(p => p.Blobs);
        return chunks.Count <= MaxChunks
            ? new MaterialisationPlan(chunks, total)
            : throw new InvalidOperationException(
                $"Materialisation would take {chunks.Count} chunks for {total} history blobs; at most {MaxChunks} are allowed. " +
                "Narrow 'from' and 'to', or raise 'blobs_per_chunk'.");
    }
}
