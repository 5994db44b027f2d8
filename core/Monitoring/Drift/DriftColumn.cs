namespace Serverless.Core.Monitoring.Drift;

/// <summary>
/// One feature's values in one dataset (the reference or the current window), the input of
/// <see cref="DriftEngine.Compare"/>: a <see cref="NumericColumn"/> or a <see cref="CategoricalColumn"/>.
/// <see cref="Missing"/> counts rows without a value (empty, NaN, ±∞), which no test sees. Immutable.
/// </summary>
public abstract class DriftColumn
{
    private protected DriftColumn(string name, long missing)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfNegative(missing);
        Name = name;
        Missing = missing;
    }

    public string Name { get; }

    public long Missing { get; }

    /// <summary><c>numeric</c> or <c>categorical</c>.</summary>
    public abstract string Type { get; }

    /// <summary>The number of values the column holds (its present rows, or its sample's size).</summary>
    public abstract long ValueCount { get; }
}
