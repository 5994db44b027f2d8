using System.Globalization;
using Serverless.Core.Errors;
using Serverless.Core.Protocol;

namespace Serverless.Core.Monitoring.Logging;

/// <summary>
/// The request-id rule, the key that joins a logged prediction to later feedback:
/// <list type="bullet">
/// <item>OIP infer: the body's <c>"id"</c> when given (the protocol echoes it); else the <c>x-request-id</c> header;
/// else a new id.</item>
/// <item><c>/predict</c>: the <c>x-request-id</c> header when given (the records body stays MLflow-shaped); else a new id.</item>
/// </list>
/// Every id a client gives is at most <see cref="MaxLength"/> characters: a longer OIP body id, feedback id or
/// <c>x-request-id</c> header is refused (400), never truncated, since people join on these ids. A header value must be
/// printable ASCII (<see cref="ValidateHeader"/>). New ids are 32 lowercase hex digits. Every answer (success or error,
/// except a refused header) carries the id used in the <c>x-request-id</c> response header; an OIP body id that is not a
/// valid header value is only in the body.
/// Pure functions; thread-safe.
/// </summary>
public static class RequestIds
{
    public const string HeaderName = "x-request-id";

    /// <summary>
    /// The longest request id a client may give (header, OIP body <c>id</c>, feedback <c>id</c>), in characters: room for a
    /// GUID, a W3C trace id or a composite key of the client's, while an id stays cheap to keep with every logged row.
    /// </summary>
    public const int MaxLength = InferRequest.MaxIdLength;

    /// <summary>
    /// A new id: 32 lowercase hex digits, 128 random bits from <see cref="Random.Shared"/> (randomly seeded per process and
    /// per thread, so ids do not repeat across instances in practice). Not a secret; about 30x cheaper than
    /// <see cref="Guid.NewGuid"/>, whose system random source costs a system call per id.
    /// </summary>
    public static string New() => string.Create(32, (Random.Shared.NextInt64(), Random.Shared.NextInt64()), static (span, bits) =>
    {
        ((ulong)bits.Item1).TryFormat(span, out _, "x16", CultureInfo.InvariantCulture);
        ((ulong)bits.Item2).TryFormat(span[16..], out _, "x16", CultureInfo.InvariantCulture);
    });

    /// <summary>The header's value when it is an acceptable id, else null.</summary>
    public static string? FromHeader(string? value) => value is { Length: > 0 and <= MaxLength } && IsHeaderSafe(value) ? value : null;

    /// <summary>
    /// The <c>x-request-id</c> header's value checked at the edge: null when absent or empty, the value when it is 1 to
    /// <see cref="MaxLength"/> printable ASCII characters, else <see cref="ServingException"/> (BadRequest) naming the header.
    /// </summary>
    public static string? ValidateHeader(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        if (value.Length > MaxLength)
        {
            throw ServingException.BadRequest($"The {HeaderName} header is longer than {MaxLength} characters ({value.Length}).");
        }

        return IsHeaderSafe(value)
            ? value
            : throw ServingException.BadRequest($"The {HeaderName} header must be printable ASCII characters.");
    }

    /// <summary>Whether an id can be sent back as a response header value (printable ASCII, not too long).</summary>
    public static bool IsHeaderSafe(string id)
    {
        if (id.Length is 0 or > 1024)
        {
            return false;
        }

        foreach (var c in id)
        {
            if (c is < (char)0x20 or > (char)0x7E)
            {
                return false;
            }
        }

        return true;
    }
}
