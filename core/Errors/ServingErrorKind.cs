namespace Serverless.Core.Errors;

/// <summary>The kind of a client-visible failure; each maps to one HTTP status code.</summary>
public enum ServingErrorKind
{
    /// <summary>The request is malformed or does not match the model (HTTP 400).</summary>
    BadRequest = 400,

    /// <summary>The model, version or alias does not exist (HTTP 404).</summary>
    NotFound = 404,

    /// <summary>The request conflicts with what is stored (HTTP 409).</summary>
    Conflict = 409,

    /// <summary>An If-Match precondition did not hold (HTTP 412).</summary>
    PreconditionFailed = 412,

    /// <summary>The request body is over the configured limit (HTTP 413).</summary>
    PayloadTooLarge = 413,

    /// <summary>
    /// A blob the app trusts (a model's bytes, its manifest) no longer matches the SHA-256 the registry holds for
    /// it (HTTP 500): the stored data changed behind the app's back; an operator must register it again.
    /// </summary>
    IntegrityFailure = 500,

    /// <summary>The server is not ready yet (HTTP 503).</summary>
    Unavailable = 503,
}
