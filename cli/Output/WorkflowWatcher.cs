using System.Diagnostics;
using System.Text.Json;
using Serverless.Cli.Api;
using Serverless.Cli.Commands;
using Spectre.Console;

namespace Serverless.Cli.Output;

/// <summary>
/// <c>--wait</c>: follows an orchestration through the status route's long poll (<c>?wait=</c>, so an ending is seen at
/// once) until it ends, showing progress on stderr (a Spectre bar on a terminal, a plain line per change otherwise), then
/// shows the outcome: <see cref="ExitCodes.Success"/> when it completed, <see cref="ExitCodes.WorkflowFailed"/> when it
/// failed or was terminated, <see cref="ExitCodes.Timeout"/> when <c>--timeout</c> ran out first. Stateless; thread-safe.
/// </summary>
public static class WorkflowWatcher
{
    public const int PollSeconds = 2;

    private static readonly TimeSpan MinPollInterval = TimeSpan.FromMilliseconds(500);

    private static readonly string[] Ended = ["Completed", "Failed", "Terminated", "Canceled"];

    public static async Task<int> WaitAsync(CliContext context, string instanceId, CancellationToken cancellationToken)
    {
        var progress = new WorkflowProgress();
        JsonElement status;
        try
        {
            if (context.Output.IsTerminal && !context.Output.IsJson)
            {
                status = default;
                await new Progress(context.Output.ErrorConsole).AutoClear(true)
                    .Columns(new SpinnerColumn(), new ProgressBarColumn(), new PercentageColumn(), new TaskDescriptionColumn { Alignment = Justify.Left })
                    .StartAsync(async live =>
                    {
                        var task = live.AddTask(instanceId, maxValue: 1);
                        task.IsIndeterminate = true;
                        status = await PollAsync(context, instanceId, s =>
                        {
                            var (line, done, total) = progress.Read(s);
                            task.Description = Markup.Escape(line);
                            if (total is { } t)
                            {
                                task.IsIndeterminate = false;
                                task.MaxValue = t;
                                task.Value = done;
                            }
                        }, cancellationToken).ConfigureAwait(false);
                    }).ConfigureAwait(false);
            }
            else
            {
                string? last = null;
                status = await PollAsync(context, instanceId, s =>
                {
                    var line = progress.Read(s).Line;
                    if (line != last)
                    {
                        context.Output.Note($"{instanceId}: {line}");
                        last = line;
                    }
                }, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException e) when (cancellationToken.IsCancellationRequested)
        {
            throw new CliException(ExitCodes.Timeout,
                $"Timed out after {CliRun.Seconds(context.Timeout)} (--timeout); {instanceId} goes on: follow it with '{CliApp.Name} status {instanceId} --wait', " +
                $"stop it with '{CliApp.Name} terminate {instanceId}'.", e);
        }

        return ShowOutcome(context, status);
    }

    /// <summary>The status as the result of a command: its JSON, or its outcome in words; the exit code says whether it failed.</summary>
    public static int ShowOutcome(CliContext context, JsonElement status)
    {
        var runtime = status.Text("runtime_status");
        var failed = runtime is "Failed" or "Terminated" or "Canceled";
        if (context.Output.IsJson)
        {
            context.Output.Json(status);
        }
        else
        {
            var fields = new List<(string, string)> { ("instance", status.Text("instance_id")), ("name", status.Text("name")), ("status", runtime) };
            if (status.Member("output") is { ValueKind: JsonValueKind.Object } output)
            {
                fields.AddRange(output.EnumerateObject().Where(p => p.Value.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array) || IsScalarArray(p.Value))
                    .Select(p => (p.Name, JsonFields.Format(p.Value))));
            }
            else if (status.Member("custom_status") is { ValueKind: JsonValueKind.Object } custom && !failed)
            {
                fields.AddRange(custom.EnumerateObject().Where(p => p.Value.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array))
                    .Select(p => (p.Name, JsonFields.Format(p.Value))));
            }

            fields.Add(("updated (UTC)", status.Time("last_updated_utc")));
            context.Output.Fields(fields);
        }

        if (failed)
        {
            context.Output.Note($"error: {status.Text("name")} {status.Text("instance_id")} {runtime.ToLowerInvariant()}" +
                (status.Text("error") is { Length: > 0 } error ? $": {error}" : status.Member("output") is { ValueKind: JsonValueKind.String } reason ? $": {reason.GetString()}" : "."));
            return ExitCodes.WorkflowFailed;
        }

        return ExitCodes.Success;
    }

    public static bool HasEnded(JsonElement status) => Ended.Contains(status.Text("runtime_status"));

    private static async Task<JsonElement> PollAsync(CliContext context, string instanceId, Action<JsonElement> show, CancellationToken cancellationToken)
    {
        var path = ApiClient.Path("orchestrations", instanceId);
        var status = (await context.Api.GetAsync(path, cancellationToken).ConfigureAwait(false)).Root;
        show(status);
        while (!HasEnded(status))
        {
            var asked = Stopwatch.GetTimestamp();
            status = (await context.Api.GetAsync($"{path}?wait={PollSeconds}", cancellationToken).ConfigureAwait(false)).Root;
            show(status);
            // The route holds the answer up to PollSeconds unless the instance ends; one that answers at once anyway
            // (a proxy that drops the query, say) is not polled in a tight loop.
            var left = MinPollInterval - Stopwatch.GetElapsedTime(asked);
            if (!HasEnded(status) && left > TimeSpan.Zero)
            {
                await Task.Delay(left, cancellationToken).ConfigureAwait(false);
            }
        }

        return status;
    }

    private static bool IsScalarArray(JsonElement value) =>
        value.ValueKind == JsonValueKind.Array && value.EnumerateArray().All(e => e.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array));
}
