using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using Serverless.Core.Buffers;
using Serverless.Core.Errors;
using Serverless.Core.Models;
using Serverless.Core.Onnx;
using Serverless.Core.Registry;
using Serverless.Core.Serving.Batching;

namespace Serverless.Core.Serving;

/// <summary>
/// Loads a version from the registry in three timed stages: blob fetch (checked against the registered SHA-256),
/// session creation, one warm-up run. A warm-up failure (a model whose free dimensions need particular values) is
/// logged, not fatal; a model whose warm-up request would exceed <see cref="ServingOptions.MaxWarmupElements"/> is
/// loaded but not warmed. ONNX Runtime's refusal reaches the client cleaned by <see cref="OnnxErrorText"/>.
/// </summary>
public sealed class ModelLoader : IModelLoader
{
    private readonly IModelRegistry _registry;
    private readonly SessionOptionsFactory _sessionOptions;
    private readonly ServingOptions _options;
    private readonly BatchingOptions _batching;
    private readonly TimeProvider _clock;
    private readonly ILogger<ModelLoader> _logger;

    public ModelLoader(IModelRegistry registry, SessionOptionsFactory sessionOptions, IOptions<ServingOptions> options, IOptions<BatchingOptions> batching,
        TimeProvider clock, ILogger<ModelLoader> logger)
    {
        _registry = registry;
        _sessionOptions = sessionOptions;
        _options = options.Value;
        _batching = batching.Value;
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
                _logger.LogWarning(e, "Model {Model} version {Version} does not load in ONNX Runtime", version.Name, version.Version);
                throw ServingException.BadRequest(
                    $"Model '{version.Name}' version '{version.Version}' no longer loads in ONNX Runtime: {OnnxErrorText.Clean(e.Message)}", e);
            }
        }

        var created = Stopwatch.GetTimestamp();
        var model = new LoadedModel(version, session, new ColdStartTimings(0, 0, 0, _clock.GetUtcNow()));
        WarmUp(model);
        var warmed = Stopwatch.GetTimestamp();
        model.Batcher = DynamicBatcher.TryCreate(model, _batching.For(version.Name));

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
        var elements = WarmupElements.Of(model.Inputs.Select(i => (IReadOnlyList<long>)i.Dimensions));
        if (elements > _options.MaxWarmupElements)
        {
            _logger.LogWarning(
                "Model {Model} version {Version} is not warmed: its warm-up request would need {Elements} input elements, over {Setting} ({Max})",
                model.Version.Name, model.Version.Version, elements, ModelBudgets.WarmupElementsSetting, _options.MaxWarmupElements);
            return;
        }

        var body = WarmupRequest.CreateJson(model, _options.MaxWarmupElements);
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
