using System.CommandLine;
using System.Net;
using System.Text.Json;
using Serverless.Cli.Api;
using Serverless.Cli.Output;

namespace Serverless.Cli.Commands;

/// <summary>
/// Alias moves: <c>models promote N V</c> (reads the alias's ETag and sends it as If-Match, so the move lands only on
/// the state it was decided on), <c>models rollback N</c> (the registry's rollback route: back to the version before
/// the last move) and <c>models history N</c> (every move: when, from, to, by whom, why). Stateless; thread-safe.
/// </summary>
public static class AliasCommands
{
    public const string DefaultAlias = "production";

    /// <summary>Points <paramref name="alias"/> at <paramref name="version"/>, conditionally on the ETag read just before (none when the alias is new).</summary>
    public static async Task<Move> PromoteAsync(CliContext context, string model, string alias, string version, string? reason, CancellationToken cancellationToken)
    {
        var path = ApiClient.Path("models", model, "aliases", alias);
        var current = await context.Api.SendAsync(HttpMethod.Get, path, null, cancellationToken, accept: HttpStatusCode.NotFound).ConfigureAwait(false);
        JsonElement? before = current.Status == HttpStatusCode.NotFound ? null : current.Root;
        var moved = await context.Api.SendAsync(HttpMethod.Put, path, ApiClient.Json(new SetAlias(version, reason)), cancellationToken, ifMatch: before is { } b ? ETag(b, current) : null)
            .ConfigureAwait(false);
        return new Move(model, alias, before?.Text("version"), moved.Root);
    }

    public static string Describe(Move move) => move.From is null
        ? $"{move.Alias} of {move.Model} -> version {move.After.Text("version")} (new alias)"
        : $"{move.Alias} of {move.Model}: version {move.From} -> {move.After.Text("version")}";

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
            Show(context, new Move(model, aliasName, current.Root.Text("version"), moved.Root));
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
                m.Time("at_utc"), m.Text("kind"), Dash(m.Text("from_version")), Dash(m.Text("to_version")), m.Text("by"), m.Text("reason"),
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

    private static string Dash(string text) => text.Length == 0 ? "-" : text;

    /// <summary>The alias's ETag: the body's <c>etag</c> (the same as the header), else the header.</summary>
    private static string? ETag(JsonElement alias, ApiResponse response) => alias.Text("etag") is { Length: > 0 } etag ? etag : response.ETag;

    /// <summary>An alias move as the CLI reports it: the version before, and the alias as the API now answers it.</summary>
    public sealed record Move(string Model, string Alias, string? From, JsonElement After);

    private sealed record SetAlias(string Version, string? Reason);

    private sealed record RollbackRequest(string? Reason);
}
