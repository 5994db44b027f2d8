using System.CommandLine;
using Serverless.Cli.Api;
using Serverless.Cli.Output;

namespace Serverless.Cli.Commands;

/// <summary><c>sweep start spec.json [--wait]</c>, <c>sweep list</c>, <c>sweep show ID</c>: training sweeps and their records. Stateless; thread-safe.</summary>
public static class SweepCommands
{
    public static Command Create(CliRun run)
    {
        var sweep = new Command("sweep", "Start training sweeps and read their records (trials, leaderboard, promotion).");

        var spec = new Argument<string>("spec.json") { Description = "the sweep request (the body of POST /api/orchestrations/training-sweeps)" };
        var wait = WorkflowCommands.WaitOption("follow the sweep to its end, showing trials done and the best so far");
        var start = new Command("start", "Start a sweep; prints its id (the instance id), or with --wait its outcome.") { spec, wait };
        sweep.Subcommands.Add(run.Bind(start, async (context, token) =>
        {
            var body = ModelsCommands.FileContent(context.Value(spec), "application/json");
            var started = await context.Api.SendAsync(HttpMethod.Post, "orchestrations/training-sweeps", body, token).ConfigureAwait(false);
            return await WorkflowCommands.StartedAsync(context, started.Root, context.Value(wait), token).ConfigureAwait(false);
        }));

        var list = new Command("list", "Tracked sweeps, newest first (at most 100).");
        sweep.Subcommands.Add(run.Bind(list, async (context, token) =>
        {
            var answer = (await context.Api.GetAsync("sweeps", token).ConfigureAwait(false)).Root;
            if (context.Output.IsJson)
            {
                context.Output.Json(answer);
                return ExitCodes.Success;
            }

            context.Output.Table(["sweep", "status", "model", "metric", "best", "trials", "version", "promoted", "created (UTC)"],
                answer.Items("sweeps").Select(s => (IReadOnlyList<string>)
                [
                    s.Text("sweep_id"), s.Text("status"), s.Text("model_name"), s.Text("metric"), s.Text("best_value"),
                    $"{s.Text("trials_succeeded")}/{s.Text("trials_total")}", s.Text("registered_version"), s.Text("promoted"), s.Time("created_utc"),
                ]));
            return ExitCodes.Success;
        }));

        var id = new Argument<string>("id") { Description = "the sweep id" };
        var show = new Command("show", "A sweep: its record, leaderboard and trials.") { id };
        sweep.Subcommands.Add(run.Bind(show, async (context, token) =>
        {
            var answer = (await context.Api.GetAsync(ApiClient.Path("sweeps", context.Value(id)), token).ConfigureAwait(false)).Root;
            if (context.Output.IsJson)
            {
                context.Output.Json(answer);
                return ExitCodes.Success;
            }

            var record = answer.Member("sweep") ?? default;
            context.Output.Fields(
            [
                ("sweep", record.Text("sweep_id")), ("status", record.Text("status")), ("model", record.Text("model_name")),
                ("dataset", record.Text("dataset")), ("target", $"{record.Text("target")} ({record.Text("task")})"),
                ("rows", $"{record.Text("train_rows")} train, {record.Text("validation_rows")} validation"),
                ("trials", $"{record.Text("trials_succeeded")} succeeded, {record.Text("trials_failed")} failed of {record.Text("trials_total")}"),
                ("best", $"{record.Text("metric")} {record.Text("best_value")} ({record.Text("best_trial_id")})"),
                ("registered", record.Text("registered_version")), ("promoted", $"{record.Text("promoted")} {record.Text("promotion_reason")}".Trim()),
                ("error", record.Text("error")), ("created (UTC)", record.Time("created_utc")), ("completed (UTC)", record.Time("completed_utc")),
            ]);
            context.Output.Table(["rank", "trial", "algorithm", record.Text("metric")], answer.Items("leaderboard").Select(e => (IReadOnlyList<string>)
            [
                e.Text("rank"), e.Text("trial_id"), e.Text("algorithm"), e.Text("value"),
            ]), title: "leaderboard");
            var failed = answer.Items("trials").Where(t => t.Text("status") == "failed").ToList();
            if (failed.Count > 0)
            {
                context.Output.Table(["trial", "algorithm", "error"], failed.Select(t => (IReadOnlyList<string>)[t.Text("trial_id"), t.Text("algorithm"), t.Text("error")]),
                    title: "failed trials");
            }

            return ExitCodes.Success;
        }));
        return sweep;
    }
}
