namespace Serverless.Core.Errors;

/// <summary>
/// The stable, machine-readable <c>code</c> of every error answer (<c>{"error": "...", "code": "..."}</c>): the one
/// list clients code against, the OpenAPI document and the README's error table are built from. A code never changes
/// meaning; a new case gets a new code. Pure; thread-safe.
/// </summary>
public static class ErrorCodes
{
    public const string InvalidInput = "invalid_input";
    public const string Forbidden = "forbidden";
    public const string ModelNotFound = "model_not_found";
    public const string VersionNotFound = "version_not_found";
    public const string AliasNotFound = "alias_not_found";
    public const string NotFound = "not_found";
    public const string Conflict = "conflict";
    public const string PreconditionFailed = "precondition_failed";
    public const string PayloadTooLarge = "payload_too_large";
    public const string IntegrityFailure = "integrity_failure";
    public const string InternalError = "internal_error";
    public const string Unavailable = "unavailable";
    public const string StorageUnavailable = "storage_unavailable";

    /// <summary>Every code with its HTTP status and what it means, in the order the documentation lists them.</summary>
    public static IReadOnlyList<ErrorCode> All { get; } =
    [
        new(InvalidInput, 400, "The request is malformed or does not fit the model, the manifest or the field's rules; the message names the field."),
        new(Forbidden, 403, "Local runner only, without keys: the request did not come from this machine (a non-loopback Host, or a cross-origin write)."),
        new(ModelNotFound, 404, "No model of that name has a version."),
        new(VersionNotFound, 404, "The model exists but has no such version."),
        new(AliasNotFound, 404, "The model has no such alias."),
        new(NotFound, 404, "Anything else that does not exist: a manifest, baseline, report, blob, orchestration instance or sweep."),
        new(Conflict, 409, "The request conflicts with what is stored or running: a version registered with other bytes, a version an alias points at, a monitoring run of another scope, too many sweeps running, a concurrent change."),
        new(PreconditionFailed, 412, "An If-Match ETag no longer matches the alias."),
        new(PayloadTooLarge, 413, "The body is over the route's limit."),
        new(IntegrityFailure, 500, "A stored model or manifest no longer matches the SHA-256 the registry holds; an operator must register it again."),
        new(InternalError, 500, "The server failed; the answer carries a correlation_id under which the detail is logged."),
        new(Unavailable, 503, "The server is not ready yet (start-up warming, a registry entry being written); retry later."),
        new(StorageUnavailable, 503, "Storage did not answer; retry later. The answer carries a correlation_id."),
    ];

    /// <summary>The code a <see cref="ServingErrorKind"/> has unless the thrower names a more specific one.</summary>
    public static string For(ServingErrorKind kind) => kind switch
    {
        ServingErrorKind.BadRequest => InvalidInput,
        ServingErrorKind.NotFound => NotFound,
        ServingErrorKind.Conflict => Conflict,
        ServingErrorKind.PreconditionFailed => PreconditionFailed,
        ServingErrorKind.PayloadTooLarge => PayloadTooLarge,
        ServingErrorKind.IntegrityFailure => IntegrityFailure,
        ServingErrorKind.Unavailable => Unavailable,
        _ => InternalError,
    };

    /// <summary>The entry of <paramref name="code"/>; throws for a code not in <see cref="All"/>.</summary>
    public static ErrorCode Get(string code) =>
        All.FirstOrDefault(c => c.Code == code) ?? throw new ArgumentException($"'{code}' is not an error code.", nameof(code));
}

/// <summary>One error code: the <c>code</c> string, the HTTP status it comes with and its meaning.</summary>
public sealed record ErrorCode(string Code, int Status, string Description);
