using Microsoft.DurableTask;

namespace Serverless.Orchestrations.BatchScoring;

/// <summary>Counts the data rows (non-blank lines) in one chunk's byte range, streaming.</summary>
[DurableTask(Name)]
public sealed class CountRowsActivity : TaskActivity<CountWork, long>
{
    public const string Name = "BatchScoringCountRows";

    private readonly InputBlobReader _input;

    public CountRowsActivity(InputBlobReader input)
    {
        _input = input;
    }

    public override async Task<long> RunAsync(TaskActivityContext context, CountWork work)
    {
        await using var stream = await _input.OpenRangeAsync(work.Input, work.Chunk.Start, work.Chunk.End, CancellationToken.None).ConfigureAwait(false);
        var buffer = new byte[64 * 1024];
        long rows = 0;
        var lineHasContent = false;
        int read;
        while ((read = await stream.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            rows += CountLines(buffer.AsSpan(0, read), ref lineHasContent);
        }

        return lineHasContent ? rows + 1 : rows;
    }

    /// <summary>Counts lines that end in this span and hold more than whitespace; carries the open line's state.</summary>
    internal static long CountLines(ReadOnlySpan<byte> bytes, ref bool lineHasContent)
    {
        long rows = 0;
        foreach (var b in bytes)
        {
            if (b == (byte)'\n')
            {
                if (lineHasContent)
                {
                    rows++;
                }

                lineHasContent = false;
            }
            else if (b is not ((byte)'\r' or (byte)' ' or (byte)'\t'))
            {
                lineHasContent = true;
            }
        }

        return rows;
    }
}
