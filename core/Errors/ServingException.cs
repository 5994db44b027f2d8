namespace Serverless.Core.Errors;

/// <summary>
/// A failure caused by the caller's request (or the server's readiness, or stored data failing its integrity
/// check) whose message is safe to return to the caller verbatim. Anything else that escapes core is a server fault.
/// </summary>
public sealed class ServingException : Exception
{
    public ServingException(ServingErrorKind kind, string message, Exception? inner = null, string? code = null)
        : base(message, inner)
    {
        Kind = kind;
        Code = code ?? ErrorCodes.For(kind);
    }

    /// <summary>The kind of failure, which is also its HTTP status code.</summary>
    public ServingErrorKind Kind { get; }

    /// <summary>The machine-readable code (one of <see cref="ErrorCodes"/>): by default the kind's, else the specific one thrown.</summary>
    public string Code { get; }

    /// <summary>The HTTP status code for <see cref="Kind"/>.</summary>
    public int StatusCode => (int)Kind;

    public static ServingException BadRequest(string message, Exception? inner = null) => new(ServingErrorKind.BadRequest, message, inner);

    public static ServingException NotFound(string message) => new(ServingErrorKind.NotFound, message);

    /// <summary>No model of that name has a version (<see cref="ErrorCodes.ModelNotFound"/>).</summary>
    public static ServingException ModelNotFound(string message) => new(ServingErrorKind.NotFound, message, code: ErrorCodes.ModelNotFound);

    /// <summary>The model exists but has no such version (<see cref="ErrorCodes.VersionNotFound"/>).</summary>
    public static ServingException VersionNotFound(string message) => new(ServingErrorKind.NotFound, message, code: ErrorCodes.VersionNotFound);

    /// <summary>The model has no such alias (<see cref="ErrorCodes.AliasNotFound"/>).</summary>
    public static ServingException AliasNotFound(string message) => new(ServingErrorKind.NotFound, message, code: ErrorCodes.AliasNotFound);

    public static ServingException Conflict(string message) => new(ServingErrorKind.Conflict, message);

    public static ServingException PreconditionFailed(string message) => new(ServingErrorKind.PreconditionFailed, message);

    public static ServingException PayloadTooLarge(string message) => new(ServingErrorKind.PayloadTooLarge, message);

    public static ServingException Unavailable(string message) => new(ServingErrorKind.Unavailable, message);

    public static ServingException IntegrityFailure(string message) => new(ServingErrorKind.IntegrityFailure, message);
}
