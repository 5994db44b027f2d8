using Azure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serverless.Core.Buffers;
using Serverless.Core.Errors;
using Serverless.Core.Graphs;
using Serverless.Core.Monitoring.Logging;
using Serverless.Core.Registry;
using Serverless.Core.Serving;
using Serverless.Core.Storage;

namespace Serverless.Core.Mirroring;

/// <summary>What became of one mirror message.</summary>
public enum MirrorOutcome
{
    /// <summary>Scored by the mirror version and logged with the mirror mark.</summary>
    Scored,

    /// <summary>The mirror failed on it (a body its signature refuses, a model error, its version gone): logged as a mirror error record.</summary>
    Failed,

    /// <summary>Older than <see cref="MirrorOptions.MaxAgeSeconds"/>: dropped and counted (<c>stale</c>).</summary>
    Stale,

    /// <summary>Not a mirror message: logged and dropped.</summary>
    Malformed,
}

/// <summary>
/// Scores one mirror copy taken from the queue on the mirror's version, through the same predict or infer code as the HTTP
/// routes, its inference-log capture begun with the primary's request id and the mirror mark, so its records carry the primary's
/// request id and row numbers. Anything the mirror itself fails on is logged as a mirror error record and completes, so the host
/// does not retry it; only infrastructure failures (storage, cancellation, the server not ready) are thrown, for the host's retry
/// and poison handling. Thread-safe.
/// </summary>
public sealed class MirrorScorer
{
    private readonly IModelRegistry _registry;
    private readonly InferenceService _inference;
    private readonly TabularPredictionService _predictions;
    private readonly GraphRecordService _graphs;
    private readonly InferenceLogger _log;
    private readonly MirrorCounters _counters;
    private readonly MirrorOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger<MirrorScorer> _logger;

    public MirrorScorer(IModelRegistry registry, InferenceService inference, TabularPredictionService predictions, GraphRecordService graphs, InferenceLogger log,
        MirrorCounters counters, IOptions<MirrorOptions> options, TimeProvider clock, ILogger<MirrorScorer> logger)
    {
        _graphs = graphs;
        _registry = registry;
        _inference = inference;
        _predictions = predictions;
        _log = log;
        _counters = counters;
        _options = options.Value;
        _clock = clock;
        _logger = logger;
    }

    /// <summary>Scores the copy in <paramref name="message"/> (a <see cref="MirrorMessage"/>); see the type's summary for what throws.</summary>
    public async Task<MirrorOutcome> ScoreAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        MirrorCopy copy;
        try
        {
            copy = MirrorMessage.Decode(message);
            if (copy.Source is not (InferenceLogSource.Predict or InferenceLogSource.Infer))
            {
                throw new FormatException($"A mirror message's source must be predict or infer (was {DataText.Quote(copy.Source)}).");
            }
        }
        catch (FormatException e)
        {
            _logger.LogWarning("A message on the mirror queue is not a mirror copy; dropped: {Reason}", e.Message);
            return MirrorOutcome.Malformed;
        }

        if (_clock.GetUtcNow() - copy.EnqueuedUtc > TimeSpan.FromSeconds(_options.MaxAgeSeconds))
        {
            _counters.CountDropped(MirrorDropReasons.Stale);
            return MirrorOutcome.Stale;
        }

        var log = _log.Begin(copy.Source, copy.Model, copy.Version, copy.RequestId, mirror: true);
        using var output = new PooledBufferWriter(Math.Max(1024, copy.Body.Length));
        try
        {
            var version = await _registry.GetExistingVersionAsync(copy.Model, copy.Version, cancellationToken).ConfigureAwait(false);
            if (copy.Source == InferenceLogSource.Predict && version.IsGraph)
            {
                await _graphs.PredictAsync(version, copy.Body, output, log, timings: false, cancellationToken).ConfigureAwait(false);
            }
            else if (copy.Source == InferenceLogSource.Predict)
            {
                await _predictions.PredictAsync(version, copy.Body, output, log, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await _inference.InferAsync(version, copy.Body, -1, output, log, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (!IsInfrastructure(e))
        {
            _log.Fail(log, e);
            _counters.CountScored(ok: false);
            _logger.LogInformation("Mirror version {Version} of {Model} failed on request {RequestId}: {Reason}", copy.Version, copy.Model, copy.RequestId, e.Message);
            return MirrorOutcome.Failed;
        }

        _log.Complete(log);
        _counters.CountScored(ok: true);
        return MirrorOutcome.Scored;
    }

    /// <summary>Failures of the platform rather than of the mirror: worth the host's retries.</summary>
    private static bool IsInfrastructure(Exception e) => e is OperationCanceledException or RequestFailedException or HttpRequestException or IOException
        or ServingException { Kind: ServingErrorKind.Unavailable };
}
