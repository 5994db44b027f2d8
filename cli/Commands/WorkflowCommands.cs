using System.CommandLine;
using System.Text.Json;
using Serverless.Cli.Api;
using Serverless.Cli.Output;

namespace Serverless.Cli.Commands;

/// <summary>
/// <c>score</c> (start batch scoring), <c>status ID</c> and <c>terminate ID</c>: the orchestration routes. A start
/// prints the instance id (or, with <c>--wait</c>, follows it to its end through <see cref="WorkflowWatcher"/>).
/// Stateless; thread-safe.
/// </summary>
public static class WorkflowCommands
{
    public static Command CreateScore(CliRun run)
    {
        var input = new Option<string>("--input") { Description = "the CSV or JSON Lines blob to score, as container/path", Required = true, HelpName = "container/path" };
        var output = new Option<string>("--output") { Description = "where the parts, errors, manifest and merged file go, as container/prefix", Required = true, HelpName = "container/prefix" };
        var model = new Option<string>("--model") { Description = "the model (it needs a manifest)", Required = true };
        var version = new Option<string?>("--version") { Description = "the version (default: the production alias, else the latest)" };
        var alias = new Option<string?>("--alias") { Description = "or an alias, resolved once at the start" };
        var idColumn = new Option<string?>("--id-column") { Description = "a column carried to every output row (default: the row number)" };
        var chunkRows = new Option<int?>("--chunk-rows") { Description = "target rows per chunk, 100 to 1,000,000 (default 10,000)" };
        var parallelism = new Option<int?>("--max-parallelism") { Description = "chunks scored at once, 1 to 64 (default 4)" };
        var badRows = new Option<long?>("--max-bad-rows") { Description = "malformed rows beyond this fail the job (default 1,000)" };
        var merge = new Option<bool>("--merge") { Description = "also write one predictions.csv" };
        var inputFormat = new Option<string?>("--input-format") { Description = "csv or jsonl (default: from the input's extension)" };
        var wait = WaitOption("follow the job to its end, showing progress; the exit code says whether it succeeded");
        var command = new Command("score", "Batch-score a file in a data container with a model (a Durable orchestration).")
        {
            input, output, model, version, alias, idColumn, chunkRows, parallelism, badRows, merge, inputFormat, wait,
        };
        return run.Bind(command, async (context, token) =>
        {
            if (context.Value(version) is not null && context.Value(alias) is not null)
            {
                throw CliException.ForUsage("Give --version or --alias, not both.");
            }

            var body = new StartBatchScoring(context.Value(input), context.Value(model), context.Value(version), context.Value(alias), context.Value(output),
                context.Value(inputFormat), context.Value(idColumn), context.Value(chunkRows), context.Value(parallelism), context.Value(badRows),
                context.Value(merge) ? true : null);
            var started = await context.Api.PostJsonAsync("orchestrations/batch-scoring", body, token).ConfigureAwait(false);
            return await StartedAsync(context, started.Root, context.Value(wait), token).ConfigureAwait(false);
        });
    }

    public static Command CreateStatus(CliRun run)
    {
        var id = new Argument<string>("id") { Description = "the instance id (a sweep's id is its instance id)" };
        var wait = WaitOption("wait for it to end, showing progress");
        var command = new Command("status", "An orchestration's status: progress while it runs, the result once completed, why it failed.") { id, wait };
        return run.Bind(command, async (context, token) =>
        {
            var instance = context.Value(id);
            if (context.Value(wait))
            {
                return await WorkflowWatcher.WaitAsync(context, instance, token).ConfigureAwait(false);
            }

            var status = (await context.Api.GetAsync(ApiClient.Path("orchestrations", instance), token).ConfigureAwait(false)).Root;
            return WorkflowWatcher.ShowOutcome(context, status);
        });
    }

    public static Command CreateTerminate(CliRun run)
    {
        var id = new Argument<string>("id") { Description = "the instance id" };
        var command = new Command("terminate", "Stop a running orchestration (409 when it already ended).") { id };
        return run.Bind(command, async (context, token) =>
        {
            var instance = context.Value(id);
            var answer = await context.Api.SendAsync(HttpMethod.Post, ApiClient.Path("orchestrations", instance, "terminate"), null, token).ConfigureAwait(false);
            if (context.Output.IsJson)
            {
                context.Output.Json(answer.Root);
            }
            else
            {
                context.Output.Line($"terminating {instance}");
            }

            return ExitCodes.Success;
        });
    }

    internal static Option<bool> WaitOption(string description) => new("--wait") { Description = description };

    /// <summary>After a 202: the instance id alone on stdout (or its JSON), or with <paramref name="wait"/> the watch to its end.</summary>
    internal static async Task<int> StartedAsync(CliContext context, JsonElement accepted, bool wait, CancellationToken cancellationToken)
    {
        var id = accepted.Text("id");
        if (wait)
        {
            context.Output.Note($"started {id}");
            return await WorkflowWatcher.WaitAsync(context, id, cancellationToken).ConfigureAwait(false);
        }

        if (context.Output.IsJson)
        {
            context.Output.Json(accepted);
        }
        else
        {
            // The id alone on stdout, so a script can take it: id=$(sls score ...).
            context.Output.Line(id);
            context.Output.Note($"started {id}; follow it with '{CliApp.Name} status {id} --wait'");
        }

        return ExitCodes.Success;
    }

    private sealed record StartBatchScoring(string Input, string Model, string? Version, string? Alias, string Output, string? Format, string? IdColumn,
        int? ChunkRows, int? MaxParallelism, long? MaxBadRows, bool? Merge);
}
