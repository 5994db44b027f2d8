using System.Text.RegularExpressions;

namespace Serverless.Core.Errors;

/// <summary>
/// Makes exception text safe to show a caller: absolute file paths and URLs (which name hosts, storage accounts and
/// their signatures) become "&lt;path&gt;", line breaks and runs of spaces collapse, and the length is capped, keeping
/// what the caller can act on. <see cref="Reason"/> also drops the wrappers and exception type names a workflow's
/// failure carries. Pure; thread-safe.
/// </summary>
public static partial class ErrorText
{
    /// <summary>The longest cleaned text, in characters (longer is cut and ends with "…").</summary>
    public const int MaxLength = 300;

    private const int MaxInputLength = 4000;

    public static string Clean(string? message)
    {
        if (string.IsNullOrWhiteSpace(message))
        {
            return "(no detail)";
        }

        var text = message.Length > MaxInputLength ? message[..MaxInputLength] : message;
        text = AbsolutePath().Replace(text, "<path>");
        text = Whitespace().Replace(text, " ").Trim();
        if (text.Length > MaxLength)
        {
            var cut = text.LastIndexOf(' ', MaxLength - 1);
            text = text[..(cut > MaxLength / 2 ? cut : MaxLength - 1)] + "…";
        }

        return text.Length == 0 ? "(no detail)" : text;
    }

    /// <summary>
    /// A failure's reason in words, as a caller should read it: <see cref="Clean"/>ed, and without what Durable Task and
    /// .NET put around it wherever it occurs — "Task 'X' (#7) failed with an unhandled exception: ", "Sub-orchestration
    /// 'X' (#2) failed …" and exception type names such as "System.InvalidOperationException: ".
    /// </summary>
    public static string Reason(string? message)
    {
        var text = Bound(message ?? string.Empty);
        for (var pass = 0; pass < 16; pass++)
        {
            var stripped = TypeName().Replace(DurableWrapper().Replace(text, string.Empty), string.Empty);
            if (stripped.Length == text.Length)
            {
                break;
            }

            text = stripped;
        }

        return Clean(text);
    }

    /// <summary>Bounds the input before patterns run on it (they stay linear-ish on a bounded input).</summary>
    public static string Bound(string message) => message.Length > MaxInputLength ? message[..MaxInputLength] : message;

    /// <summary>
    /// "/a/b", "C:\a\b", "\\server\share", "https://host/x" where a path may start (not "a/b" inside a word, not "1/2"),
    /// but not this app's own routes ("/api/models/x/versions/1/manifest"), which a reason may point at.
    /// </summary>
    [GeneratedRegex(@"(?<![\w.<>/\\])(?!/api/)(?:[A-Za-z]:[\\/]|\\\\|/)[^\s""'`()\[\],;]+")]
    private static partial Regex AbsolutePath();

    /// <summary>"Task 'X' (#7) failed with an unhandled exception: " and its sub-orchestration and orchestration forms.</summary>
    [GeneratedRegex(@"(?:Task|Sub-orchestration|Orchestration|Activity) '[^'\r\n]{0,200}' \(#\d+\) failed with an unhandled exception:\s*")]
    private static partial Regex DurableWrapper();

    /// <summary>An exception type name followed by ": ", as Exception.ToString() writes it ("System.IO.IOException: ", "TaskFailedException: ").</summary>
    [GeneratedRegex(@"\b(?:[A-Za-z_]\w{0,100}\.){0,16}[A-Za-z_]\w{0,100}Exception:\s+")]
    private static partial Regex TypeName();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
