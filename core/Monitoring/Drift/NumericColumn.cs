namespace Serverless.Core.Monitoring.Drift;

/// <summary>
/// A numeric feature's present values (finite only; the constructor rejects NaN and ±∞ — count them in
/// <see cref="DriftColumn.Missing"/>). As a reference the values may be a uniform sample of a larger dataset;
/// then <see cref="ReferenceStdDev"/> carries the full data's population standard deviation, which the
/// Wasserstein score is normalised by instead of the sample's. Immutable (the array is not copied: do not change it).
/// </summary>
public sealed class NumericColumn : DriftColumn
{
    public NumericColumn(string name, double[] values, long missing, double? referenceStdDev = null)
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

        Values = values;
        ReferenceStdDev = referenceStdDev;
    }

    public IReadOnlyList<double> Values { get; }

    /// <summary>Population standard deviation of the full reference data when <see cref="Values"/> is a sample of it; null to use the values'.</summary>
    public double? ReferenceStdDev { get; }

    public override string Type => "numeric";

    public override long ValueCount => Values.Count;
}
