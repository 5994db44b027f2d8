using System.Globalization;
using Serverless.Core.Models;

namespace Serverless.Core.Tabular;

/// <summary>
/// The compiled checks for one feature: numeric range and whole-number requirement, or the set of allowed
/// categories (looked up by character span so a JSON or CSV cell maps to the manifest's own string without
/// allocating). Immutable; thread-safe.
/// </summary>
internal sealed class FeatureRule
{
    private readonly Dictionary<string, string>? _categories;
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _categoryLookup;

    public FeatureRule(FeatureSpec spec, bool integerOnly)
    {
        Spec = spec;
        IsNumeric = spec.Type == FeatureType.Numeric;
        IntegerOnly = integerOnly;
        Min = spec.Min ?? double.NegativeInfinity;
        Max = spec.Max ?? double.PositiveInfinity;
        if (spec.Values is not null)
        {
            _categories = spec.Values.ToDictionary(v => v, v => v, StringComparer.Ordinal);
            _categoryLookup = _categories.GetAlternateLookup<ReadOnlySpan<char>>();
        }
    }

    public FeatureSpec Spec { get; }

    public string Name => Spec.Name;

    public bool IsNumeric { get; }

    /// <summary>The model's input is INT64, so values must be whole numbers.</summary>
    public bool IntegerOnly { get; }

    public double Min { get; }

    public double Max { get; }

    /// <summary>Null when the value is acceptable, else the reason it is not.</summary>
    public string? CheckNumber(double value)
    {
        if (!double.IsFinite(value))
        {
            return $"expected a finite number, got {Format(value)}";
        }

        if (IntegerOnly && (Math.Floor(value) != value || value < long.MinValue || value > long.MaxValue))
        {
            return $"expected a whole number (the model's input is INT64), got {Format(value)}";
        }

        if (value < Min || value > Max)
        {
            return Spec.Min is not null && Spec.Max is not null
                ? $"{Format(value)} is outside the range [{Format(Min)}, {Format(Max)}]"
                : value < Min ? $"{Format(value)} is below the minimum {Format(Min)}" : $"{Format(value)} is above the maximum {Format(Max)}";
        }

        return null;
    }

    /// <summary>The manifest's own string for an allowed category, or a new string when every category is allowed; null when refused.</summary>
    public string? ToCategory(ReadOnlySpan<char> text)
    {
        if (_categories is null)
        {
            return new string(text);
        }

        return _categoryLookup.TryGetValue(text, out var category) ? category : null;
    }

    public string DescribeCategories() =>
        _categories is null ? "" : string.Join(", ", Spec.Values!.Take(20).Select(v => $"'{v}'")) + (Spec.Values!.Count > 20 ? ", ..." : "");

    public static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);
}
