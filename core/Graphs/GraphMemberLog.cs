using Microsoft.ML.OnnxRuntime;
using Serverless.Core.Models;
using Serverless.Core.Monitoring.Logging;
using Serverless.Core.Tabular;

namespace Serverless.Core.Graphs;

/// <summary>
/// Logs a graph request's member rows under each member's own name (source graph, the graph's request id). A member with a
/// manifest is logged as a direct call to it would be: features under the manifest's names, predictions read as the records API
/// reads them (when its inputs are in the manifest's layout; otherwise under the tensor names). Immutable; thread-safe.
/// </summary>
public sealed class GraphMemberLog
{
    private readonly InferenceLogger _logger;
    private readonly Dictionary<GraphMember, TabularModel?> _manifests;

    private GraphMemberLog(InferenceLogger logger, Dictionary<GraphMember, TabularModel?> manifests)
    {
        _logger = logger;
        _manifests = manifests;
    }

    /// <summary>The member log for <paramref name="plan"/>: with the members' bound manifests when they can be read, else by tensor names.</summary>
    public static async ValueTask<GraphMemberLog> CreateAsync(InferenceLogger logger, GraphManifests manifests, ModelVersion graph, GraphPlan plan,
        CancellationToken cancellationToken)
    {
        var bound = await manifests.TryGetMembersAsync(graph, plan, cancellationToken).ConfigureAwait(false);
        var byMember = new Dictionary<GraphMember, TabularModel?>(plan.Members.Count, ReferenceEqualityComparer.Instance);
        for (var i = 0; i < plan.Members.Count; i++)
        {
            byMember[plan.Members[i]] = bound?[i];
        }

        return new GraphMemberLog(logger, byMember);
    }

    /// <summary>A sink for one request, or null when the graph's own capture (<paramref name="log"/>) is not recording it.</summary>
    internal Sink? Begin(InferenceLogCapture? log, string requestId) => log?.IsRecording == false ? null : new Sink(this, requestId);

    /// <summary>Captures each member's rows while its tensors live; hands them to the log once the graph has answered.</summary>
    internal sealed class Sink(GraphMemberLog owner, string requestId) : IGraphStepSink
    {
        private readonly List<InferenceLogCapture> _captures = [];

        public void OnStep(GraphMember member, IReadOnlyList<string> inputNames, IReadOnlyList<OrtValue> inputs, IReadOnlyList<string> outputNames,
            IReadOnlyCollection<OrtValue> outputs)
        {
            var capture = owner._logger.Begin(InferenceLogSource.Graph, member.Version.Name, member.Version.Version, requestId);
            capture.ResolveRequestId(requestId);
            capture.RecordTensors(member.Version, inputNames, inputs, outputNames, outputs, owner._manifests.GetValueOrDefault(member));
            lock (_captures)
            {
                _captures.Add(capture);
            }
        }

        public void Complete()
        {
            foreach (var capture in _captures)
            {
                owner._logger.Complete(capture);
            }
        }
    }
}

