using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using Serverless.Core.Buffers;
using Serverless.Core.Errors;
using Serverless.Core.Models;
using Serverless.Core.Registry;

namespace Serverless.Core.Serving;

/// <summary>
/// Loads a version from the registry in three timed stages: blob fetch, session creation, one warm-up run.
/// A warm-up failure (a model whose free dimensions need particular values) is logged, not fatal.
/// </summary>
public sealed class ModelLoader : IModelLoader
{
    private readonly IModelRegistry _registry;
    private readonly SessionOptionsFactory _sessionOptions;
    private readonly TimeProvider _clock;
    private readonly ILogger<ModelLoader> _logger;

    public ModelLoader(IModelRegistry registry, SessionOptionsFactory sessionOptions, TimeProvider clock, ILogger<ModelLoader> logger)
    {
        _registry = registry;
        _sessionOptions = sessionOptions;
        _clock = clock;
        _logger = logger;
    }

    public async Task<LoadedModel> LoadAsync(ModelVersion version, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        var bytes = await _registry.DownloadAsync(version, cancellationToken).ConfigureAwait(false);
        var fetched = Stopwatch.GetTimestamp();

        InferenceSession session;
        using (var options = _sessionOptions.Create())
        {
            try
            {
                session = new InferenceSession(bytes, options);
            }
            catch (OnnxRuntimeException e)
            {
                throw ServingException.BadRequest($"Model '{version.Name}' version '{version.Version}' no longer loads in ONNX Runtime: {e.Message}", e);
            }
        }

        var created = Stopwatch.GetTimestamp();
        var model = new LoadedModel(version, session, new ColdStartTimings(0, 0, 0, _clock.GetUtcNow()));
        WarmUp(model);
        var warmed = Stopwatch.GetTimestamp();

        model.ColdStart = new ColdStartTimings(
            Stopwatch.GetElapsedTime(start, fetched).TotalMilliseconds,
            Stopwatch.GetElapsedTime(fetched, created).TotalMilliseconds,
            Stopwatch.GetElapsedTime(created, warmed).TotalMilliseconds,
            _clock.GetUtcNow());
        _logger.LogInformation(
            "Loaded model {Model} version {Version}: blob fetch {FetchMs:F1} ms, session {SessionMs:F1} ms, warm-up {WarmupMs:F1} ms",
            version.Name, version.Version, model.ColdStart.BlobFetchMs, model.ColdStart.SessionCreateMs, model.ColdStart.WarmupMs);
        return model;
    }

    private void WarmUp(LoadedModel model)
    {
        var body = WarmupRequest.CreateJson(model);
        if (body is null)
        {
            return;
        }

        try
        {
            using var response = new PooledBufferWriter(1024);
            InferenceService.Infer(model, body, response);
        }
        catch (ServingException e)
        {
            _logger.LogWarning("Warm-up run of {Model} version {Version} failed; it will warm on its first request: {Reason}",
                model.Version.Name, model.Version.Version, e.Message);
        }
    }
}
