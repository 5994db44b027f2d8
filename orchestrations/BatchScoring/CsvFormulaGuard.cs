using System.Numerics;

namespace Serverless.Orchestrations.BatchScoring;

/// <summary>
/// Keeps text cells of the CSVs batch scoring writes from running as spreadsheet formulas: a cell whose first
/// character is <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>, tab or carriage return gets a leading apostrophe (OWASP's
/// advice for CSV injection), unless the whole cell is a plain number such as <c>-5</c> or <c>+1.5e3</c>, which a
/// spreadsheet reads as that number. Numbers the scorer writes never pass through here. Pure; thread-safe.
/// </summary>
public static class CsvFormulaGuard
{
    public const char Escape = '\'';

    /// <summary>True when <paramref name="cell"/> would start a formula.</summary>
    public static bool NeedsEscape(ReadOnlySpan<char> cell) => NeedsEscapeCore(cell);

    /// <summary>True when the UTF-8 <paramref name="cell"/> would start a formula.</summary>
    public static bool NeedsEscape(ReadOnlySpan<byte> cell) => NeedsEscapeCore(cell);

    /// <summary>The cell as it is safe to write: unchanged, or with a leading apostrophe.</summary>
    public static string Guard(string? cell) => cell is null ? string.Empty : NeedsEscape(cell) ? Escape + cell : cell;

    private static bool NeedsEscapeCore<T>(ReadOnlySpan<T> cell)
        where T : IBinaryInteger<T>
    {
        if (cell.IsEmpty)
        {
            return false;
        }

        var first = int.CreateTruncating(cell[0]);
        return first is '=' or '+' or '-' or '@' or '\t' or '\r' && !IsPlainNumber(cell);
    }

    /// <summary>[+-]digits[.digits][(e|E)[+-]digits], with at least one digit before the exponent.</summary>
    private static bool IsPlainNumber<T>(ReadOnlySpan<T> cell)
        where T : IBinaryInteger<T>
    {
        var i = 0;
        if (i < cell.Length && int.CreateTruncating(cell[i]) is '+' or '-')
        {
            i++;
        }

        var digits = Digits(cell, ref i);
        if (i < cell.Length && int.CreateTruncating(cell[i]) == '.')
        {
            i++;
            digits += Digits(cell, ref i);
        }

        if (digits == 0)
        {
            return false;
        }

        if (i < cell.Length && int.CreateTruncating(cell[i]) is 'e' or 'E')
        {
            i++;
            if (i < cell.Length && int.CreateTruncating(cell[i]) is '+' or '-')
            {
                i++;
            }

            if (Digits(cell, ref i) == 0)
            {
                return false;
            }
        }

        return i == cell.Length;
    }

    private static int Digits<T>(ReadOnlySpan<T> cell, ref int i)
        where T : IBinaryInteger<T>
    {
        var start = i;
        while (i < cell.Length && int.CreateTruncating(cell[i]) is >= '0' and <= '9')
        {
            i++;
        }

        return i - start;
    }
}
