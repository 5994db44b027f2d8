using System.Text;
using Serverless.Core.Errors;

namespace Serverless.Core.Features;

/// <summary>
/// An entity key as it is stored: the key columns' values joined by '|', each value percent-encoded except letters, digits
/// and <c>-_.~</c>, so any text maps to one table key that Azure Tables accepts ('/', '\', '#', '?' and control characters
/// never appear) and distinct keys never collide. Stateless; thread-safe.
/// </summary>
public static class EntityKey
{
    /// <summary>Characters one key value may have.</summary>
    public const int MaxValueLength = 256;

    /// <summary>Characters an encoded key may have (Azure Tables allows 1 KiB).</summary>
    public const int MaxEncodedLength = 1024;

    /// <summary>The stored form of <paramref name="values"/> (one per key column, none empty). BadRequest when too long.</summary>
    public static string Encode(ReadOnlySpan<string> values)
    {
        var builder = new StringBuilder(32);
        for (var i = 0; i < values.Length; i++)
        {
            if (i > 0)
            {
                builder.Append('|');
            }

            Append(builder, values[i]);
        }

        return builder.Length <= MaxEncodedLength
            ? builder.ToString()
            : throw ServingException.BadRequest($"The entity key is too long: at most {MaxEncodedLength} characters once encoded.");
    }

    /// <summary>The key as a caller wrote it, for messages: values joined by ', ', each quoted and cut.</summary>
    public static string Describe(ReadOnlySpan<string> values)
    {
        var parts = new string[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            parts[i] = Storage.DataText.Quote(values[i]);
        }

        return string.Join(", ", parts);
    }

    private static void Append(StringBuilder builder, string value)
    {
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in value.EnumerateRunes())
        {
            if (rune.IsAscii && (char.IsAsciiLetterOrDigit((char)rune.Value) || rune.Value is '-' or '_' or '.' or '~'))
            {
                builder.Append((char)rune.Value);
                continue;
            }

            var length = rune.EncodeToUtf8(utf8);
            for (var b = 0; b < length; b++)
            {
                builder.Append('%').Append(utf8[b].ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }
    }
}
