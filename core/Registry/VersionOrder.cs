namespace Serverless.Core.Registry;

/// <summary>
/// Orders versions the way people number them: digit runs compare as numbers ("10" after "9", "1.10" after "1.9"),
/// everything else ordinally. The latest version of a model is the greatest in this order.
/// </summary>
public sealed class VersionOrder : IComparer<string>
{
    public static readonly VersionOrder Instance = new();

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }

        if (x is null || y is null)
        {
            return x is null ? -1 : 1;
        }

        int i = 0, j = 0;
        while (i < x.Length && j < y.Length)
        {
            if (char.IsAsciiDigit(x[i]) && char.IsAsciiDigit(y[j]))
            {
                var startX = i;
                var startY = j;
                while (i < x.Length && char.IsAsciiDigit(x[i])) { i++; }
                while (j < y.Length && char.IsAsciiDigit(y[j])) { j++; }
                var digitsX = x.AsSpan(startX, i - startX).TrimStart('0');
                var digitsY = y.AsSpan(startY, j - startY).TrimStart('0');
                var byLength = digitsX.Length.CompareTo(digitsY.Length);
                if (byLength != 0)
                {
                    return byLength;
                }

                var byDigits = digitsX.SequenceCompareTo(digitsY);
                if (byDigits != 0)
                {
                    return byDigits;
                }
            }
            else
            {
                var byChar = x[i].CompareTo(y[j]);
                if (byChar != 0)
                {
                    return byChar;
                }

                i++;
                j++;
            }
        }

        var byRest = (x.Length - i).CompareTo(y.Length - j);
        return byRest != 0 ? byRest : string.CompareOrdinal(x, y);
    }
}
