using System.Buffers;
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
/// Thread-safe; one instance per process.
/// </summary>
public sealed class TabularPredictionService
{
    private readonly TabularModelLeaser _models;

    public TabularPredictionService(TabularModelLeaser models)
    {
        _models = models;
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
    public async ValueTask PredictAsync(ModelVersion resolved, ReadOnlyMemory<byte> body, IBufferWriter<byte> output, InferenceLogCapture? log,
        CancellationToken cancellationToken)
    {
        log?.SetVersion(resolved);
        using var lease = await _models.LeaseAsync(resolved, cancellationToken).ConfigureAwait(false);
        if (lease.Model.Batcher is { } batcher)
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
    /// <paramref name="log"/> takes the batch's feature values and the predictions for the inference log.
    /// </summary>
    public static void Predict(TabularModel tabular, LoadedModel model, ReadOnlySpan<byte> body, IBufferWriter<byte> output, InferenceLogCapture? log = null)
    {
        var batch = ReadRows(tabular, body);
        Respond(model, batch, tabular.Predict(model, batch), output, log);
    }

    /// <summary>
    /// <see cref="Predict"/> for a batched version: the rows are read and checked first (a refused request never queues), then
    /// their tensors wait in <paramref name="batcher"/> to share a run with other requests.
    /// </summary>
    private static async ValueTask PredictBatchedAsync(TabularModel tabular, LoadedModel model, DynamicBatcher batcher, ReadOnlyMemory<byte> body,
        IBufferWriter<byte> output, InferenceLogCapture? log)
    {
        var batch = ReadRows(tabular, body.Span);
        TabularPrediction[] predictions;
        using (var inputs = tabular.ToInputs(batch))
        using (var outputs = await batcher.RunAsync(inputs.Names, inputs.Values, tabular.OutputNames).ConfigureAwait(false))
        {
            predictions = tabular.Decide(batch, tabular.ReadPredictions(tabular.OutputNames, outputs, batch.RowCount));
        }

        Respond(model, batch, predictions, output, log);
    }

    private static FeatureBatch ReadRows(TabularModel tabular, ReadOnlySpan<byte> body)
    {
        var batch = tabular.CreateBatch(capacity: 16);
        batch.AddRecordsJson(body);
        return batch;
    }

    private static void Respond(LoadedModel model, FeatureBatch batch, TabularPrediction[] predictions, IBufferWriter<byte> output, InferenceLogCapture? log)
    {
        TabularResponseWriter.Write(output, model.Version.Name, model.Version.Version, predictions);
        log?.RecordTabular(model.Version, batch, predictions);
    }
}
