namespace Serverless.Core.Monitoring.Drift;

/// <summary>
/// A numeric feature's present values (finite only; the constructor rejects NaN and ±∞ — count them in
/// <see cref="DriftColumn.Missing"/>). As a reference the values may be a uniform sample of a larger dataset;
/// then <see cref="ReferenceStdDev"/> carries the full data's population standard deviation, which the
/// Wasserstein score is normalised by instead of the sample's. As a current window the values may be a uniform
/// sample too: then <see cref="PresentValues"/> says how many present values they were drawn from, and the
/// engine reports that count as n_current with the sample's size beside it. Immutable (the array is not copied: do
/// not change it).
/// </summary>
public sealed class NumericColumn : DriftColumn
{
    public NumericColumn(string name, double[] values, long missing, double? referenceStdDev = null, long? presentValues = null)
        : base(name, missing)
    {
        ArgumentNullException.ThrowIfNull(values);
        foreach (var value in values)
        {
            if (!double.IsFinite(value))
            {
                throw new ArgumentException($"Column '{name}' has a non-finite value ({value}); count it as missing instead.", nameof(values));
            }
        }

        if (referenceStdDev is { } std && (!double.IsFinite(std) || std < 0))
        {
            throw new ArgumentOutOfRangeException(nameof(referenceStdDev), referenceStdDev, "The reference standard deviation must be finite and non-negative.");
        }

        if (presentValues is { } present && present < values.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(presentValues), presentValues, $"Column '{name}' holds {values.Length} values, more than the {present} it is a sample of.");
        }

        Values = values;
        ReferenceStdDev = referenceStdDev;
        PresentValues = presentValues ?? values.Length;
    }

    public IReadOnlyList<double> Values { get; }

    /// <summary>Population standard deviation of the full reference data when <see cref="Values"/> is a sample of it; null to use the values'.</summary>
    public double? ReferenceStdDev { get; }

    /// <summary>The present values the column stands for: <see cref="Values"/>' count, or more when they are a sample.</summary>
    public long PresentValues { get; }

    /// <summary>True when <see cref="Values"/> is a sample of <see cref="PresentValues"/> values.</summary>
    public bool IsSample => PresentValues > Values.Count;

    public override string Type => "numeric";

    public override long ValueCount => Values.Count;
}
