using System.Globalization;
using System.Text.Json;

namespace Serverless.Cli.Output;

/// <summary>
/// Turns successive status answers of one orchestration into a progress line and bar: chunks (batch scoring) or trials
/// (sweeps) done of total, rows scored and rows per second, the best value so far, and the time left estimated from the
/// pace seen since the watch began. Not thread-safe; one per watch.
/// </summary>
public sealed class WorkflowProgress
{
    private readonly TimeProvider _clock;
    private (DateTimeOffset At, double Done, double Rows)? _first;

    public WorkflowProgress(TimeProvider? clock = null)
    {
        _clock = clock ?? TimeProvider.System;
    }

    /// <summary>The line for <paramref name="status"/> (an orchestration status answer), and the bar's done and total when known.</summary>
    public (string Line, double Done, double? Total) Read(JsonElement status)
    {
        var runtime = status.Text("runtime_status");
        var custom = status.Member("custom_status");
        if (custom is not { ValueKind: JsonValueKind.Object } progress)
        {
            return (runtime, 0, null);
        }

        var stage = progress.Text("stage");
        var (unit, done, total) = progress.Number("trials_total") is { } trials
            ? ("trials", progress.Number("trials_done") ?? 0, trials)
            : ("chunks", progress.Number("chunks_done") ?? 0, progress.Number("chunks_total") ?? 0);
        var rows = progress.Number("rows_scored");
        var now = _clock.GetUtcNow();
        _first ??= (now, done, rows ?? 0);
        var parts = new List<string> { $"{runtime}{(stage.Length > 0 ? ", " + stage : "")}" };
        if (total > 0)
        {
            parts.Add(Invariant($"{unit} {done:0}/{total:0}"));
        }

        var elapsed = (now - _first.Value.At).TotalSeconds;
        if (rows is { } scored)
        {
            var rate = elapsed > 0 ? (scored - _first.Value.Rows) / elapsed : 0;
            parts.Add(rate > 0 ? Invariant($"{scored:N0} rows ({rate:N0} rows/s)") : Invariant($"{scored:N0} rows"));
        }

        if (progress.Number("bad_rows") is > 0 and var bad)
        {
            parts.Add(Invariant($"{bad:N0} bad rows"));
        }

        if (progress.Number("trials_failed") is > 0 and var failed)
        {
            parts.Add(Invariant($"{failed:0} failed"));
        }

        if (progress.Number("best_value") is { } best)
        {
            parts.Add(Invariant($"best {progress.Text("metric")} {best:0.####} ({progress.Text("best_trial_id")})"));
        }

        if (total > done && done > _first.Value.Done && elapsed > 0)
        {
            var left = (total - done) * elapsed / (done - _first.Value.Done);
            parts.Add(Invariant($"~{Math.Ceiling(left):0} s left"));
        }

        return (string.Join(", ", parts), done, total > 0 ? total : null);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
