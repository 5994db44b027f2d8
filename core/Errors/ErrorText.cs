using System.Text.RegularExpressions;

namespace Serverless.Core.Errors;

/// <summary>
/// Makes exception text safe to show a caller: absolute file paths and URLs (which name hosts, storage accounts and
/// their signatures) become "&lt;path&gt;", line breaks and runs of spaces collapse, and the length is capped, keeping
/// what the caller can act on. Pure; thread-safe.
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

    /// <summary>Bounds the input before patterns run on it (they stay linear-ish on a bounded input).</summary>
    public static string Bound(string message) => message.Length > MaxInputLength ? message[..MaxInputLength] : message;

    /// <summary>"/a/b", "C:\a\b", "\\server\share", "https://host/x" where a path may start (not "a/b" inside a word, not "1/2").</summary>
    [GeneratedRegex(@"(?<![\w.<>/\\])(?:[A-Za-z]:[\\/]|\\\\|/)[^\s""'`()\[\],;]+")]
    private static partial Regex AbsolutePath();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
