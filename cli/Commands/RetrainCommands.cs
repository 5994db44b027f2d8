using System.CommandLine;
using Serverless.Cli.Api;
using Serverless.Cli.Output;

namespace Serverless.Cli.Commands;

/// <summary>
/// The closed retraining loop from the command line: <c>retrain policy N [policy.json]</c> (declare or read the policy),
/// <c>retrain start N [--reason] [--wait]</c> (a run on request; with <c>--wait</c> followed to its end by
/// <see cref="RetrainingWatcher"/>), <c>retrain list N</c>, <c>retrain show N RUN</c> (the lineage: trigger, data, sweep,
/// approval, live readings, decision) and <c>retrain approve|reject N RUN [--reason]</c>. Stateless; thread-safe.
/// </summary>
public static class RetrainCommands
{
    public static Command Create(CliRun run)
    {
        var retrain = new Command("retrain", "The closed retraining loop: a model's policy, runs on request, their lineage, approvals.");
        retrain.Subcommands.Add(Policy(run));
        retrain.Subcommands.Add(Start(run));
        retrain.Subcommands.Add(List(run));
        retrain.Subcommands.Add(Show(run));
        retrain.Subcommands.Add(Answer(run, "approve", "Approve a run waiting for approval: its challenger goes on to the shadow and the rollout."));
        retrain.Subcommands.Add(Answer(run, "reject", "Reject a run waiting for approval: it ends, the challenger never served."));
        return retrain;
    }

    private static Command Policy(CliRun run)
    {
        var name = new Argument<string>("name") { Description = "the model" };
        var file = new Argument<string?>("policy.json") { Description = "the policy to declare (the body of PUT /api/models/{name}/retraining); without it, the stored one is shown", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("policy", "Declare a model's retraining policy from a file, or show the stored one.") { name, file };
        return run.Bind(command, async (context, token) =>
        {
            var path = ApiClient.Path("models", context.Value(name), "retraining");
            var answer = context.Value(file) is { } policy
                ? await context.Api.SendAsync(HttpMethod.Put, path, ModelsCommands.FileContent(policy, "application/json"), token).ConfigureAwait(false)
                : await context.Api.GetAsync(path, token).ConfigureAwait(false);
            if (context.Output.IsJson)
            {
                context.Output.Json(answer.Root);
                return ExitCodes.Success;
            }

            var stored = answer.Root.Member("policy") ?? default;
            var guardrails = stored.Member("guardrails") ?? default;
            context.Output.Fields(
            [
                ("model", answer.Root.Text("model")), ("alias", stored.Text("alias")), ("triggers", string.Join(", ", stored.Items("triggers").Select(JsonFields.Format))),
                ("data", stored.Member("data") is { } data ? $"{data.Text("source")}, window {data.Text("window_hours")} h" : ""),
                ("approval required", guardrails.Text("approval_required")), ("max runs per day", guardrails.Text("max_runs_per_day")),
                ("cooldown minutes", guardrails.Text("cooldown_minutes")), ("updated (UTC)", answer.Root.Time("updated_utc")),
            ]);
            return ExitCodes.Success;
        });
    }

    private static Command Start(CliRun run)
    {
        var name = new Argument<string>("name") { Description = "the model (it needs a policy with the manual trigger)" };
        var reason = new Option<string?>("--reason") { Description = "why, recorded as the run's trigger (at most 500 characters)" };
        var wait = WorkflowCommands.WaitOption("follow the run to its end, showing its stage and the live metric of challenger and champion");
        var command = new Command("start", "Start a retraining run now; prints its id, or with --wait its outcome.") { name, reason, wait };
        return run.Bind(command, async (context, token) =>
        {
            var model = context.Value(name);
            var started = (await context.Api.PostJsonAsync(ApiClient.Path("models", model, "retraining", "runs"), new Note(context.Value(reason)), token).ConfigureAwait(false)).Root;
            var id = started.Text("run_id");
            if (context.Value(wait))
            {
                context.Output.Note($"started {id}");
                return await RetrainingWatcher.WaitAsync(context, model, id, token).ConfigureAwait(false);
            }

            if (context.Output.IsJson)
            {
                context.Output.Json(started);
            }
            else
            {
                context.Output.Line(id);
                context.Output.Note($"started {id}; follow it with '{CliApp.Name} retrain show {model} {id} --wait'");
            }

            return ExitCodes.Success;
        });
    }

    private static Command List(CliRun run)
    {
        var name = new Argument<string>("name") { Description = "the model" };
        var command = new Command("list", "A model's retraining runs, newest first (at most 100).") { name };
        return run.Bind(command, async (context, token) =>
        {
            var answer = (await context.Api.GetAsync(ApiClient.Path("models", context.Value(name), "retraining", "runs"), token).ConfigureAwait(false)).Root;
            if (context.Output.IsJson)
            {
                context.Output.Json(answer);
                return ExitCodes.Success;
            }

            context.Output.Table(["run", "status", "stage", "trigger", "champion", "challenger", "decision", "created (UTC)"],
                answer.Items("runs").Select(r => (IReadOnlyList<string>)
                [
                    r.Text("run_id"), r.Text("status"), r.Text("stage"), r.Text("trigger"), r.Text("champion"), r.Text("challenger"), r.Text("decision"), r.Time("created_utc"),
                ]));
            return ExitCodes.Success;
        });
    }

    private static Command Show(CliRun run)
    {
        var name = new Argument<string>("name") { Description = "the model" };
        var id = new Argument<string>("run") { Description = "the run id (rt-…)" };
        var wait = WorkflowCommands.WaitOption("follow the run to its end first, showing its stage and the live metric");
        var command = new Command("show", "A retraining run's lineage: trigger, data, sweep, approval, live readings, decision.") { name, id, wait };
        return run.Bind(command, async (context, token) =>
        {
            if (context.Value(wait))
            {
                return await RetrainingWatcher.WaitAsync(context, context.Value(name), context.Value(id), token).ConfigureAwait(false);
            }

            var answer = (await context.Api.GetAsync(ApiClient.Path("models", context.Value(name), "retraining", "runs", context.Value(id)), token).ConfigureAwait(false)).Root;
            return RetrainingWatcher.ShowOutcome(context, answer);
        });
    }

    private static Command Answer(CliRun run, string verb, string description)
    {
        var name = new Argument<string>("name") { Description = "the model" };
        var id = new Argument<string>("run") { Description = "the run id (rt-…)" };
        var reason = new Option<string?>("--reason") { Description = "why, recorded with the answer (at most 500 characters)" };
        var command = new Command(verb, description) { name, id, reason };
        return run.Bind(command, async (context, token) =>
        {
            var answer = (await context.Api.PostJsonAsync(ApiClient.Path("models", context.Value(name), "retraining", context.Value(id), verb), new Note(context.Value(reason)), token)
                .ConfigureAwait(false)).Root;
            if (context.Output.IsJson)
            {
                context.Output.Json(answer);
            }
            else
            {
                context.Output.Line($"{(verb == "approve" ? "approved" : "rejected")} {answer.Text("run_id")} of {answer.Text("model")} (challenger {answer.Member("sweep")?.Text("challenger")})");
            }

            return ExitCodes.Success;
        });
    }

    private sealed record Note(string? Reason);
}
