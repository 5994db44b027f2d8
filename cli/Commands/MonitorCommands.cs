using System.CommandLine;
using System.Net;
using System.Text.Json;
using Serverless.Cli.Api;
using Serverless.Cli.Output;

namespace Serverless.Cli.Commands;

/// <summary>
/// <c>monitor run [--model N] [--wait]</c> (the monitor on demand; the route answers when the run is done, and with
/// <c>--wait</c> a run of another scope under way is waited out instead of being a 409) and <c>monitor report N [--html FILE]</c>
/// (the latest report, and its page). Stateless; thread-safe.
/// </summary>
public static class MonitorCommands
{
    public const int BusyRetrySeconds = 3;

    public static Command Create(CliRun run)
    {
        var monitor = new Command("monitor", "Run the model monitor now and read its reports.");

        var model = new Option<string?>("--model") { Description = "one model (default: every model)" };
        var wait = WorkflowCommands.WaitOption("when a run of another scope is under way (409), wait for it to finish and run then, instead of failing");
        var start = new Command("run", "Run the monitor now: drift, data quality, service health and performance per version; prints the reports written.") { model, wait };
        monitor.Subcommands.Add(run.Bind(start, async (context, token) =>
        {
            var body = ApiClient.Json(new MonitoringRun(context.Value(model)));
            var answer = await RunAsync(context, body, context.Value(wait), token).ConfigureAwait(false);
            if (context.Output.IsJson)
            {
                context.Output.Json(answer);
                return ExitCodes.Success;
            }

            context.Output.Line($"run {answer.Text("run_id")}{(answer.Member("joined") is { ValueKind: JsonValueKind.True } ? " (joined the run under way)" : "")}: " +
                $"window {answer.Time("window_start_utc")} to {answer.Time("window_end_utc")} UTC, {answer.Text("alerts_delivered")} alerts delivered");
            context.Output.Table(["model", "version", "rows", "dataset drift", "drift share", "prediction drift", "performance decay", "findings"],
                answer.Items("reports").Select(r => (IReadOnlyList<string>)
                [
                    r.Text("model_name"), r.Text("version"), r.Text("rows"), r.Text("dataset_drift"), r.Text("drift_share"), r.Text("prediction_drift"),
                    r.Text("performance_decay"), r.Text("findings"),
                ]));
            foreach (var skipped in answer.Items("skipped"))
            {
                context.Output.Line($"skipped: {JsonFields.Format(skipped)}");
            }

            return ExitCodes.Success;
        }));

        var name = new Argument<string>("name") { Description = "the model" };
        var html = new Option<string?>("--html") { Description = "also write the report's page (charts; open it in a browser) to this file", HelpName = "file" };
        var report = new Command("report", "A model's latest monitoring report: drift, findings, where it is stored.") { name, html };
        monitor.Subcommands.Add(run.Bind(report, async (context, token) =>
        {
            var path = ApiClient.Path("models", context.Value(name), "monitoring", "reports", "latest");
            var latest = (await context.Api.GetAsync(path, token).ConfigureAwait(false)).Root;
            if (context.Value(html) is { } file)
            {
                var page = await context.Api.GetAsync(path + ".html", token).ConfigureAwait(false);
                try
                {
                    await File.WriteAllBytesAsync(file, page.Body, token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw CliException.ForData($"Cannot write '{file}': {e.Message}", e);
                }

                context.Output.Note($"wrote {file} ({page.Body.Length:N0} bytes)");
            }

            if (context.Output.IsJson)
            {
                context.Output.Json(latest);
                return ExitCodes.Success;
            }

            var drift = latest.Member("drift") ?? default;
            context.Output.Fields(
            [
                ("model", latest.Text("model")), ("version", latest.Text("version")), ("run", latest.Text("run_id")),
                ("window (UTC)", $"{latest.Time("window_start_utc")} to {latest.Time("window_end_utc")}"), ("rows", latest.Text("rows")),
                ("dataset drift", drift.ValueKind == JsonValueKind.Object ? $"{drift.Text("dataset_drift")} (share {drift.Text("drift_share")})" : "not judged"),
                ("prediction drift", latest.Member("prediction_drift") is { } p ? p.Text("drifted") : "not judged"),
            ], title: "latest report");
            context.Output.Table(["kind", "finding"], latest.Items("findings").Select(f => (IReadOnlyList<string>)[f.Text("kind"), f.Text("message")]), title: "findings");
            return ExitCodes.Success;
        }));
        return monitor;
    }

    private static async Task<JsonElement> RunAsync(CliContext context, HttpContent body, bool wait, CancellationToken cancellationToken)
    {
        var text = await body.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        while (true)
        {
            using var content = new StringContent(text, System.Text.Encoding.UTF8, "application/json");
            var answer = await context.Api.SendAsync(HttpMethod.Post, "monitoring/runs", content, cancellationToken,
                accept: wait ? [HttpStatusCode.Conflict] : []).ConfigureAwait(false);
            if (answer.Status != HttpStatusCode.Conflict)
            {
                return answer.Root;
            }

            context.Output.Note($"a run is under way ({answer.Root.Text("error")}); trying again in {BusyRetrySeconds} s");
            await Task.Delay(TimeSpan.FromSeconds(BusyRetrySeconds), cancellationToken).ConfigureAwait(false);
        }
    }

    private sealed record MonitoringRun(string? Model);
}
