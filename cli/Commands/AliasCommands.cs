using System.CommandLine;
using System.Net;
using System.Text.Json;
using Serverless.Cli.Api;
using Serverless.Cli.Output;

namespace Serverless.Cli.Commands;

/// <summary>
/// Alias moves: <c>models promote N V</c> (reads the alias's ETag and sends it as If-Match, so the move lands only on
/// the state it was decided on), <c>models split N V=W…</c> (a traffic split, conditionally alike), <c>models alias N</c>
/// (where the alias sends traffic), <c>models rollback N</c> (the registry's rollback route: back to the state before
/// the last move) and <c>models history N</c> (every move: when, from, to, by whom, why). Stateless; thread-safe.
/// </summary>
public static class AliasCommands
{
    public const string DefaultAlias = "production";

    /// <summary>Points <paramref name="alias"/> at <paramref name="version"/>, conditionally on the ETag read just before (none when the alias is new).</summary>
    public static Task<Move> PromoteAsync(CliContext context, string model, string alias, string version, string? reason, CancellationToken cancellationToken) =>
        SetAsync(context, model, alias, new SetAlias(version, reason), cancellationToken);

    public static string Describe(Move move) => move.From is null
        ? $"{move.Alias} of {move.Model} -> {Target(move.After)} (new alias)"
        : $"{move.Alias} of {move.Model}: {move.From} -> {Target(move.After, versionWord: !move.From.StartsWith("version ", StringComparison.Ordinal))}";

    /// <summary>Where an alias (as the API answers it) sends traffic: <c>version 3</c>, or <c>split 3:90 4:10</c>.</summary>
    public static string Target(JsonElement alias, bool versionWord = true) =>
        alias.Member("traffic") is { ValueKind: JsonValueKind.Object } traffic
            ? "split " + string.Join(' ', traffic.EnumerateObject().Select(s => $"{s.Name}:{JsonFields.Format(s.Value)}"))
            : (versionWord ? "version " : "") + alias.Text("version");

    /// <summary>
    /// The weights of <c>models split</c>, each <c>VERSION=PERCENT</c>: whole percent from 0 to 100, distinct versions. The
    /// API checks the rest (the sum, the count, that the versions exist) and answers a 400 naming what is wrong.
    /// </summary>
    public static Dictionary<string, int> ParseWeights(IEnumerable<string> tokens)
    {
        var weights = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var token in tokens)
        {
            var equals = token.LastIndexOf('=');
            if (equals <= 0 || !int.TryParse(token.AsSpan(equals + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var weight)
                || weight > 100)
            {
                throw CliException.ForUsage($"'{token}' is not VERSION=PERCENT (a whole percent from 0 to 100), e.g. 3=90 4=10.");
            }

            if (!weights.TryAdd(token[..equals], weight))
            {
                throw CliException.ForUsage($"Version '{token[..equals]}' is given twice.");
            }
        }

        return weights;
    }

    internal static Command Split(CliRun run)
    {
        var (name, alias, reason) = Common();
        var weights = new Argument<string[]>("weights") { Description = "VERSION=PERCENT for each version, summing to 100, e.g. 3=90 4=10", Arity = ArgumentArity.OneOrMore };
        var routingKey = new Option<string?>("--routing-key") { Description = "the request header whose value keeps a caller on one version (default x-routing-key)" };
        var command = new Command("split", "Split an alias's traffic over versions by weight (a canary or an A/B test), conditionally on the alias's current ETag.")
        {
            name, weights, alias, routingKey, reason,
        };
        return run.Bind(command, async (context, token) =>
        {
            var body = new SetAlias(null, context.Value(reason), ParseWeights(context.Value(weights)), context.Value(routingKey));
            var move = await SetAsync(context, context.Value(name), context.Value(alias), body, token).ConfigureAwait(false);
            Show(context, move);
            return ExitCodes.Success;
        });
    }

    internal static Command Show(CliRun run)
    {
        var name = new Argument<string>("name") { Description = "the model" };
        var alias = AliasOption();
        var command = new Command("alias", "Where an alias sends traffic: its version or split, routing key, mirror, rollout and ETag.") { name, alias };
        return run.Bind(command, async (context, token) =>
        {
            var answer = (await context.Api.GetAsync(ApiClient.Path("models", context.Value(name), "aliases", context.Value(alias)), token).ConfigureAwait(false)).Root;
            if (context.Output.IsJson)
            {
                context.Output.Json(answer);
                return ExitCodes.Success;
            }

            context.Output.Line($"{answer.Text("alias")} of {answer.Text("name")} -> {Target(answer)}");
            if (answer.Text("routing_key") is { Length: > 0 } key)
            {
                context.Output.Line($"routing key: {key}");
            }

            if (answer.Member("mirror") is { ValueKind: JsonValueKind.Object } mirror)
            {
                context.Output.Line($"mirror: {JsonFields.Format(mirror.GetProperty("percent"))} % copied to version {mirror.Text("version")}");
            }

            RolloutCommands.Describe(context.Output, answer);
            context.Output.Line($"updated {answer.Time("updated_utc")}, etag {answer.Text("etag")}");
            return ExitCodes.Success;
        });
    }

    private static async Task<Move> SetAsync(CliContext context, string model, string alias, SetAlias body, CancellationToken cancellationToken)
    {
        var path = ApiClient.Path("models", model, "aliases", alias);
        var current = await context.Api.SendAsync(HttpMethod.Get, path, null, cancellationToken, accept: HttpStatusCode.NotFound).ConfigureAwait(false);
        JsonElement? before = current.Status == HttpStatusCode.NotFound ? null : current.Root;
        var moved = await context.Api.SendAsync(HttpMethod.Put, path, ApiClient.Json(body), cancellationToken, ifMatch: before is { } b ? ETag(b, current) : null)
            .ConfigureAwait(false);
        return new Move(model, alias, before is { } was ? Target(was) : null, moved.Root);
    }

    internal static Command Promote(CliRun run)
    {
        var (name, alias, reason) = Common();
        var version = new Argument<string>("version") { Description = "the version to point at" };
        var command = new Command("promote", "Point an alias at a version, conditionally on the alias's current ETag (412 if it moved meanwhile).")
        {
            name, version, alias, reason,
        };
        return run.Bind(command, async (context, token) =>
        {
            var move = await PromoteAsync(context, context.Value(name), context.Value(alias), context.Value(version), context.Value(reason), token).ConfigureAwait(false);
            Show(context, move);
            return ExitCodes.Success;
        });
    }

    internal static Command Rollback(CliRun run)
    {
        var (name, alias, reason) = Common();
        var command = new Command("rollback", "Point an alias back at the version it pointed to before its last move (again: further back).")
        {
            name, alias, reason,
        };
        return run.Bind(command, async (context, token) =>
        {
            var (model, aliasName) = (context.Value(name), context.Value(alias));
            var path = ApiClient.Path("models", model, "aliases", aliasName);
            var current = await context.Api.GetAsync(path, token).ConfigureAwait(false);
            var body = ApiClient.Json(new RollbackRequest(context.Value(reason)));
            var moved = await context.Api.SendAsync(HttpMethod.Post, path + "/rollback", body, token, ifMatch: ETag(current.Root, current)).ConfigureAwait(false);
            Show(context, new Move(model, aliasName, Target(current.Root), moved.Root));
            return ExitCodes.Success;
        });
    }

    internal static Command History(CliRun run)
    {
        var name = new Argument<string>("name") { Description = "the model" };
        var alias = AliasOption();
        var limit = new Option<int>("--limit") { Description = "the most moves to show, newest first (1 to 1,000)", DefaultValueFactory = _ => 100 };
        var command = new Command("history", "Every move of an alias, newest first: when, from, to, by whom, why.") { name, alias, limit };
        return run.Bind(command, async (context, token) =>
        {
            var count = context.Value(limit);
            if (count is < 1 or > 1000)
            {
                throw CliException.ForUsage($"--limit must be a whole number from 1 to 1,000, not {count}.");
            }

            var path = ApiClient.Path("models", context.Value(name), "aliases", context.Value(alias), "history") + $"?limit={count}";
            var history = (await context.Api.GetAsync(path, token).ConfigureAwait(false)).Root;
            if (context.Output.IsJson)
            {
                context.Output.Json(history);
                return ExitCodes.Success;
            }

            context.Output.Table(["at (UTC)", "kind", "from", "to", "by", "reason"], history.Items("moves").Select(m => (IReadOnlyList<string>)
            [
                m.Time("at_utc"), m.Text("kind"), Side(m, "from"), Side(m, "to"), m.Text("by"), m.Text("reason"),
            ]), title: $"{history.Text("alias")} of {history.Text("name")}");
            if (history.Member("more") is { ValueKind: JsonValueKind.True })
            {
                context.Output.Line($"(older moves not shown; --limit up to 1000)");
            }

            return ExitCodes.Success;
        });
    }

    private static void Show(CliContext context, Move move)
    {
        if (context.Output.IsJson)
        {
            context.Output.Json(move.After);
            return;
        }

        context.Output.Line(Describe(move));
    }

    private static (Argument<string> Name, Option<string> Alias, Option<string?> Reason) Common() =>
        (new Argument<string>("name") { Description = "the model" }, AliasOption(),
            new Option<string?>("--reason") { Description = "why, recorded with the move (at most 500 characters)" });

    private static Option<string> AliasOption() => new("--alias") { Description = "the alias", DefaultValueFactory = _ => DefaultAlias };

    /// <summary>One side of a move: its split (<c>3:90 4:10</c>), else its version, else a dash.</summary>
    private static string Side(JsonElement move, string side) =>
        move.Member(side + "_traffic") is { ValueKind: JsonValueKind.Object } traffic
            ? string.Join(' ', traffic.EnumerateObject().Select(s => $"{s.Name}:{JsonFields.Format(s.Value)}"))
            : move.Text(side + "_version") is { Length: > 0 } version ? version : "-";

    /// <summary>The alias's ETag: the body's <c>etag</c> (the same as the header), else the header.</summary>
    private static string? ETag(JsonElement alias, ApiResponse response) => alias.Text("etag") is { Length: > 0 } etag ? etag : response.ETag;

    /// <summary>An alias move as the CLI reports it: where it sent traffic before (<see cref="Target"/>), and the alias as the API now answers it.</summary>
    public sealed record Move(string Model, string Alias, string? From, JsonElement After);

    private sealed record SetAlias(string? Version, string? Reason, IReadOnlyDictionary<string, int>? Traffic = null, string? RoutingKey = null);

    private sealed record RollbackRequest(string? Reason);
}
