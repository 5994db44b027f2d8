using System.Text;
using Serverless.Core.Errors;
using Serverless.Core.Storage;
using Serverless.Core.Training.Tracking;

namespace Serverless.Core.Registry.Mlflow;

/// <summary>
/// Finds the ONNX model a model version's <c>source</c> names among the artifacts this server proxies. A source is <c>runs:/{run_id}/{path}</c>
/// or an artifact URI under a run's root (<c>mlflow-artifacts:/{experiment}/{run}/artifacts/{path}</c>, what the tracking API hands out);
/// any other URI, a path that climbs out ('..', escaped separators) or an unknown run is refused. The path is an MLflow model directory with
/// the <c>onnx</c> flavor (its <c>MLmodel</c> names the file, <c>model.onnx</c> by default), a directory holding a bare <c>model.onnx</c>, or an
/// <c>.onnx</c> file; a directory may also hold the app's <c>manifest.json</c>. Nothing larger than the limit is read. Thread-safe.
/// </summary>
public sealed class OnnxModelSource
{
    public const string RunsScheme = "runs:/";
    public const string ManifestFile = "manifest.json";
    public const int MaxManifestBytes = 1024 * 1024;

    private readonly TrackingStore _tracking;
    private readonly ArtifactStore _artifacts;

    public OnnxModelSource(TrackingStore tracking, ArtifactStore artifacts)
    {
        _tracking = tracking;
        _artifacts = artifacts;
    }

    /// <summary>
    /// The model (at most <paramref name="maxModelBytes"/>, BadRequest naming Registry:MaxModelBytes beyond) and manifest the source names;
    /// BadRequest for a source without an ONNX model or not under a run of this server, NotFound for an unknown run.
    /// </summary>
    public async Task<ResolvedModelSource> ResolveAsync(string? source, string? runId, long maxModelBytes, CancellationToken cancellationToken)
    {
        source = TrackingLimits.Required(source, "source");
        var (run, path) = await LocateAsync(source, cancellationToken).ConfigureAwait(false);
        if (!string.IsNullOrEmpty(runId) && runId != run.RunId)
        {
            throw ServingException.BadRequest($"'run_id' {DataText.Quote(runId)} is not the run of 'source' {DataText.Quote(source)} ({run.RunId}).");
        }

        if (path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase)
            && await ReadModelAsync(path, maxModelBytes, cancellationToken).ConfigureAwait(false) is { } file)
        {
            return new ResolvedModelSource(run.RunId, path, file, null);
        }

        var modelFile = await OnnxFileAsync(source, path, cancellationToken).ConfigureAwait(false);
        var model = await ReadModelAsync(modelFile, maxModelBytes, cancellationToken).ConfigureAwait(false)
            ?? throw ServingException.BadRequest(
                $"No ONNX model at 'source' {DataText.Quote(source)}: expected an MLflow model directory with the '{MlmodelFile.OnnxFlavor}' flavor " +
                $"(MLmodel and {MlmodelFile.DefaultOnnxData}, as mlflow.onnx.log_model writes it) or a bare {MlmodelFile.DefaultOnnxData}.");
        var manifest = await _artifacts.ReadAllAsync($"{path}/{ManifestFile}", MaxManifestBytes, cancellationToken).ConfigureAwait(false);
        return new ResolvedModelSource(run.RunId, path, model, manifest);
    }

    private async Task<(TrackedRunInfo Run, string Path)> LocateAsync(string source, CancellationToken cancellationToken)
    {
        if (source.StartsWith(RunsScheme, StringComparison.Ordinal))
        {
            var rest = source[RunsScheme.Length..].TrimStart('/');
            var slash = rest.IndexOf('/', StringComparison.Ordinal);
            var id = TrackingLimits.RunId(slash < 0 ? rest : rest[..slash], "source");
            var relative = ArtifactStore.CheckPath(slash < 0 ? string.Empty : rest[(slash + 1)..], "source", allowEmpty: true);
            var info = (await _tracking.GetRunAsync(id, cancellationToken).ConfigureAwait(false)).Info;
            var root = ArtifactStore.PathOf(info.ArtifactUri)
                ?? throw ServingException.BadRequest($"Run {id} keeps its artifacts at {DataText.Quote(info.ArtifactUri)}, which this server does not proxy.");
            return (info, relative.Length == 0 ? root : $"{root}/{relative}");
        }

        if (ArtifactStore.PathOf(source) is { } proxied)
        {
            var path = ArtifactStore.CheckPath(proxied, "source");
            var segments = path.Split('/');
            if (segments.Length < 3 || segments[2] != "artifacts")
            {
                throw ServingException.BadRequest($"'source' {DataText.Quote(source)} is not under a run's artifact root ({TrackingStore.ArtifactScheme}/{{experiment}}/{{run}}/artifacts/...).");
            }

            var info = (await _tracking.GetRunAsync(TrackingLimits.RunId(segments[1], "source"), cancellationToken).ConfigureAwait(false)).Info;
            return ArtifactStore.PathOf(info.ArtifactUri) == string.Join('/', segments[..3])
                ? (info, path)
                : throw ServingException.BadRequest($"Run {info.RunId} does not keep its artifacts at {DataText.Quote(string.Join('/', segments[..3]))}.");
        }

        throw ServingException.BadRequest(
            $"Unsupported 'source' {DataText.Quote(source)}: use runs:/{{run_id}}/{{path}} or a {TrackingStore.ArtifactScheme}/ URI of a run's artifacts on this server.");
    }

    /// <summary>The model file of the directory: the onnx flavor's data when an MLmodel is there (BadRequest without that flavor), else model.onnx.</summary>
    private async Task<string> OnnxFileAsync(string source, string path, CancellationToken cancellationToken)
    {
        var mlmodel = await _artifacts.ReadAllAsync($"{path}/MLmodel", MlmodelFile.MaxBytes, cancellationToken).ConfigureAwait(false);
        if (mlmodel is null)
        {
            return $"{path}/{MlmodelFile.DefaultOnnxData}";
        }

        var (flavors, data) = MlmodelFile.Read(Encoding.UTF8.GetString(mlmodel));
        if (!flavors.Contains(MlmodelFile.OnnxFlavor, StringComparer.Ordinal))
        {
            throw ServingException.BadRequest(
                $"The MLflow model at 'source' {DataText.Quote(source)} has the flavors {(flavors.Count == 0 ? "(none)" : DataText.List(flavors))} but not " +
                $"'{MlmodelFile.OnnxFlavor}': this server serves ONNX models (log it with mlflow.onnx.log_model, or convert it to ONNX first).");
        }

        return $"{path}/{ArtifactStore.CheckPath(data ?? MlmodelFile.DefaultOnnxData, "MLmodel flavors.onnx.data")}";
    }

    private async Task<byte[]?> ReadModelAsync(string path, long maxBytes, CancellationToken cancellationToken)
    {
        try
        {
            return await _artifacts.ReadAllAsync(path, maxBytes, cancellationToken).ConfigureAwait(false);
        }
        catch (ServingException e) when (e.Kind == ServingErrorKind.BadRequest)
        {
            throw ServingException.BadRequest($"{e.Message} The model is over the registry's limit (Registry:MaxModelBytes).");
        }
    }
}
