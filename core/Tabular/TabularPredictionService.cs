using System.Buffers;
using Serverless.Core.Monitoring.Logging;
using Serverless.Core.Serving;

namespace Serverless.Core.Tabular;

/// <summary>
/// The records API: resolve the version (an explicit version, else the default alias, else the latest, as for
/// infer), lease its warm session, take its bound manifest from <see cref="TabularModelCache"/>, read the rows,
/// run once for the whole batch and write one prediction per row. All or nothing: any bad row refuses the
/// request (BadRequest naming row and feature). Thread-safe; one instance per process.
/// </summary>
public sealed class TabularPredictionService
{
    private readonly ModelResolver _resolver;
    private readonly ModelSessionCache _sessions;
    private readonly TabularModelCache _tabularModels;

    public TabularPredictionService(ModelResolver resolver, ModelSessionCache sessions, TabularModelCache tabularModels)
    {
        _resolver = resolver;
        _sessions = sessions;
        _tabularModels = tabularModels;
    }

    /// <summary>Predicts the rows of a records request body and writes the response to <paramref name="output"/>.</summary>
    public ValueTask PredictAsync(string name, string? version, ReadOnlyMemory<byte> body, IBufferWriter<byte> output, CancellationToken cancellationToken) =>
        PredictAsync(name, version, body, output, null, cancellationToken);

    /// <summary>As above, handing the resolved version, the feature batch and the predictions to <paramref name="log"/>.</summary>
    public async ValueTask PredictAsync(string name, string? version, ReadOnlyMemory<byte> body, IBufferWriter<byte> output, InferenceLogCapture? log,
        CancellationToken cancellationToken)
    {
        var resolved = await _resolver.ResolveAsync(name, version, cancellationToken).ConfigureAwait(false);
        log?.SetVersion(resolved);
        if (resolved.ManifestSha256 is null)
        {
            throw TabularModelCache.NoManifest(resolved);
        }

        using var lease = await _sessions.AcquireAsync(resolved, cancellationToken).ConfigureAwait(false);
        var tabular = await _tabularModels.GetAsync(lease.Model, resolved, cancellationToken).ConfigureAwait(false);
        Predict(tabular, lease.Model, body.Span, output, log);
    }

    /// <summary>
    /// The serving path for a leased model and its bound manifest: read rows, run, write. Synchronous.
    /// <paramref name="log"/> takes the batch's feature values and the predictions for the inference log.
    /// </summary>
    public static void Predict(TabularModel tabular, LoadedModel model, ReadOnlySpan<byte> body, IBufferWriter<byte> output, InferenceLogCapture? log = null)
    {
        var batch = tabular.CreateBatch(capacity: 16);
        batch.AddRecordsJson(body);
        var predictions = tabular.Predict(model, batch);
        TabularResponseWriter.Write(output, model.Version.Name, model.Version.Version, predictions);
        log?.RecordTabular(model.Version, batch, predictions);
    }
}
