using System.Globalization;

namespace Serverless.Core.Tabular;

/// <summary>
/// Parses a number from UTF-8 text exactly as <c>double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture)</c>
/// does, faster for the plain decimals data files hold (an optional sign, at most 15 significant digits, at most 22 of
/// them after the point, no exponent): those are one exact integer divided by an exact power of ten, which IEEE division
/// rounds correctly, so the result is the same double. Anything else goes to <c>double.TryParse</c>. Pure; thread-safe.
/// </summary>
internal static class Utf8Decimal
{
    private const int MaxSignificantDigits = 15;

    private static readonly double[] PowersOfTen =
    [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];

    public static bool TryParse(ReadOnlySpan<byte> text, out double value) =>
        TryParsePlain(text, out value) || double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);

    /// <summary>The fast path alone: false (and 0) for anything that is not a plain short decimal.</summary>
    internal static bool TryParsePlain(ReadOnlySpan<byte> text, out double value)
    {
        value = 0;
        var i = 0;
        var negative = false;
        if (!text.IsEmpty && (text[0] == (byte)'-' || text[0] == (byte)'+'))
        {
            negative = text[0] == (byte)'-';
            i = 1;
        }

        ulong mantissa = 0;
        int significant = 0, decimals = 0;
        bool digit = false, point = false;
        for (; i < text.Length; i++)
        {
            var d = (uint)(text[i] - '0');
            if (d <= 9)
            {
                digit = true;
                decimals += point ? 1 : 0;
                if (mantissa != 0 || d != 0)
                {
                    if (++significant > MaxSignificantDigits)
                    {
                        return false;
                    }
                }

                mantissa = (mantissa * 10) + d;
            }
            else if (text[i] == (byte)'.' && !point)
            {
                point = true;
            }
            else
            {
                return false;
            }
        }

        if (!digit || decimals >= PowersOfTen.Length)
        {
            return false;
        }

        var magnitude = decimals == 0 ? (double)mantissa : mantissa / PowersOfTen[decimals];
        value = negative ? -magnitude : magnitude;
        return true;
    }
}
