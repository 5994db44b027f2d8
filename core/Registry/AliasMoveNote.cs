using Serverless.Core.Errors;

namespace Serverless.Core.Registry;

/// <summary>
/// Who moves an alias and why, recorded with the move. <see cref="By"/> is what the caller's host knows of it (a principal
/// name, the key level, "sweep {id}"); never a secret. Control characters become '?' and it is cut to <see cref="MaxByLength"/>.
/// </summary>
public sealed record AliasMoveNote
{
    public const int MaxReasonLength = 500;
    public const int MaxByLength = 200;

    /// <summary>A note; BadRequest naming <c>reason</c> when it is longer than <see cref="MaxReasonLength"/>.</summary>
    public AliasMoveNote(string by, string? reason = null)
    {
        if (reason?.Length > MaxReasonLength)
        {
            throw ServingException.BadRequest($"'reason' must be at most {MaxReasonLength} characters (was {reason.Length}).");
        }

        By = Clean(string.IsNullOrWhiteSpace(by) ? "unknown" : by, MaxByLength);
        Reason = string.IsNullOrEmpty(reason) ? null : reason;
    }

    public string By { get; }

    public string? Reason { get; }

    /// <summary>A note for a caller no host described (tests, tools inside the process).</summary>
    public static AliasMoveNote Unknown { get; } = new("unknown");

    /// <summary>
    /// The note for a move a system makes on its own behalf, its reason cut to <see cref="MaxReasonLength"/> rather than refused.
    /// </summary>
    public static AliasMoveNote System(string by, string? reason) =>
        new(by, reason is { Length: > MaxReasonLength } ? reason[..(MaxReasonLength - 3)] + "..." : reason);

    private static string Clean(string text, int max)
    {
        var cut = text.Length <= max ? text : text[..max];
        return string.Create(cut.Length, cut, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? '?' : source[i];
            }
        });
    }
}
