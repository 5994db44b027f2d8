using System.Text;
using System.Text.RegularExpressions;
using Serverless.Core.Errors;

namespace Serverless.Core.Onnx;

/// <summary>
/// Makes ONNX Runtime's exception text safe to show a client: drops the "[ErrorCode:...]" and
/// "[ONNXRuntimeError] : n : CODE :" prefixes, source locations with the C++ function after them
/// ("/onnxruntime_src/.../initializer.cc:44 onnxruntime::Initializer::Initializer(...)"), absolute file paths
/// (replaced by "&lt;path&gt;"), line breaks and runs of spaces, and caps the length, keeping what a client can act
/// on ("model_path must not be empty", "Got invalid dimensions for input: x ..."). Pure; thread-safe.
/// </summary>
public static partial class OnnxErrorText
{
    /// <summary>The longest cleaned text, in characters (longer is cut and ends with "…").</summary>
    public const int MaxLength = ErrorText.MaxLength;

    public static string Clean(string? message)
    {
        if (string.IsNullOrWhiteSpace(message))
        {
            return "(no detail)";
        }

        // ONNX Runtime's own decorations first; then what any exception text gets (paths, whitespace, length).
        var text = Prefix().Replace(ErrorText.Bound(message), " ");
        return ErrorText.Clean(RemoveSourceLocations(text));
    }

    /// <summary>Removes "file.cc:123" and the function signature ONNX Runtime prints after it.</summary>
    private static string RemoveSourceLocations(string text)
    {
        var builder = new StringBuilder(text.Length);
        var at = 0;
        foreach (Match match in SourceLocation().Matches(text))
        {
            if (match.Index < at)
            {
                continue;
            }

            builder.Append(text, at, match.Index - at);
            at = SkipFunction(text, match.Index + match.Length);
        }

        builder.Append(text, at, text.Length - at);
        return builder.ToString();
    }

    /// <summary>
    /// From just after "file.cc:123 ", skips a C++ function name ("onnxruntime::Graph::Graph", template arguments
    /// included) and its parameter list, a trailing "const" and a "[with T = ...]" clause. Returns where the message resumes.
    /// </summary>
    private static int SkipFunction(string text, int start)
    {
        var i = start;
        var angle = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '<')
            {
                angle++;
            }
            else if (c == '>' && angle > 0)
            {
                angle--;
            }
            else if (angle == 0 && !(char.IsLetterOrDigit(c) || c is '_' or ':' or '~' or '*' or '&'))
            {
                break;
            }

            i++;
        }

        if (i == start)
        {
            return start;
        }

        if (i < text.Length && text[i] == '(')
        {
            i = SkipBalanced(text, i, '(', ')');
        }

        if (text.AsSpan(i).StartsWith(" const"))
        {
            i += " const".Length;
        }

        if (text.AsSpan(i).StartsWith(" [with "))
        {
            i = SkipBalanced(text, i + 1, '[', ']');
        }

        return i;
    }

    private static int SkipBalanced(string text, int open, char opening, char closing)
    {
        var depth = 0;
        for (var i = open; i < text.Length; i++)
        {
            if (text[i] == opening)
            {
                depth++;
            }
            else if (text[i] == closing && --depth == 0)
            {
                return i + 1;
            }
        }

        return text.Length;
    }

    [GeneratedRegex(@"\[ErrorCode:\w+\]|\[ONNXRuntimeError\]\s*:\s*\d+\s*:\s*\w+\s*:")]
    private static partial Regex Prefix();

    [GeneratedRegex(@"(?:[A-Za-z]:)?[\w.\\/-]*\.(?:cc|cpp|cxx|c|h|hpp|cu|inl):\d+ ?")]
    private static partial Regex SourceLocation();
}
