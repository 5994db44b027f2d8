using System.Globalization;
using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace Serverless.Core.Monitoring.Monitor;

/// <summary>
/// Bounded keys and display text for categories that come from traffic. Pure; thread-safe.
/// </summary>
public static class CategoryKeys
{
    /// <summary>Characters of a category quoted in findings, alerts and report examples.</summary>
    public const int MaxShownLength = 40;

    private const int HashChars = 16;

    /// <summary>
    /// The value itself when it has at most <see cref="WindowLimits.MaxCategoryLength"/> characters; otherwise its
    /// first characters, "…" and 16 hex digits of a 64-bit hash of the whole value (XxHash3), in that length.
    /// </summary>
    public static string Key(string value)
    {
        if (value.Length <= WindowLimits.MaxCategoryLength)
        {
            return value;
        }

        var hash = XxHash3.HashToUInt64(MemoryMarshal.AsBytes(value.AsSpan()));
        return string.Concat(Prefix(value, WindowLimits.MaxCategoryLength - HashChars - 1), "…", hash.ToString("x16", CultureInfo.InvariantCulture));
    }

    /// <summary>A category as quoted to people: at most <see cref="MaxShownLength"/> characters, cut with "…".</summary>
    public static string Shown(string value) =>
        value.Length <= MaxShownLength ? value : string.Concat(Prefix(value, MaxShownLength - 1), "…");

    /// <summary>The first <paramref name="length"/> characters, one fewer rather than half a surrogate pair.</summary>
    private static ReadOnlySpan<char> Prefix(string value, int length) =>
        value.AsSpan(0, char.IsHighSurrogate(value[length - 1]) ? length - 1 : length);
}
