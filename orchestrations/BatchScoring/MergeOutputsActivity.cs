using Microsoft.DurableTask;
using Serverless.Core.Storage;

namespace Serverless.Orchestrations.BatchScoring;

/// <summary>The parts to merge, in order, and the output prefix.</summary>
public sealed record MergeInput(string Output, IReadOnlyList<string> Parts);

/// <summary>
/// Streams the part CSVs, in chunk order, into one <c>{output}/predictions.csv</c> with a single header row.
/// Rewrites the whole blob, so a retry cannot duplicate rows. Returns its path.
/// </summary>
[DurableTask(Name)]
public sealed class MergeOutputsActivity : TaskActivity<MergeInput, string>
{
    public const string Name = "BatchScoringMerge";

    private readonly InputBlobReader _blobs;

    public MergeOutputsActivity(InputBlobReader blobs)
    {
        _blobs = blobs;
    }

    public override async Task<string> RunAsync(TaskActivityContext context, MergeInput input)
    {
        var path = BlobPaths.Combine(input.Output, "predictions.csv");
        await using (var target = await (await _blobs.OutputBlobAsync(path).ConfigureAwait(false)).OpenWriteAsync(overwrite: true).ConfigureAwait(false))
        {
            var first = true;
            foreach (var part in input.Parts)
            {
                await using var source = (await _blobs.Blob(part).DownloadStreamingAsync().ConfigureAwait(false)).Value.Content;
                if (!first)
                {
                    await SkipLineAsync(source).ConfigureAwait(false);
                }

                await source.CopyToAsync(target).ConfigureAwait(false);
                first = false;
            }
        }

        return path;
    }

    private static async Task SkipLineAsync(Stream stream)
    {
        var one = new byte[1];
        while (await stream.ReadAsync(one).ConfigureAwait(false) == 1 && one[0] != (byte)'\n')
        {
        }
    }
}
