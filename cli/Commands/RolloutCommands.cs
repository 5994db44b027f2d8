using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Serverless.Cli.Api;
using Serverless.Cli.Output;

namespace Serverless.Cli.Commands;

/// <summary>
/// Guarded rollouts from the command line: <c>models rollout N V --steps 5,25,50,100 [guards]</c> starts one on the alias's
/// ETag (the API's <c>PUT …/rollout</c>), <c>models rollout N --abort</c> returns the alias to its champion, and
/// <c>models alias N</c> shows a rollout's step and guard readings. Stateless; thread-safe.
/// </summary>
public static class RolloutCommands
{
    internal static Command Rollout(CliRun run)
    {
        var name = new Argument<string>("name") { Description = "the model" };
        var version = new Argument<string?>("version") { Description = "the version to roll out (not with --abort)", Arity = ArgumentArity.ZeroOrOne };
        var alias = new Option<string>("--alias") { Description = "the alias", DefaultValueFactory = _ => AliasCommands.DefaultAlias };
        var steps = new Option<string>("--steps") { Description = "the new version's weight at each step, ending at 100", DefaultValueFactory = _ => "5,25,50,100" };
        var minutes = new Option<int?>("--min-step-minutes") { Description = "the least time a step lasts (default 10)" };
        var requests = new Option<int?>("--min-step-requests") { Description = "the least requests the new version serves in a step (default 100)" };
        var errorRate = new Option<double?>("--max-error-rate") { Description = "guard: the highest error rate of the new version (0 to 1)" };
        var p95 = new Option<double?>("--max-p95-ms") { Description = "guard: the highest p95 latency of the new version, in ms" };
        var drop = new Option<double?>("--max-metric-drop") { Description = "guard: the largest drop of the live metric against the champion" };
        var abort = new Option<bool>("--abort") { Description = "abort the running rollout: the alias returns to its champion" };
        var reason = new Option<string?>("--reason") { Description = "why, recorded with every move (at most 500 characters)" };
        var command = new Command("rollout", "Roll a version out step by step behind guards (error rate, p95, live metric), or abort a running rollout.")
        {
            name, version, alias, steps, minutes, requests, errorRate, p95, drop, abort, reason,
        };
        return run.Bind(command, async (context, token) =>
        {
            var path = ApiClient.Path("models", context.Value(name), "aliases", context.Value(alias), "rollout");
            var current = await context.Api.GetAsync(ApiClient.Path("models", context.Value(name), "aliases", context.Value(alias)), token).ConfigureAwait(false);
            var etag = current.Root.Text("etag") is { Length: > 0 } e ? e : current.ETag;
            ApiResponse answer;
            if (context.Value(abort))
            {
                if (context.Value(version) is not null)
                {
                    throw CliException.ForUsage("--abort takes no version.");
                }

                answer = await context.Api.SendAsync(HttpMethod.Delete, path, ApiClient.Json(new AbortBody(context.Value(reason))), token, ifMatch: etag).ConfigureAwait(false);
            }
            else
            {
                var target = context.Value(version) ?? throw CliException.ForUsage("Name the version to roll out (or --abort).");
                var guards = new GuardsBody(context.Value(errorRate), context.Value(p95), context.Value(drop));
                var body = new StartBody(target, ParseSteps(context.Value(steps)), context.Value(minutes), context.Value(requests), guards, context.Value(reason));
                answer = await context.Api.SendAsync(HttpMethod.Put, path, ApiClient.Json(body), token, ifMatch: etag).ConfigureAwait(false);
            }

            if (context.Output.IsJson)
            {
                context.Output.Json(answer.Root);
                return ExitCodes.Success;
            }

            context.Output.Line($"{answer.Root.Text("alias")} of {answer.Root.Text("name")} -> {AliasCommands.Target(answer.Root)}");
            Describe(context.Output, answer.Root);
            return ExitCodes.Success;
        });
    }

    /// <summary>The steps of <c>--steps</c>: comma-separated whole percent; the API checks they rise to 100.</summary>
    public static int[] ParseSteps(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var steps = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out steps[i]) || steps[i] is < 1 or > 100)
            {
                throw CliException.ForUsage($"--steps must be whole percent from 1 to 100 separated by commas, e.g. 5,25,50,100 (was '{text}').");
            }
        }

        return steps.Length > 0 ? steps : throw CliException.ForUsage("--steps needs at least one step, e.g. 5,25,50,100.");
    }

    /// <summary>The alias's rollout, if it has one: its state and step, and the guards' latest readings.</summary>
    public static void Describe(CliOutput output, JsonElement alias)
    {
        if (alias.Member("rollout") is not { ValueKind: JsonValueKind.Object } rollout)
        {
            return;
        }

        var steps = rollout.Items("steps").Select(s => JsonFields.Format(s)).ToList();
        var index = (int)(rollout.Number("step_index") ?? 0);
        output.Line($"rollout of version {rollout.Text("version")} from {rollout.Text("champion")}: {rollout.Text("state")}, step {index + 1} of {steps.Count} " +
            $"({JsonFields.Format(rollout.GetProperty("weight"))} %; steps {string.Join(" → ", steps)})");
        if (rollout.Text("end_reason") is { Length: > 0 } ended)
        {
            output.Line($"ended: {ended}");
        }

        if (rollout.Member("readings") is { ValueKind: JsonValueKind.Object } readings)
        {
            output.Line($"readings at {readings.Time("read_utc")}: {JsonFields.Format(readings.GetProperty("requests"))} requests, error rate {Reading(readings, "error_rate")}, " +
                $"p95 {Reading(readings, "latency_p95_ms")} ms, metric {Reading(readings, "metric_value")} vs champion {Reading(readings, "champion_metric_value")}" +
                (readings.Text("note") is { Length: > 0 } note ? $" ({note})" : ""));
        }
    }

    private static string Reading(JsonElement readings, string name) => readings.Number(name) is { } value ? value.ToString("0.####", CultureInfo.InvariantCulture) : "-";

    private sealed record GuardsBody(double? MaxErrorRate, double? MaxP95Ms, double? MaxMetricDrop);

    private sealed record StartBody(string Version, int[] Steps, int? MinStepMinutes, int? MinStepRequests, GuardsBody Guards, string? Reason);

    private sealed record AbortBody(string? Reason);
}
