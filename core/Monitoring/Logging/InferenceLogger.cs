using System.Security.Cryptography;
using System.Text;
using Azure;
using Microsoft.Extensions.Options;
using Serverless.Core.Errors;
using Serverless.Core.Telemetry;

namespace Serverless.Core.Monitoring.Logging;

/// <summary>
/// The request path's side of inference logging: <see cref="Begin"/> when a request arrives, the serving hooks fill the
/// <see cref="InferenceLogCapture"/>, then <see cref="Complete"/> or <see cref="Fail"/> hand it to the
/// <see cref="InferenceLogBuffer"/> without waiting (a full buffer drops and counts). Costs a timestamp, a hash of the
/// request id and, for logged requests, one enqueue; serialisation and storage happen in <see cref="InferenceLogWriter"/>.
/// Every request but the host's own warm-up (and a mirror copy) is also counted and timed in <see cref="AppMetrics"/>, logged or not.
/// Thread-safe; one per process.
/// </summary>
public sealed class InferenceLogger
{
    private readonly InferenceLogOptions _options;
    private readonly InferenceLogBuffer _buffer;
    private readonly TimeProvider _time;
    private readonly InferenceLogRehearsal _rehearsal;
    private long _lastTicks;

    public InferenceLogger(IOptions<InferenceLogOptions> options, InferenceLogBuffer buffer, TimeProvider time)
    {
        _options = options.Value;
        _buffer = buffer;
        _time = time;
        _rehearsal = new InferenceLogRehearsal(_options);
    }

    /// <summary>The header a host's own warm-up requests carry, with <see cref="WarmupToken"/> as its value.</summary>
    public const string WarmupHeaderName = "x-warmup";

    private readonly byte[] _warmupToken = Encoding.ASCII.GetBytes(Convert.ToHexString(RandomNumberGenerator.GetBytes(16)));

    public bool Enabled => _options.Enabled;

    /// <summary>
    /// A secret of this process that marks its own synthetic warm-up traffic, which is never logged (the monitor would
    /// judge it as real traffic). Only code in the process knows it, so no caller can mark a request as warm-up.
    /// </summary>
    public string WarmupToken => Encoding.ASCII.GetString(_warmupToken);

    /// <summary>Whether a <see cref="WarmupHeaderName"/> value is this process's warm-up token (compared in constant time).</summary>
    public bool IsWarmup(string? headerValue) =>
        !string.IsNullOrEmpty(headerValue) && headerValue.Length == _warmupToken.Length
        && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(headerValue), _warmupToken);

    public InferenceLogCounters Counters => _buffer.Counters;

    /// <summary>
    /// Starts a request's capture. <paramref name="headerRequestId"/>: the <c>x-request-id</c> header's value, if any;
    /// <paramref name="warmupHeader"/>: the <see cref="WarmupHeaderName"/> header's, if any (the process's own warm-up is not logged);
    /// <paramref name="mirror"/>: a mirror copy scored under the primary's request id (<see cref="InferenceLogCapture.IsMirror"/>).
    /// </summary>
    public InferenceLogCapture Begin(string source, string model, string? requestedVersion, string? headerRequestId, string? warmupHeader = null, bool mirror = false)
    {
        // The process's own warm-up is captured like a real request, so the capture code is compiled before the first
        // real one (that took a first request from ~3 ms to 10-19 ms), and dropped where a real one is buffered.
        var warmup = warmupHeader is not null && IsWarmup(warmupHeader);
        var enabled = _options.Enabled;
        return new InferenceLogCapture(enabled, enabled ? (warmup ? 1 : _options.SampleRateFor(model)) : 0, source, model, requestedVersion,
            RequestIds.FromHeader(headerRequestId), new DateTimeOffset(NextUniqueTicks(), TimeSpan.Zero), _time.GetTimestamp())
        {
            IsWarmup = warmup,
            IsMirror = mirror,
        };
    }

    /// <summary>The request was answered: buffers one record per row when it is logged.</summary>
    public void Complete(InferenceLogCapture capture)
    {
        RecordMetrics(capture, AppMetrics.Outcomes.Ok);
        capture.EnsureRequestId();
        if (!capture.IsRecording)
        {
            if (_options.Enabled)
            {
                _buffer.CountSampledOut();
            }

            return;
        }

        if (capture.Payload is null || capture.Payload.RowCount == 0)
        {
            return;
        }

        capture.LatencyMs = _time.GetElapsedTime(capture.StartTimestamp).TotalMilliseconds;
        Enqueue(capture);
    }

    /// <summary>
    /// The request failed: buffers one error record (row -1) when it is logged. A client that went away
    /// (<see cref="OperationCanceledException"/>) is not a failed prediction and is not logged.
    /// </summary>
    public void Fail(InferenceLogCapture capture, Exception error)
    {
        RecordMetrics(capture, error switch
        {
            OperationCanceledException => AppMetrics.Outcomes.Canceled,
            ServingException { Kind: < ServingErrorKind.IntegrityFailure } => AppMetrics.Outcomes.ClientError,
            _ => AppMetrics.Outcomes.ServerError,
        });
        capture.EnsureRequestId();
        if (error is OperationCanceledException)
        {
            return;
        }

        if (!capture.IsRecording)
        {
            if (_options.Enabled)
            {
                _buffer.CountSampledOut();
            }

            return;
        }

        capture.LatencyMs = _time.GetElapsedTime(capture.StartTimestamp).TotalMilliseconds;
        capture.Status = InferenceLogStatus.Error;
        capture.Error = error is ServingException ? error.Message : $"{error.GetType().Name}: {error.Message}";
        capture.StatusCode = StatusCodeOf(error);
        Enqueue(capture);
    }

    /// <summary>A real capture goes to the buffer; the host's warm-up is packed and discarded (<see cref="InferenceLogRehearsal"/>).</summary>
    private void Enqueue(InferenceLogCapture capture)
    {
        if (!capture.IsWarmup)
        {
            _buffer.TryEnqueue(capture);
        }
        else
        {
            _rehearsal.Pack(capture);
        }
    }

    /// <summary>
    /// The status the error answer carries: a client's mistake its own (4xx), a storage outage 503, anything else 500
    /// (as the HTTP layer maps them).
    /// </summary>
    public static int StatusCodeOf(Exception error) => error switch
    {
        ServingException serving => serving.StatusCode,
        RequestFailedException { Status: 0 or >= 500 } => 503,
        _ => 500,
    };

    /// <summary>Now in UTC ticks, strictly increasing within the process, so two requests never share a RowKey.</summary>
    private void RecordMetrics(InferenceLogCapture capture, string outcome)
    {
        // A mirror copy is no request served: the mirror's own counters count it.
        if (!capture.IsWarmup && !capture.IsMirror)
        {
            AppMetrics.RecordInference(capture.Model, capture.Version, capture.Source, outcome, _time.GetElapsedTime(capture.StartTimestamp).TotalMilliseconds);
        }
    }

    private long NextUniqueTicks()
    {
        var now = _time.GetUtcNow().UtcTicks;
        while (true)
        {
            var last = Volatile.Read(ref _lastTicks);
            var next = now > last ? now : last + 1;
            if (Interlocked.CompareExchange(ref _lastTicks, next, last) == last)
            {
                return next;
            }
        }
    }
}
