using System.CommandLine;
using System.Net;
using System.Net.Http.Headers;
using Serverless.Cli.Api;
using Serverless.Cli.Output;

namespace Serverless.Cli.Commands;

/// <summary>
/// <c>models push|list|show|delete</c> over the registry routes, and the alias moves of <see cref="AliasCommands"/>
/// (<c>promote</c>, <c>rollback</c>, <c>history</c>). Stateless; thread-safe.
/// </summary>
public static class ModelsCommands
{
    public static Command Create(CliRun run)
    {
        var models = new Command("models", "Register, list, show and delete model versions; promote, roll back and audit aliases.");
        models.Subcommands.Add(Push(run));
        models.Subcommands.Add(List(run));
        models.Subcommands.Add(Show(run));
        models.Subcommands.Add(Delete(run));
        models.Subcommands.Add(AliasCommands.Promote(run));
        models.Subcommands.Add(AliasCommands.Split(run));
        models.Subcommands.Add(AliasCommands.Show(run));
        models.Subcommands.Add(RolloutCommands.Rollout(run));
        models.Subcommands.Add(AliasCommands.Rollback(run));
        models.Subcommands.Add(AliasCommands.History(run));
        return models;
    }

    private static Command Push(CliRun run)
    {
        var file = new Argument<string>("file") { Description = "the .onnx file" };
        var name = new Option<string>("--name") { Description = "the model's name", Required = true };
        var version = new Option<string>("--version") { Description = "the version to register (immutable: the same bytes again is fine, others a 409)", Required = true };
        var description = new Option<string?>("--description") { Description = "a description stored with the version" };
        var manifest = new Option<string?>("--manifest") { Description = "a tabular manifest (JSON) to register with it", HelpName = "manifest.json" };
        var baseline = new Option<string?>("--baseline") { Description = "reference rows (CSV) for monitoring, typed by the manifest", HelpName = "reference.csv" };
        var promote = new Option<string?>("--promote") { Description = "then point this alias at the version (conditional on its ETag)", HelpName = "alias" };
        var reason = new Option<string?>("--reason") { Description = "why, recorded with the alias move (with --promote)" };
        var command = new Command("push", "Register a model version, with its manifest and baseline, and optionally promote it.")
        {
            file, name, version, description, manifest, baseline, promote, reason,
        };
        return run.Bind(command, async (context, token) =>
        {
            var (model, v) = (context.Value(name), context.Value(version));
            var path = ApiClient.Path("models", model, "versions", v);
            var query = context.Value(description) is { } text ? "?description=" + Uri.EscapeDataString(text) : "";
            var registered = await context.Api.SendAsync(HttpMethod.Put, path + query, FileContent(context.Value(file), "application/octet-stream"), token)
                .ConfigureAwait(false);
            context.Output.Line(registered.Status == HttpStatusCode.Created
                ? $"registered {model} version {v} ({registered.Root.Text("size_bytes")} bytes, sha256 {registered.Root.Text("sha256")[..12]}…)"
                : $"{model} version {v} was already registered with these bytes");
            if (context.Value(manifest) is { } manifestFile)
            {
                var answer = await context.Api.SendAsync(HttpMethod.Put, path + "/manifest", FileContent(manifestFile, "application/json"), token).ConfigureAwait(false);
                context.Output.Line(answer.Status == HttpStatusCode.Created ? "manifest registered" : "the same manifest was registered before");
            }

            if (context.Value(baseline) is { } baselineFile)
            {
                var answer = await context.Api.SendAsync(HttpMethod.Put, path + "/baseline", FileContent(baselineFile, "text/csv"), token).ConfigureAwait(false);
                context.Output.Line($"baseline stored ({answer.Root.Text("rows")} rows)");
            }

            if (context.Value(promote) is { } alias)
            {
                var moved = await AliasCommands.PromoteAsync(context, model, alias, v, context.Value(reason), token).ConfigureAwait(false);
                context.Output.Line(AliasCommands.Describe(moved));
            }

            if (context.Output.IsJson)
            {
                context.Output.Json((await context.Api.GetAsync(path, token).ConfigureAwait(false)).Root);
            }

            return ExitCodes.Success;
        });
    }

    private static Command List(CliRun run)
    {
        var command = new Command("list", "Every model with its versions, aliases and latest version.");
        return run.Bind(command, async (context, token) =>
        {
            var answer = (await context.Api.GetAsync("models", token).ConfigureAwait(false)).Root;
            if (context.Output.IsJson)
            {
                context.Output.Json(answer);
                return ExitCodes.Success;
            }

            context.Output.Table(["name", "latest", "versions", "aliases"], answer.Items("models").Select(m => (IReadOnlyList<string>)
            [
                m.Text("name"), m.Text("latest_version"), m.Text("versions"),
                m.Member("aliases") is { } aliases ? string.Join(", ", aliases.EnumerateObject().Select(a => $"{a.Name}={JsonFields.Format(a.Value)}")) : "",
            ]));
            return ExitCodes.Success;
        });
    }

    private static Command Show(CliRun run)
    {
        var name = new Argument<string>("name") { Description = "the model" };
        var version = new Option<string?>("--version") { Description = "one version (signature, hashes, whether it is loaded); default every version" };
        var command = new Command("show", "A model's versions, or one version.") { name, version };
        return run.Bind(command, async (context, token) =>
        {
            var model = context.Value(name);
            if (context.Value(version) is { } v)
            {
                var found = (await context.Api.GetAsync(ApiClient.Path("models", model, "versions", v), token).ConfigureAwait(false)).Root;
                if (context.Output.IsJson)
                {
                    context.Output.Json(found);
                    return ExitCodes.Success;
                }

                context.Output.Fields(
                [
                    ("name", found.Text("name")), ("version", found.Text("version")), ("created", found.Time("created_utc")),
                    ("description", found.Text("description")), ("sha256", found.Text("sha256")), ("size bytes", found.Text("size_bytes")),
                    ("session bytes", found.Text("session_bytes")), ("manifest", found.Text("has_manifest")),
                    ("inputs", Signature(found, "inputs")), ("outputs", Signature(found, "outputs")),
                    ("loaded here", found.Member("serving") is { } serving ? serving.Text("loaded") : ""),
                ]);
                return ExitCodes.Success;
            }

            var versions = (await context.Api.GetAsync(ApiClient.Path("models", model, "versions"), token).ConfigureAwait(false)).Root;
            if (context.Output.IsJson)
            {
                context.Output.Json(versions);
                return ExitCodes.Success;
            }

            context.Output.Table(["version", "created (UTC)", "size bytes", "manifest", "inputs", "description"], versions.Items("versions").Select(v => (IReadOnlyList<string>)
            [
                v.Text("version"), v.Time("created_utc"), v.Text("size_bytes"), v.Text("has_manifest"), Signature(v, "inputs"), v.Text("description"),
            ]), title: model);
            return ExitCodes.Success;
        });
    }

    private static Command Delete(CliRun run)
    {
        var name = new Argument<string>("name") { Description = "the model" };
        var version = new Option<string>("--version") { Description = "the version to delete (refused while an alias points at it)", Required = true };
        var command = new Command("delete", "Delete a version, with its bytes and manifest.") { name, version };
        return run.Bind(command, async (context, token) =>
        {
            var (model, v) = (context.Value(name), context.Value(version));
            await context.Api.SendAsync(HttpMethod.Delete, ApiClient.Path("models", model, "versions", v), null, token).ConfigureAwait(false);
            context.Output.Line($"deleted {model} version {v}");
            return ExitCodes.Success;
        });
    }

    private static string Signature(System.Text.Json.JsonElement version, string field) =>
        string.Join(", ", version.Items(field).Select(t => $"{t.Text("name")} {t.Text("datatype")} [{t.Text("shape")}]"));

    /// <summary>A local file as a request body; a missing file is a data error before anything is sent.</summary>
    internal static HttpContent FileContent(string path, string contentType)
    {
        if (!File.Exists(path))
        {
            throw CliException.ForData($"No file '{path}'.");
        }

        var content = new StreamContent(File.OpenRead(path));
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return content;
    }
}
