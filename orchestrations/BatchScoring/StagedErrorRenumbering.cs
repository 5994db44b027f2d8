using System.Text;
using System.Text.Json.Nodes;

namespace Serverless.Orchestrations.BatchScoring;

/// <summary>
/// The fan-in half of scoring without a counting pass: once every chunk's row count is known, each staged errors
/// blob (rows numbered from 1 within its chunk) is rewritten to the chunk's errors blob with file-wide row numbers,
/// then the staged blob is deleted. Safe to repeat: a retry after the delete finds nothing staged and the final blob
/// already written.
/// </summary>
internal static class StagedErrorRenumbering
{
    public static async Task RunAsync(InputBlobReader blobs, IReadOnlyList<ChunkResult> results)
    {
        var offset = 0L;
        foreach (var result in results.OrderBy(r => r.Index))
        {
            if (result is { ErrorsStaged: true, BadRows: > 0, StagedErrorsBlob: { } staged })
            {
                await RenumberAsync(blobs, staged, result.ErrorsBlob, offset).ConfigureAwait(false);
            }

            offset += result.RowsIn;
        }
    }

    private static async Task RenumberAsync(InputBlobReader blobs, string staged, string final, long offset)
    {
        var source = await blobs.OutputBlobAsync(staged).ConfigureAwait(false);
        if (!(await source.ExistsAsync().ConfigureAwait(false)).Value)
        {
            return;
        }

        var text = (await source.DownloadContentAsync().ConfigureAwait(false)).Value.Content.ToString();
        var renumbered = new StringBuilder(text.Length + 64);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var error = JsonNode.Parse(line)!.AsObject();
            error["row"] = error["row"]!.GetValue<long>() + offset;
            renumbered.Append(error.ToJsonString(BatchRowError.Json)).Append('\n');
        }

        await (await blobs.OutputBlobAsync(final).ConfigureAwait(false)).UploadAsync(BinaryData.FromString(renumbered.ToString()), overwrite: true).ConfigureAwait(false);
        await source.DeleteIfExistsAsync().ConfigureAwait(false);
    }
}
