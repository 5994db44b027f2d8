using System.Globalization;
using System.Text;

namespace Serverless.Core.Tabular;

// The cell setters the row readers call for the current row: parsing, range and category checks, missing values.
public sealed partial class FeatureBatch
{
    internal void SetMissing(int feature)
    {
        if (!Claim(feature))
        {
            return;
        }

        var rule = _rules[feature];
        if (!rule.Spec.AllowMissing)
        {
            Reject(feature, "missing (null or empty)");
        }
        else if (rule.IsNumeric)
        {
            _numbers[feature]![RowCount] = double.NaN;
        }
        else
        {
            _categories[feature]![RowCount] = string.Empty;
        }
    }

    internal void SetNumber(int feature, double value)
    {
        if (!Claim(feature))
        {
            return;
        }

        var rule = _rules[feature];
        if (!rule.IsNumeric)
        {
            SetCategoryClaimed(feature, FeatureRule.Format(value).AsSpan());
            return;
        }

        var problem = rule.CheckNumber(value);
        if (problem is not null)
        {
            Reject(feature, problem);
            return;
        }

        _numbers[feature]![RowCount] = value;
    }

    /// <summary>A JSON string (or a boolean's text) for <paramref name="feature"/>.</summary>
    internal void SetJsonText(int feature, ReadOnlySpan<char> text, bool isString)
    {
        if (!Claim(feature))
        {
            return;
        }

        if (_rules[feature].IsNumeric)
        {
            Reject(feature, isString ? $"expected a number, got the string \"{Truncate(text)}\"" : $"expected a number, got {text}");
            return;
        }

        SetCategoryClaimed(feature, text);
    }

    /// <summary>A JSON number's text for a categorical feature, or its value for a numeric one.</summary>
    internal void SetJsonNumber(int feature, ReadOnlySpan<byte> utf8Text, bool parsed, double value)
    {
        if (_rules[feature].IsNumeric)
        {
            if (parsed)
            {
                SetNumber(feature, value);
            }
            else if (Claim(feature))
            {
                Reject(feature, $"{Truncate(Encoding.UTF8.GetString(utf8Text[..Math.Min(utf8Text.Length, 160)]))} is out of range for a number");
            }

            return;
        }

        if (Claim(feature))
        {
            var chars = utf8Text.Length <= 128 ? stackalloc char[128] : new char[utf8Text.Length];
            var length = Encoding.UTF8.GetChars(utf8Text, chars);
            SetCategoryClaimed(feature, chars[..length]);
        }
    }

    /// <summary>A value of a type no feature takes (an object or array).</summary>
    internal void SetWrongType(int feature, string describedToken)
    {
        if (Claim(feature))
        {
            Reject(feature, $"expected {(_rules[feature].IsNumeric ? "a number" : "a category (string)")}, got {describedToken}");
        }
    }

    /// <summary>A text cell (CSV): empty is missing; numbers parse with the invariant culture.</summary>
    internal void SetText(int feature, string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            SetMissing(feature);
            return;
        }

        if (!_rules[feature].IsNumeric)
        {
            if (Claim(feature))
            {
                SetCategoryClaimed(feature, text.AsSpan());
            }

            return;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
        {
            SetNumber(feature, value);
        }
        else if (Claim(feature))
        {
            Reject(feature, $"expected a number, got \"{Truncate(text)}\"");
        }
    }

    /// <summary>A UTF-8 text cell: blank is missing; numbers parse with the invariant culture.</summary>
    internal void SetUtf8Text(int feature, ReadOnlySpan<byte> utf8)
    {
        var text = TrimAscii(utf8);
        if (text.IsEmpty)
        {
            SetMissing(feature);
            return;
        }

        if (_rules[feature].IsNumeric)
        {
            if (Utf8Decimal.TryParse(text, out var value) && double.IsFinite(value))
            {
                SetNumber(feature, value);
            }
            else if (Claim(feature))
            {
                Reject(feature, $"expected a number, got \"{Truncate(Encoding.UTF8.GetString(text[..Math.Min(text.Length, 160)]))}\"");
            }

            return;
        }

        if (Claim(feature))
        {
            var chars = utf8.Length <= 256 ? stackalloc char[256] : new char[Encoding.UTF8.GetMaxCharCount(utf8.Length)];
            var length = Encoding.UTF8.GetChars(utf8, chars);
            SetCategoryClaimed(feature, chars[..length]);
        }
    }

    private static ReadOnlySpan<byte> TrimAscii(ReadOnlySpan<byte> utf8)
    {
        var start = 0;
        var end = utf8.Length;
        while (start < end && IsAsciiWhite(utf8[start]))
        {
            start++;
        }

        while (end > start && IsAsciiWhite(utf8[end - 1]))
        {
            end--;
        }

        return utf8[start..end];
    }

    private static bool IsAsciiWhite(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or 0x0B or 0x0C;

    private void SetCategoryClaimed(int feature, ReadOnlySpan<char> text)
    {
        var rule = _rules[feature];
        var category = rule.ToCategory(text);
        if (category is null)
        {
            Reject(feature, $"'{Truncate(text)}' is not one of the known categories ({rule.DescribeCategories()})");
            return;
        }

        _categories[feature]![RowCount] = category;
    }
}
