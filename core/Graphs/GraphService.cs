using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;
using Serverless.Core.Errors;
using Serverless.Core.Models;
using Serverless.Core.Monitoring.Logging;
using Serverless.Core.Protocol;
using Serverless.Core.Registry;
using Serverless.Core.Serving;

namespace Serverless.Core.Graphs;

/// <summary>
/// Inference graphs end to end: registration (parse, resolve the members, compile, store with pins) and serving over OIP infer
/// (the spec read once per version, members resolved per request through <see cref="ModelResolver"/>'s cache, the plan compiled once
/// per combination of member versions, then <see cref="GraphExecutor"/>). A member alias that moves to a version whose signature no
/// longer fits makes the graph answer 409 naming the node until the alias or the graph is fixed. Thread-safe; one instance per process.
/// </summary>
public sealed class GraphService(IModelRegistry registry, ModelResolver resolver, GraphExecutor executor, InferenceLogger logger, GraphManifests manifests)
{
    /// <summary>Plans kept per process; past it the cache starts over (member versions move rarely).</summary>
    private const int MaxPlans = 256;

    private readonly ConcurrentDictionary<string, Task<StoredGraph>> _specs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, GraphPlan> _plans = new(StringComparer.Ordinal);

    /// <summary>Registers a graph version from its JSON spec: BadRequest naming the node for any mismatch, Conflict as for models.</summary>
    public async Task<(RegistrationResult Result, GraphPlan Plan)> RegisterAsync(string name, string version, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        ModelIdentifiers.ValidateName(name);
        ModelIdentifiers.ValidateVersion(version);
        var spec = GraphSpec.Parse(body.Span);
        if ((await registry.ListVersionsAsync(name, cancellationToken).ConfigureAwait(false)).Any(v => !v.IsGraph))
        {
            throw ServingException.Conflict($"'{name}' is a model: a name is a model or a graph, never both. Register the graph under another name.");
        }

        var members = GraphCompiler.CollectMembers(spec);
        var versions = new Dictionary<GraphMemberRef, ModelVersion>();
        foreach (var member in members)
        {
            if (member.Model == name)
            {
                throw ServingException.BadRequest($"Graph '{name}' names itself as a member ({member}): a graph's members are models.");
            }

            versions[member] = await ResolveForRegistrationAsync(member, cancellationToken).ConfigureAwait(false);
        }

        var plan = GraphCompiler.Compile(spec, versions, manifests.Steps);
        var pinned = members.Where(m => m.IsPinned).Select(m => versions[m]).ToList();
        var result = await registry.RegisterGraphAsync(name, version, spec.ToCanonicalJson(), plan.InputSpecs, plan.OutputSpecs, pinned, spec.Description, cancellationToken)
            .ConfigureAwait(false);
        return (result, plan);
    }

    /// <summary>The stored spec of a graph version (integrity-checked, read once per process).</summary>
    public async Task<GraphSpec> GetSpecAsync(ModelVersion graph, CancellationToken cancellationToken) =>
        (await GetStoredAsync(graph, cancellationToken).ConfigureAwait(false)).Spec;

    private Task<StoredGraph> GetStoredAsync(ModelVersion graph, CancellationToken cancellationToken) =>
        _specs.GetOrAdd(graph.CacheKey, _ => LoadSpecAsync(graph)).WaitAsync(cancellationToken);

    /// <summary>The plan a request to <paramref name="graph"/> runs now: its members resolved as they stand (aliases followed).</summary>
    public ValueTask<GraphPlan> GetPlanAsync(ModelVersion graph, CancellationToken cancellationToken) => GetPlanAsync(graph, null, cancellationToken);

    /// <summary>
    /// As above, with the members <paramref name="pinned"/> names (member reference, as <see cref="PinMembersAsync"/> answers, to version)
    /// at those versions rather than as they resolve now: batch scoring scores every chunk with the members resolved when it started.
    /// A pinned version deleted since is a Conflict naming the member.
    /// </summary>
    public async ValueTask<GraphPlan> GetPlanAsync(ModelVersion graph, IReadOnlyDictionary<string, string>? pinned, CancellationToken cancellationToken)
    {
        var (spec, members) = await GetStoredAsync(graph, cancellationToken).ConfigureAwait(false);
        var versions = new Dictionary<GraphMemberRef, ModelVersion>(members.Count);
        var key = graph.CacheKey + "#" + graph.ManifestSha256;
        foreach (var member in members)
        {
            var resolved = await ResolveForServingAsync(graph, pinned?.TryGetValue(member.ToString(), out var version) == true ? member with { Version = version, Alias = null } : member,
                cancellationToken).ConfigureAwait(false);
            versions[member] = resolved;
            key += "|" + resolved.CacheKey + "#" + resolved.ManifestSha256;
        }

        if (_plans.TryGetValue(key, out var plan))
        {
            return plan;
        }

        try
        {
            plan = GraphCompiler.Compile(spec, versions, manifests.Steps);
        }
        catch (ServingException e) when (e.Kind == ServingErrorKind.BadRequest)
        {
            throw ServingException.Conflict($"Graph '{graph.Name}' version '{graph.Version}' no longer fits its members as they resolve now: {e.Message}");
        }

        if (_plans.Count >= MaxPlans)
        {
            _plans.Clear();
        }

        return _plans[key] = plan;
    }

    /// <summary>Each member reference of <paramref name="graph"/> (as the spec writes it) with the version it resolves to now.</summary>
    public async Task<IReadOnlyDictionary<string, string>> PinMembersAsync(ModelVersion graph, CancellationToken cancellationToken)
    {
        var plan = await GetPlanAsync(graph, cancellationToken).ConfigureAwait(false);
        var pins = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var member in plan.Members)
        {
            pins[member.Reference.ToString()] = member.Version.Version;
        }

        return pins;
    }

    /// <summary>
    /// Runs one OIP infer request on a graph version and writes the answer (its <c>parameters.graph</c> names the member versions that
    /// served, with their milliseconds when <paramref name="timings"/>); returns the JSON header length when binary outputs follow, else -1.
    /// With <paramref name="log"/>, the graph's rows are logged under its name and each member's under the member's, with one request id.
    /// </summary>
    public async ValueTask<int> InferAsync(ModelVersion graph, ReadOnlyMemory<byte> body, long headerLength, IBufferWriter<byte> output, InferenceLogCapture? log,
        bool timings, CancellationToken cancellationToken)
    {
        log?.SetVersion(graph);
        var plan = await GetPlanAsync(graph, cancellationToken).ConfigureAwait(false);
        var memberLog = log is { Enabled: true } ? await GraphMemberLog.CreateAsync(logger, manifests, graph, plan, cancellationToken).ConfigureAwait(false) : null;
        return await InferAsync(executor, plan, graph, body, headerLength, output, log, memberLog, timings, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The serving step of <see cref="InferAsync(ModelVersion, ReadOnlyMemory{byte}, long, IBufferWriter{byte}, InferenceLogCapture?, bool, CancellationToken)"/>
    /// on a plan already compiled: parse against the graph's signature, run, write. <paramref name="memberLog"/>: log each member's rows
    /// (when <paramref name="log"/>, once it has settled the request id, is recording).
    /// </summary>
    public static async ValueTask<int> InferAsync(GraphExecutor executor, GraphPlan plan, ModelVersion graph, ReadOnlyMemory<byte> body, long headerLength,
        IBufferWriter<byte> output, InferenceLogCapture? log, GraphMemberLog? memberLog, bool timings, CancellationToken cancellationToken)
    {
        using var request = InferRequestParser.Parse(body.Span, headerLength, plan);
        var id = log is null ? request.Id ?? Guid.NewGuid().ToString("N") : log.ResolveRequestId(request.Id);
        var sink = memberLog?.Begin(log, id);
        using var run = await executor.RunAsync(plan, plan.OrderInputs(request), sink, cancellationToken).ConfigureAwait(false);
        var names = (IReadOnlyList<string>?)request.RequestedOutputs ?? plan.OutputNames;
        var all = run.Outputs;
        var values = names.Select(n => all[IndexOf(plan.OutputNames, n)]).ToArray();
        var answerHeaderLength = InferResponseWriter.Write(output, graph.Name, graph.Version, id, names, values, request, w => WriteSteps(w, run, timings));
        log?.RecordTensors(graph, request, names, values);
        sink?.Complete();
        return answerHeaderLength;
    }

    /// <summary>Loads every member's session the graph resolves to now (readiness and warm-up).</summary>
    public async Task WarmAsync(ModelVersion graph, ModelSessionCache sessions, CancellationToken cancellationToken)
    {
        var plan = await GetPlanAsync(graph, cancellationToken).ConfigureAwait(false);
        foreach (var member in plan.Members.DistinctBy(m => m.Version.CacheKey))
        {
            using var lease = await sessions.AcquireAsync(member.Version, cancellationToken).ConfigureAwait(false);
        }
    }

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (names[i] == name)
            {
                return i;
            }
        }

        throw ServingException.BadRequest($"Unknown output '{name}'.");
    }

    /// <summary>Writes <c>"graph": {"steps": [{node, model, version[, ms]}]}</c>: the members that served, in spec order.</summary>
    internal static void WriteSteps(Utf8JsonWriter writer, GraphRun run, bool timings)
    {
        writer.WriteStartObject("graph");
        writer.WriteStartArray("steps");
        foreach (var step in run.Steps)
        {
            if (step is null)
            {
                continue;
            }

            writer.WriteStartObject();
            writer.WriteString("node", step.Node);
            writer.WriteString("model", step.Model);
            writer.WriteString("version", step.Version);
            if (timings)
            {
                writer.WriteNumber("ms", Math.Round(step.Milliseconds, 3));
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private async Task<StoredGraph> LoadSpecAsync(ModelVersion graph)
    {
        try
        {
            var spec = GraphSpec.Parse(await registry.DownloadAsync(graph, CancellationToken.None).ConfigureAwait(false));
            return new StoredGraph(spec, GraphCompiler.CollectMembers(spec));
        }
        catch
        {
            _specs.TryRemove(graph.CacheKey, out _);
            throw;
        }
    }

    private async Task<ModelVersion> ResolveForRegistrationAsync(GraphMemberRef member, CancellationToken cancellationToken)
    {
        ModelVersion resolved;
        try
        {
            resolved = member.Version is { } version
                ? await registry.GetVersionAsync(member.Model, version, cancellationToken).ConfigureAwait(false)
                  ?? throw ServingException.BadRequest($"Graph member {member} is not registered.")
                : member.Alias is { } alias
                    ? await resolver.ResolveAliasAsync(member.Model, alias, cancellationToken).ConfigureAwait(false)
                    : await resolver.ResolveAsync(member.Model, null, cancellationToken).ConfigureAwait(false);
        }
        catch (ServingException e) when (e.Kind == ServingErrorKind.NotFound)
        {
            throw ServingException.BadRequest($"Graph member {member} cannot be resolved: {e.Message}");
        }

        return resolved.IsGraph ? throw ServingException.BadRequest($"Graph member {member} is an inference graph: a graph's members are models.") : resolved;
    }

    private async ValueTask<ModelVersion> ResolveForServingAsync(ModelVersion graph, GraphMemberRef member, CancellationToken cancellationToken)
    {
        try
        {
            var resolved = member.Alias is { } alias
                ? await resolver.ResolveAliasAsync(member.Model, alias, cancellationToken).ConfigureAwait(false)
                : await resolver.ResolveAsync(member.Model, member.Version, cancellationToken).ConfigureAwait(false);
            return resolved.IsGraph
                ? throw ServingException.Conflict($"Graph '{graph.Name}' version '{graph.Version}' member {member} is now an inference graph; members are models.")
                : resolved;
        }
        catch (ServingException e) when (e.Kind == ServingErrorKind.NotFound)
        {
            throw ServingException.Conflict($"Graph '{graph.Name}' version '{graph.Version}' cannot resolve its member {member}: {e.Message}");
        }
    }

    /// <summary>A stored spec with its members, read once per graph version.</summary>
    private sealed record StoredGraph(GraphSpec Spec, IReadOnlyList<GraphMemberRef> Members);
}
