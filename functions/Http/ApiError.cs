using System.Text.Json.Serialization;

namespace Serverless.Functions.Http;

/// <summary>
/// Every error answer's body: a message for people, a stable <c>code</c> for programs (one of
/// <see cref="Core.Errors.ErrorCodes"/>) and, for server faults, the id the detail was logged under.
/// </summary>
public sealed record ApiError(
    string Error,
    string Code,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? CorrelationId = null);
