using System.Text.Json;
using Microsoft.DurableTask;
using Serverless.Core.Storage;

namespace Serverless.Orchestrations.BatchScoring;

/// <summary>What the manifest records.</summary>
public sealed record ManifestInput(BatchScoringRequest Request, BatchPlan Plan, IReadOnlyList<ChunkResult> Results, DateTime StartedUtc, DateTime CompletedUtc);

/// <summary>
/// Writes <c>{output}/manifest.json</c> (model version, parts, rows in/out, bad rows, timings) after moving staged
/// error rows to their file-wide numbers (<see cref="StagedErrorRenumbering"/>). Returns its path.
/// </summary>
[DurableTask(Name)]
public sealed class WriteManifestActivity : TaskActivity<ManifestInput, string>
{
    public const string Name = "BatchScoringWriteManifest";

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    private readonly InputBlobReader _blobs;

    public WriteManifestActivity(InputBlobReader blobs)
    {
        _blobs = blobs;
    }

    public override async Task<string> RunAsync(TaskActivityContext context, ManifestInput input)
    {
        await StagedErrorRenumbering.RunAsync(_blobs, input.Results).ConfigureAwait(false);
        var path = BlobPaths.Combine(input.Request.Output, "manifest.json");
        var manifest = new
        {
            input = input.Request.Input,
            format = input.Plan.Format,
            model = input.Plan.Model,
            model_version = input.Plan.ModelVersion,
            members = input.Request.ResolvedMembers,
            started_utc = input.StartedUtc,
            completed_utc = input.CompletedUtc,
            seconds = (input.CompletedUtc - input.StartedUtc).TotalSeconds,
            rows_in = input.Results.Sum(r => r.RowsIn),
            rows_out = input.Results.Sum(r => r.RowsOut),
            bad_rows = input.Results.Sum(r => r.BadRows),
            parts = input.Results.OrderBy(r => r.Index).Select(r => new
            {
                index = r.Index,
                blob = r.PartBlob,
                errors_blob = r.BadRows > 0 ? r.ErrorsBlob : null,
                rows_in = r.RowsIn,
                rows_out = r.RowsOut,
                bad_rows = r.BadRows,
                milliseconds = Math.Round(r.Milliseconds, 1),
            }),
        };
        await (await _blobs.OutputBlobAsync(path).ConfigureAwait(false)).UploadAsync(BinaryData.FromObjectAsJson(manifest, Json), overwrite: true).ConfigureAwait(false);
        return path;
    }
}
