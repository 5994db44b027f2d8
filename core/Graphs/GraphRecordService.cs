using System.Buffers;
using Serverless.Core.Models;
using Serverless.Core.Monitoring.Logging;
using Serverless.Core.Serving;
using Serverless.Core.Tabular;

namespace Serverless.Core.Graphs;

/// <summary>
/// A graph through the records API and batch scoring: rows are read with the graph's <see cref="GraphRecords"/> (its own manifest,
/// else its entry member's), run through the graph in one pass for the whole batch, and answered one prediction per row (its own
/// manifest, else its exit member's), with the member versions that served. All or nothing, as a model's records request: any bad
/// row refuses the request (BadRequest naming row and feature); a graph that cannot be served as records is a BadRequest saying why.
/// Thread-safe; one instance per process.
/// </summary>
public sealed class GraphRecordService(GraphService graphs, GraphManifests manifests, GraphExecutor executor, InferenceLogger logger)
{
    /// <summary>
    /// Predicts the rows of a records request body on <paramref name="graph"/> and writes <c>{model_name, model_version, predictions,
    /// graph: {steps}}</c> (each step's <c>ms</c> when <paramref name="timings"/>). With <paramref name="log"/> (its request id settled
    /// by the caller), the graph's rows are logged as a tabular model's under the graph's name, and each member's under its own.
    /// </summary>
    public async ValueTask PredictAsync(ModelVersion graph, ReadOnlyMemory<byte> body, IBufferWriter<byte> output, InferenceLogCapture? log, bool timings,
        CancellationToken cancellationToken)
    {
        log?.SetVersion(graph);
        var plan = await graphs.GetPlanAsync(graph, cancellationToken).ConfigureAwait(false);
        var records = await manifests.GetRecordsAsync(graph, plan, cancellationToken).ConfigureAwait(false);
        var batch = records.Features.CreateBatch(capacity: 16);
        batch.AddRecordsJson(body.Span);
        var memberLog = log is { Enabled: true } ? await GraphMemberLog.CreateAsync(logger, manifests, graph, plan, cancellationToken).ConfigureAwait(false) : null;
        var sink = memberLog?.Begin(log, log!.EnsureRequestId());
        TabularPrediction[] predictions;
        var inputs = records.ToGraphInputs(batch, out var owned);
        using (owned)
        {
            using var run = await executor.RunAsync(plan, inputs, sink, cancellationToken).ConfigureAwait(false);
            predictions = records.ReadPredictions(run.Outputs, batch);
            TabularResponseWriter.Write(output, graph.Name, graph.Version, predictions, w => GraphService.WriteSteps(w, run, timings));
        }

        log?.RecordTabular(graph, batch, predictions);
        sink?.Complete();
    }

    /// <summary>
    /// The scorer batch scoring uses for <paramref name="graph"/>, with its members at the versions <paramref name="pinned"/> names
    /// (<see cref="GraphService.PinMembersAsync"/> when the job started; null: as they resolve now). BadRequest when the graph cannot be
    /// served as records. Dispose it once, after the last prediction.
    /// </summary>
    public async Task<IRecordScorer> LeaseAsync(ModelVersion graph, IReadOnlyDictionary<string, string>? pinned, CancellationToken cancellationToken)
    {
        var plan = await graphs.GetPlanAsync(graph, pinned, cancellationToken).ConfigureAwait(false);
        var records = await manifests.GetRecordsAsync(graph, plan, cancellationToken).ConfigureAwait(false);
        return new GraphScorer(graph, plan, records, executor);
    }

    /// <summary>
    /// The versions <paramref name="graph"/>'s members resolve to now (member reference as the spec writes it → version), after checking
    /// that the graph can be served as records with them (BadRequest saying why not): what a batch job pins when it starts.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, string>> PinMembersAsync(ModelVersion graph, CancellationToken cancellationToken)
    {
        var pins = await graphs.PinMembersAsync(graph, cancellationToken).ConfigureAwait(false);
        using var scorer = await LeaseAsync(graph, pins, cancellationToken).ConfigureAwait(false);
        return pins;
    }

    /// <summary>
    /// Batch scoring's view of a graph: rows read with its features manifest, predictions read and decided (post steps) as the records
    /// API does and written with its answer manifest. <see cref="PredictAsync"/> awaits the graph's run (members' dynamic batchers are
    /// used as online, so the answers are the same) without holding a thread.
    /// </summary>
    private sealed class GraphScorer(ModelVersion graph, GraphPlan plan, GraphRecords records, GraphExecutor executor) : IRecordScorer
    {
        public ModelVersion Version => graph;

        public TabularModel Tabular => records.Features;

        public ModelManifest Manifest => records.Answer;

        public async ValueTask<TabularPrediction[]> PredictAsync(FeatureBatch batch, CancellationToken cancellationToken)
        {
            var inputs = records.ToGraphInputs(batch, out var owned);
            using (owned)
            {
                using var run = await executor.RunAsync(plan, inputs, null, cancellationToken).ConfigureAwait(false);
                return records.ReadPredictions(run.Outputs, batch);
            }
        }

        public void Dispose()
        {
        }
    }
}
