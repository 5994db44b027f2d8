using System.Globalization;
using System.Text.Json;
using Serverless.Cli.Api;
using Serverless.Cli.Commands;
using Spectre.Console;

namespace Serverless.Cli.Output;

/// <summary>
/// <c>retrain … --wait</c>: reads a retraining run every <see cref="PollInterval"/> until it ends, showing on stderr its stage
/// and latest live reading (a Spectre spinner on a terminal, a plain line per change otherwise; a run waiting for approval
/// says how to answer it), then its lineage: <see cref="ExitCodes.Success"/> when it completed (whatever it decided),
/// <see cref="ExitCodes.WorkflowFailed"/> when it failed, <see cref="ExitCodes.Timeout"/> when <c>--timeout</c> ran out.
/// Stateless; thread-safe.
/// </summary>
public static class RetrainingWatcher
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    public static async Task<int> WaitAsync(CliContext context, string model, string runId, CancellationToken cancellationToken)
    {
        var path = ApiClient.Path("models", model, "retraining", "runs", runId);
        JsonElement run = default;
        try
        {
            if (context.Output.IsTerminal && !context.Output.IsJson)
            {
                await context.Output.ErrorConsole.Status().StartAsync(runId, async status =>
                {
                    run = await PollAsync(context, path, r => status.Status(Markup.Escape($"{runId}: {Line(r)}")), cancellationToken).ConfigureAwait(false);
                }).ConfigureAwait(false);
            }
            else
            {
                string? last = null;
                run = await PollAsync(context, path, r =>
                {
                    var line = Line(r);
                    if (line != last)
                    {
                        context.Output.Note($"{runId}: {line}");
                        last = line;
                    }
                }, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException e) when (cancellationToken.IsCancellationRequested)
        {
            throw new CliException(ExitCodes.Timeout,
                $"Timed out after {CliRun.Seconds(context.Timeout)} (--timeout); {runId} goes on: follow it with '{CliApp.Name} retrain show {model} {runId} --wait'.", e);
        }

        return ShowOutcome(context, run);
    }

    /// <summary>Where a run is, in one line: status and stage, and its latest live reading.</summary>
    public static string Line(JsonElement run)
    {
        var status = run.Text("status");
        var line = status == "waiting_for_approval"
            ? $"waiting for approval of challenger {run.Member("sweep")?.Text("challenger")}: '{CliApp.Name} retrain approve {run.Text("model")} {run.Text("run_id")}' or 'reject'"
            : $"{status}, {run.Text("stage").Replace('_', ' ')}";
        if (run.Items("steps").LastOrDefault() is { ValueKind: JsonValueKind.Object } step)
        {
            line += $"; {Reading(step)}";
        }

        return line;
    }

    /// <summary>The run's lineage as the result of a command (or its JSON); the exit code says whether it failed.</summary>
    public static int ShowOutcome(CliContext context, JsonElement run)
    {
        if (context.Output.IsJson)
        {
            context.Output.Json(run);
        }
        else
        {
            var trigger = run.Member("trigger") ?? default;
            var data = run.Member("data");
            var sweep = run.Member("sweep");
            var approval = run.Member("approval");
            context.Output.Fields(
            [
                ("run", run.Text("run_id")), ("model", $"{run.Text("model")} ({run.Text("alias")})"), ("status", $"{run.Text("status")}, {run.Text("stage")}"),
                ("trigger", $"{trigger.Text("kind")}: {trigger.Text("message")}"), ("champion", run.Text("champion")),
                ("data", data is { ValueKind: JsonValueKind.Object } d
                    ? $"{d.Text("traffic_rows")} traffic rows, {d.Text("reference_rows")} reference rows, {d.Text("unlabelled_rows")} unlabelled; sha256 {Short(d.Text("fingerprint"))}"
                    : ""),
                ("sweep", sweep is { ValueKind: JsonValueKind.Object } s
                    ? $"{s.Text("sweep_id")}: challenger {s.Text("challenger")}, validation {s.Text("metric")} {s.Text("validation_value")}; {s.Text("warm_start_note")}"
                    : ""),
                ("approval", approval is { ValueKind: JsonValueKind.Object } a ? $"{(a.Member("approved") is { ValueKind: JsonValueKind.True } ? "approved" : "not approved")} by {a.Text("by")} {a.Text("reason")}".Trim() : ""),
                ("decision", run.Text("decision")), ("why", run.Text("reason")), ("created (UTC)", run.Time("created_utc")), ("completed (UTC)", run.Time("completed_utc")),
            ]);
            var steps = run.Items("steps").ToList();
            if (steps.Count > 0)
            {
                context.Output.Table(["at (UTC)", "stage", "weight", "metric", "challenger", "rows", "champion", "rows", "verdict"], steps.Select(step =>
                {
                    var c = step.Member("comparison") ?? default;
                    return (IReadOnlyList<string>)
                    [
                        step.Time("at_utc"), step.Text("stage"), step.Text("weight") + " %", c.Text("metric"), Value(c, "challenger_value"), c.Text("challenger_rows"),
                        Value(c, "champion_value"), c.Text("champion_rows"), step.Text("verdict"),
                    ];
                }), title: "live readings");
            }
        }

        if (run.Text("status") == "failed")
        {
            context.Output.Note($"error: retraining run {run.Text("run_id")} failed: {run.Text("reason")}");
            return ExitCodes.WorkflowFailed;
        }

        return ExitCodes.Success;
    }

    private static async Task<JsonElement> PollAsync(CliContext context, string path, Action<JsonElement> show, CancellationToken cancellationToken)
    {
        while (true)
        {
            var run = (await context.Api.GetAsync(path, cancellationToken).ConfigureAwait(false)).Root;
            show(run);
            if (run.Text("status") is "completed" or "failed")
            {
                return run;
            }

            await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    private static string Reading(JsonElement step)
    {
        var c = step.Member("comparison") ?? default;
        var where = step.Text("stage") == "shadow" ? "shadow" : $"{step.Text("stage")} at {step.Text("weight")} %";
        return $"{where}: live {c.Text("metric")} challenger {Value(c, "challenger_value")} ({c.Text("challenger_rows")} rows) " +
               $"vs champion {Value(c, "champion_value")} ({c.Text("champion_rows")} rows), {step.Text("verdict").Replace('_', ' ')}";
    }

    private static string Value(JsonElement comparison, string name) =>
        comparison.Number(name) is { } value ? value.ToString("0.####", CultureInfo.InvariantCulture) : "-";

    private static string Short(string fingerprint) => fingerprint.Length > 12 ? fingerprint[..12] + "…" : fingerprint;
}
