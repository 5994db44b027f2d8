using System.Text.Json.Serialization;

namespace Serverless.Functions.Health;

/// <summary>OIP v2 server metadata.</summary>
public sealed record ServerMetadataResponse(string Name, string Version, IReadOnlyList<string> Extensions);

/// <summary>Liveness: the process answers.</summary>
public sealed record LivenessResponse(bool Live);

/// <summary>
/// Readiness: ready with how long start-up took, or (HTTP 503) not yet, with the start-up stage in <c>status</c> and the
/// error shape's <c>error</c> and <c>code</c> (<c>unavailable</c>).
/// </summary>
public sealed record ReadinessResponse(
    bool Ready,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? StartupMs = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Status = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Code = null);
