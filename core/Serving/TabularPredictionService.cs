using System.Buffers;
using Serverless.Core.Features;
using Serverless.Core.Models;
using Serverless.Core.Monitoring.Logging;
using Serverless.Core.Serving.Batching;
using Serverless.Core.Tabular;

namespace Serverless.Core.Serving;

/// <summary>
/// The records API: lease the version's tabular model from <see cref="TabularModelLeaser"/> (an explicit version, else
/// the default alias, else the latest, as for infer), read the rows, run once for the whole batch and write one
/// prediction per row. All or nothing: any bad row refuses the request (BadRequest naming row and feature). A version
/// with a <see cref="DynamicBatcher"/> runs the request's rows in a run shared with other concurrent requests
/// (rows are read and checked first, so a refused request never joins a batch), with the same answer as alone.
/// A manifest that takes features from feature sets has its rows assembled by <see cref="FeatureRowAssembler"/> (request
/// values plus online lookups) when one is wired. Thread-safe; one instance per process.
/// </summary>
public sealed class TabularPredictionService
{
    private readonly TabularModelLeaser _models;
    private readonly FeatureRowAssembler? _features;

    public TabularPredictionService(TabularModelLeaser models, FeatureRowAssembler? features = null)
    {
        _models = models;
        _features = features;
    }

    /// <summary>Predicts the rows of a records request body and writes the response to <paramref name="output"/>.</summary>
    public ValueTask PredictAsync(string name, string? version, ReadOnlyMemory<byte> body, IBufferWriter<byte> output, CancellationToken cancellationToken) =>
        PredictAsync(name, version, body, output, null, cancellationToken);

    /// <summary>As above, handing the resolved version, the feature batch and the predictions to <paramref name="log"/>.</summary>
    public async ValueTask PredictAsync(string name, string? version, ReadOnlyMemory<byte> body, IBufferWriter<byte> output, InferenceLogCapture? log,
        CancellationToken cancellationToken)
    {
        var resolved = await _models.ResolveAsync(name, version, cancellationToken).ConfigureAwait(false);
        await PredictAsync(resolved, body, output, log, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>As above for a version already chosen (by its <see cref="ModelRoute"/>, for a split).</summary>
    public ValueTask PredictAsync(ModelVersion resolved, ReadOnlyMemory<byte> body, IBufferWriter<byte> output, InferenceLogCapture? log,
        CancellationToken cancellationToken) =>
        PredictAsync(resolved, body, output, log, reportFeatureStatus: false, cancellationToken);

    /// <summary>As above; <paramref name="reportFeatureStatus"/> adds <c>feature_status</c> (see <see cref="FeatureStatusReport"/>) for a model that joins feature sets.</summary>
    public async ValueTask PredictAsync(ModelVersion resolved, ReadOnlyMemory<byte> body, IBufferWriter<byte> output, InferenceLogCapture? log,
        bool reportFeatureStatus, CancellationToken cancellationToken)
    {
        log?.SetVersion(resolved);
        using var lease = await _models.LeaseAsync(resolved, cancellationToken).ConfigureAwait(false);
        if (_features is not null && FeatureRowAssembler.Joins(lease.Tabular))
        {
            var (batch, status) = await _features.AssembleAsync(lease.Tabular, body, cancellationToken).ConfigureAwait(false);
            var predictions = lease.Model.Batcher is { } joinedBatcher
                ? await RunBatchedAsync(lease.Tabular, joinedBatcher, batch).ConfigureAwait(false)
                : lease.Tabular.Predict(lease.Model, batch);
            Respond(lease.Model, batch, predictions, output, log, reportFeatureStatus ? status.WriteTo : null);
        }
        else if (lease.Model.Batcher is { } batcher)
        {
            await PredictBatchedAsync(lease.Tabular, lease.Model, batcher, body, output, log).ConfigureAwait(false);
        }
        else
        {
            Predict(lease.Tabular, lease.Model, body.Span, output, log);
        }
    }

    /// <summary>
    /// The serving path for a leased model and its bound manifest: read rows, run, write. Synchronous.
    /// <paramref name="log"/> takes the batch's feature values and the predictions for the inference log. The rows are
    /// read into a batch of the model's <see cref="FeatureBatchPool"/>, returned once the answer is written and the log has copied its values.
    /// </summary>
    public static void Predict(TabularModel tabular, LoadedModel model, ReadOnlySpan<byte> body, IBufferWriter<byte> output, InferenceLogCapture? log = null)
    {
        var pool = FeatureBatchPool.For(tabular);
        var batch = ReadRows(pool, body);
        Respond(model, batch, tabular.Predict(model, batch), output, log);
        pool.Return(batch);
    }

    /// <summary>
    /// <see cref="Predict"/> for a batched version: the rows are read and checked first (a refused request never queues), then
    /// their tensors wait in <paramref name="batcher"/> to share a run with other requests.
    /// </summary>
    private static async ValueTask PredictBatchedAsync(TabularModel tabular, LoadedModel model, DynamicBatcher batcher, ReadOnlyMemory<byte> body,
        IBufferWriter<byte> output, InferenceLogCapture? log)
    {
        var pool = FeatureBatchPool.For(tabular);
        var batch = ReadRows(pool, body.Span);
        Respond(model, batch, await RunBatchedAsync(tabular, batcher, batch).ConfigureAwait(false), output, log);
        pool.Return(batch);
    }

    private static async ValueTask<TabularPrediction[]> RunBatchedAsync(TabularModel tabular, DynamicBatcher batcher, FeatureBatch batch)
    {
        using var inputs = tabular.ToInputs(batch);
        using var outputs = await batcher.RunAsync(inputs.Names, inputs.Values, tabular.OutputNames).ConfigureAwait(false);
        return tabular.Decide(batch, tabular.ReadPredictions(tabular.OutputNames, outputs, batch.RowCount));
    }

    /// <summary>A pooled batch with the body's rows. A refused body throws and leaves the batch to the collector (returned only once read to the end).</summary>
    private static FeatureBatch ReadRows(FeatureBatchPool pool, ReadOnlySpan<byte> body)
    {
        var batch = pool.Rent();
        batch.AddRecordsJson(body);
        return batch;
    }

    private static void Respond(LoadedModel model, FeatureBatch batch, TabularPrediction[] predictions, IBufferWriter<byte> output, InferenceLogCapture? log,
        Action<System.Text.Json.Utf8JsonWriter>? writeMore = null)
    {
        TabularResponseWriter.Write(output, model.Version.Name, model.Version.Version, predictions, writeMore);
        log?.RecordTabular(model.Version, batch, predictions);
    }
}
