using System.Globalization;
using System.Text;

namespace Serverless.Core.Errors;

/// <summary>
/// The parts of a <see cref="System.Text.Json.JsonException.Path"/> (<c>$.features[0].min</c>, <c>$['odd name']</c>),
/// and the short form messages show (<c>features[0].min</c>), each name cut to <see cref="JsonErrorText.MaxQuoted"/>
/// characters. Pure; thread-safe.
/// </summary>
internal static class JsonPathSegments
{
    private const int MaxFormatted = 120;

    /// <summary>A property name, or an array index.</summary>
    public readonly record struct Segment(string? Name, int? Index);

    public static List<Segment> Parse(string? path)
    {
        var segments = new List<Segment>();
        if (string.IsNullOrEmpty(path) || path[0] != '$')
        {
            return segments;
        }

        var i = 1;
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                var end = path.IndexOfAny(['.', '['], i + 1);
                end = end < 0 ? path.Length : end;
                segments.Add(new Segment(path[(i + 1)..end], null));
                i = end;
            }
            else if (path[i] == '[' && i + 1 < path.Length && path[i + 1] == '\'')
            {
                var end = path.IndexOf("']", i + 2, StringComparison.Ordinal);
                end = end < 0 ? path.Length : end;
                segments.Add(new Segment(path[(i + 2)..end], null));
                i = Math.Min(path.Length, end + 2);
            }
            else if (path[i] == '[')
            {
                var end = path.IndexOf(']', i + 1);
                end = end < 0 ? path.Length : end;
                segments.Add(int.TryParse(path.AsSpan(i + 1, end - i - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                    ? new Segment(null, index)
                    : new Segment(path[(i + 1)..end], null));
                i = Math.Min(path.Length, end + 1);
            }
            else
            {
                break;
            }
        }

        return segments;
    }

    /// <summary><c>features[0].min</c>: names joined by dots, indexes in brackets; "the body" for the root.</summary>
    public static string Format(IReadOnlyList<Segment> segments)
    {
        var text = new StringBuilder();
        foreach (var segment in segments)
        {
            if (segment.Index is { } index)
            {
                text.Append('[').Append(index.ToString(CultureInfo.InvariantCulture)).Append(']');
            }
            else
            {
                if (text.Length > 0)
                {
                    text.Append('.');
                }

                text.Append(JsonErrorText.Quote(segment.Name ?? ""));
            }
        }

        return text.Length > MaxFormatted ? "…" + text.ToString(text.Length - MaxFormatted, MaxFormatted) : text.ToString();
    }
}
