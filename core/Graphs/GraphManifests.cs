using System.Runtime.CompilerServices;
using Serverless.Core.Errors;
using Serverless.Core.Models;
using Serverless.Core.Registry;
using Serverless.Core.Tabular;
using Serverless.Core.Tabular.Steps;

namespace Serverless.Core.Graphs;

/// <summary>
/// The manifests a compiled graph is served with, read once per <see cref="GraphPlan"/> (a plan is compiled per graph version,
/// graph manifest and member versions with their manifests, so a manifest registered later gets a new plan): each member's
/// manifest bound to the member's signature (to log member rows under feature names, and to derive records), and the graph's
/// <see cref="GraphRecords"/> or why it has none. Kept beside the plan (weakly, so they go with it). A storage failure is not
/// kept: the next request reads again. Manifests are bound with the app's code steps (<see cref="Steps"/>), which the graph's
/// code nodes name too. Thread-safe; one instance per process.
/// </summary>
public sealed class GraphManifests(IModelRegistry registry, TabularStepCatalog? steps = null)
{
    private readonly ConditionalWeakTable<GraphPlan, Task<Bound>> _bound = new();

    /// <summary>The app's code steps (none when not given).</summary>
    public TabularStepCatalog Steps { get; } = steps ?? TabularStepCatalog.Empty;

    /// <summary>
    /// <paramref name="plan"/>'s records binding for <paramref name="graph"/> (the version it was compiled for): BadRequest saying why
    /// the graph cannot be served as records; Conflict when the graph's own manifest no longer fits its members as they resolve now.
    /// </summary>
    public async ValueTask<GraphRecords> GetRecordsAsync(ModelVersion graph, GraphPlan plan, CancellationToken cancellationToken)
    {
        var bound = await GetAsync(graph, plan, cancellationToken).ConfigureAwait(false);
        return bound.Records ?? throw new ServingException(bound.Refusal!.Kind, bound.Refusal.Message, code: bound.Refusal.Code);
    }

    /// <summary>Each member's bound manifest (in <see cref="GraphPlan.Members"/> order, null without one), or null when they cannot be read now.</summary>
    public async ValueTask<IReadOnlyList<TabularModel?>?> TryGetMembersAsync(ModelVersion graph, GraphPlan plan, CancellationToken cancellationToken)
    {
        try
        {
            return (await GetAsync(graph, plan, cancellationToken).ConfigureAwait(false)).Members;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return null;
        }
    }

    private Task<Bound> GetAsync(ModelVersion graph, GraphPlan plan, CancellationToken cancellationToken) =>
        _bound.GetValue(plan, p => BindAsync(graph, p)).WaitAsync(cancellationToken);

    private async Task<Bound> BindAsync(ModelVersion graph, GraphPlan plan)
    {
        try
        {
            var members = new TabularModel?[plan.Members.Count];
            for (var i = 0; i < members.Length; i++)
            {
                var version = plan.Members[i].Version;
                if (version.ManifestSha256 is not null && await registry.GetManifestAsync(version, CancellationToken.None).ConfigureAwait(false) is { } manifest)
                {
                    members[i] = TabularModel.Bind(manifest, version, Steps);
                }
            }

            try
            {
                var own = graph.ManifestSha256 is null ? null : await registry.GetManifestAsync(graph, CancellationToken.None).ConfigureAwait(false);
                var records = own is null ? GraphRecordsBinder.Derive(plan, graph, members, Steps) : GraphRecords.FromGraphManifest(plan, own, graph, Steps);
                return new Bound(members, records, null);
            }
            catch (ServingException e) when (e.Kind is ServingErrorKind.BadRequest or ServingErrorKind.Conflict)
            {
                return new Bound(members, null, e);
            }
        }
        catch
        {
            _bound.Remove(plan);
            throw;
        }
    }

    private sealed record Bound(TabularModel?[] Members, GraphRecords? Records, ServingException? Refusal);
}
