using System.Text.Json;

namespace Serverless.Core.Monitoring.Logging;

/// <summary>
/// One logged prediction row, as <see cref="InferenceLogReader"/> reads it back. A served request gives one record per
/// row (<see cref="Row"/> 0..N-1, <see cref="Status"/> "ok"); a failed request gives one record with row -1, status
/// "error" and <see cref="Error"/>. All rows of a request share <see cref="RequestId"/>, <see cref="TimestampUtc"/>
/// (when the request arrived) and <see cref="LatencyMs"/> (the whole request, body read to answer built).
/// <para>
/// <see cref="Features"/>: feature name to number, string or null (missing). Records API: every manifest feature
/// (numeric or category). OIP infer to a version with a manifest, inputs in its layout (tensor: the one [N, F]
/// input, column j being feature j; per_feature: one input per feature): every manifest feature, and the
/// predictions as the records API gives them, so these rows are judged exactly like records rows. Other OIP infer
/// with rank-1 or rank-2 inputs sharing their first dimension N: one input
/// [N, F] gives <c>x0..x{F-1}</c>; several inputs give <c>{input}</c> ([N] or [N, 1]) or <c>{input}.x{j}</c>; non-finite
/// tensor values are the strings "NaN", "Infinity", "-Infinity". Any other OIP request gives one record (row 0) whose
/// features summarise each input: <c>{input}.shape</c>, <c>.dtype</c>, <c>.count</c>, <c>.min</c>, <c>.max</c>, <c>.mean</c>,
/// <c>.std</c> (of the finite elements) and <c>.nan</c>, <c>.inf</c> (how many elements were NaN or infinite; records
/// logged before these existed lack the last three).
/// </para>
/// <para>
/// Outputs: records API: <see cref="Label"/>, <see cref="Probability"/> (of that label) or <see cref="Value"/>
/// (regression), and <see cref="Outputs"/> <c>{"scores": [...]}</c> when the model gives class probabilities. OIP:
/// the first output; per row <see cref="Outputs"/> <c>{name: value or [values]}</c>, <see cref="Value"/> its first
/// number or <see cref="Label"/> its first string; otherwise a summary (<c>name, shape, dtype, count, min, max, mean, std, nan, inf</c>).
/// </para>
/// <see cref="Truncated"/>: the features or outputs JSON passed its 32,000-byte budget per record (so that one wide
/// request cannot crowd a block) and was cut after the last whole entry that fit. Records are stored many to a Table
/// entity (see <see cref="Blocks.InferenceLogBlockFormat"/>). Immutable.
/// </summary>
public sealed record InferenceLogRecord
{
    public required string RequestId { get; init; }

    /// <summary>The row's index within the request; -1 for a failed request's single record.</summary>
    public required int Row { get; init; }

    public required string Model { get; init; }

    /// <summary>The version that served the request; for a failed request, the one it resolved to or asked for ("" if neither).</summary>
    public required string Version { get; init; }

    public required DateTimeOffset TimestampUtc { get; init; }

    public required double LatencyMs { get; init; }

    /// <summary><see cref="InferenceLogStatus.Ok"/> or <see cref="InferenceLogStatus.Error"/>.</summary>
    public required string Status { get; init; }

    /// <summary><see cref="InferenceLogSource.Predict"/> or <see cref="InferenceLogSource.Infer"/>.</summary>
    public required string Source { get; init; }

    public string? Error { get; init; }

    /// <summary>A failed request's HTTP status (400, 404, 500, 503, …); null for served rows and failures logged before it was recorded.</summary>
    public int? StatusCode { get; init; }

    public string? Label { get; init; }

    public double? Probability { get; init; }

    public double? Value { get; init; }

    public required IReadOnlyDictionary<string, JsonElement> Features { get; init; }

    public IReadOnlyDictionary<string, JsonElement>? Outputs { get; init; }

    public bool Truncated { get; init; }

    /// <summary>
    /// A mirror (shadow) copy of a request that another version answered: <see cref="RequestId"/> and <see cref="Row"/> are
    /// the primary's, so joining on them pairs each mirror prediction with the one the caller received. Its latency is the
    /// mirror's own scoring, off the request path.
    /// </summary>
    public bool Mirror { get; init; }

    public bool IsError => Status == InferenceLogStatus.Error;
}
