using Microsoft.ML.OnnxRuntime;
using Serverless.Core.Models;
using Serverless.Core.Protocol;
using Serverless.Core.Tabular;

namespace Serverless.Core.Monitoring.Logging;

/// <summary>
/// One request's log record in the making, from <see cref="InferenceLogger.Begin"/> to <see cref="InferenceLogger.Complete"/>
/// or <see cref="InferenceLogger.Fail"/>: it settles the request id (see <see cref="RequestIds"/>), decides sampling once the
/// id is known, and takes what serving already has in hand (the feature batch's values and the predictions, or copies
/// of the tensors) so that nothing is serialised on the request path. The hooks do nothing when the request is not
/// logged (<see cref="IsRecording"/> false). Not thread-safe: one per request; after completion the buffer owns it.
/// </summary>
public sealed class InferenceLogCapture
{
    private readonly bool _enabled;
    private readonly double _sampleRate;
    private bool _sampled;

    internal InferenceLogCapture(bool enabled, double sampleRate, string source, string model, string? requestedVersion, string? requestId,
        DateTimeOffset timestampUtc, long startTimestamp)
    {
        _enabled = enabled;
        _sampleRate = sampleRate;
        Source = source;
        Model = model;
        Version = requestedVersion;
        TimestampUtc = timestampUtc;
        StartTimestamp = startTimestamp;
        if (requestId is not null)
        {
            SetRequestId(requestId);
        }
    }

    /// <summary><see cref="InferenceLogSource.Predict"/> or <see cref="InferenceLogSource.Infer"/>.</summary>
    public string Source { get; }

    public string Model { get; }

    /// <summary>The version that served (once resolved), else the one asked for.</summary>
    public string? Version { get; private set; }

    /// <summary>The request id once settled (a header's at the start, an OIP body's after parsing); see <see cref="EnsureRequestId"/>.</summary>
    public string? RequestId { get; private set; }

    /// <summary>When the request arrived (UTC, unique per process so RowKeys never collide).</summary>
    public DateTimeOffset TimestampUtc { get; }

    /// <summary>Whether logging is on for this request (it may still be sampled out once its id is settled).</summary>
    public bool Enabled => _enabled;

    /// <summary>Whether this request's records will be logged: logging is on, the id is settled and it is in the sample.</summary>
    public bool IsRecording => _enabled && _sampled;

    internal long StartTimestamp { get; }

    /// <summary>The host's own warm-up request: neither logged nor counted in metrics.</summary>
    internal bool IsWarmup { get; init; }

    /// <summary>A mirror (shadow) copy: scored off the request path under the primary's request id; logged with the mirror mark.</summary>
    public bool IsMirror { get; internal init; }

    internal double LatencyMs { get; set; }

    internal string Status { get; set; } = InferenceLogStatus.Ok;

    internal string? Error { get; set; }

    /// <summary>A failed request's HTTP status (as the error answer carries it); 0 while it has not failed.</summary>
    internal int StatusCode { get; set; }

    internal InferenceLogPayload? Payload { get; private set; }

    /// <summary>The request id's hash (<see cref="InferenceLogKeys.Hash"/>), which picks the shard.</summary>
    internal ulong RequestIdHash { get; private set; }

    /// <summary>The records this request becomes: its rows, or one for a failure.</summary>
    internal int RecordCount => Status == InferenceLogStatus.Error ? 1 : Payload?.RowCount ?? 0;

    /// <summary>OIP: the body's id wins when given; else the header's; else a new one. Returns the id the response must carry.</summary>
    public string ResolveRequestId(string? bodyId)
    {
        if (bodyId is not null)
        {
            SetRequestId(bodyId);
            return bodyId;
        }

        return EnsureRequestId();
    }

    /// <summary>The settled request id, settling a new one when none was given.</summary>
    public string EnsureRequestId()
    {
        if (RequestId is null)
        {
            SetRequestId(RequestIds.New());
        }

        return RequestId!;
    }

    /// <summary>Notes the version the request resolved to (so a later failure is logged against it).</summary>
    public void SetVersion(ModelVersion version) => Version = version.Version;

    /// <summary>The records API hook: copies the rows' feature values out of the batch (compactly) and keeps the predictions by reference.</summary>
    public void RecordTabular(ModelVersion version, FeatureBatch batch, IReadOnlyList<TabularPrediction> predictions)
    {
        Version = version.Version;
        if (IsRecording)
        {
            Payload = new TabularLogPayload(batch, predictions);
        }
    }

    /// <summary>
    /// The OIP hook: copies the inputs and the first output (or summaries of them) before the request disposes them.
    /// With the version's bound manifest (<paramref name="tabular"/>) and inputs in its layout, the rows are logged
    /// like the records API's: features under the manifest's names and the predictions read as the records API reads them.
    /// </summary>
    public void RecordTensors(ModelVersion version, InferRequest request, IReadOnlyList<string> outputNames, IReadOnlyCollection<OrtValue> outputs,
        TabularModel? tabular = null)
    {
        Version = version.Version;
        if (IsRecording)
        {
            Payload = TensorLogPayload.Capture(request.InputNames, request.InputValues, outputNames, outputs, tabular);
        }
    }

    /// <summary>As above for tensors not parsed from a request (a graph member's inputs, owned by the caller).</summary>
    public void RecordTensors(ModelVersion version, IReadOnlyList<string> inputNames, IReadOnlyList<OrtValue> inputValues, IReadOnlyList<string> outputNames,
        IReadOnlyCollection<OrtValue> outputs, TabularModel? tabular = null)
    {
        Version = version.Version;
        if (IsRecording)
        {
            Payload = TensorLogPayload.Capture(inputNames, inputValues, outputNames, outputs, tabular);
        }
    }

    private void SetRequestId(string requestId)
    {
        RequestId = requestId;
        if (_enabled)
        {
            RequestIdHash = InferenceLogKeys.Hash(requestId);
            _sampled = InferenceLogKeys.IsSampled(RequestIdHash, _sampleRate);
        }
    }
}
