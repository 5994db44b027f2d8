using System.Text.Json.Serialization;
using Serverless.Core.Mirroring;

namespace Serverless.Functions.Health;

/// <summary>OIP v2 server metadata.</summary>
public sealed record ServerMetadataResponse(string Name, string Version, IReadOnlyList<string> Extensions);

/// <summary>Liveness: the process answers.</summary>
public sealed record LivenessResponse(bool Live);

/// <summary>
/// Readiness: ready with how long start-up took, or (HTTP 503) not yet, with the start-up stage in <c>status</c> and the
/// error shape's <c>error</c> and <c>code</c> (<c>unavailable</c>); <c>mirror</c> counts this instance's mirror copies once it has handled any.
/// </summary>
public sealed record ReadinessResponse(
    bool Ready,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? StartupMs = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Status = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Code = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] MirrorStatus? Mirror = null);

/// <summary>
/// This instance's mirror copies since it started (present once it has handled any): sent to the mirror queue, scored by the
/// mirror (ok) or failed on it (logged as mirror error records), and dropped by reason (<c>queue_full</c>, <c>too_large</c>,
/// <c>unavailable</c>, <c>stale</c>, <c>rate_limited</c>). The same counts are the <c>mirror.copies.*</c> metrics.
/// </summary>
public sealed record MirrorStatus(long Sent, long Scored, long Failed, IReadOnlyDictionary<string, long> Dropped)
{
    public static MirrorStatus? From(MirrorCounters counters) => counters.Any
        ? new(counters.Sent, counters.Scored, counters.Failed, MirrorDropReasons.All.ToDictionary(r => r, counters.Dropped, StringComparer.Ordinal))
        : null;
}
