namespace Serverless.Core.Monitoring.Variants;

/// <summary>
/// Count, mean and sample variance of a stream of numbers (Welford's update, so precision holds over millions of
/// values), in constant memory: what the Welch test and a t interval of the mean need. Not thread-safe.
/// </summary>
public sealed class Moments
{
    private double _m2;

    public long Count { get; private set; }

    public double Mean { get; private set; }

    /// <summary>The sample variance (divisor n − 1); 0 below two values.</summary>
    public double Variance => Count < 2 ? 0 : _m2 / (Count - 1);

    public static Moments Of(IEnumerable<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var moments = new Moments();
        foreach (var value in values)
        {
            moments.Add(value);
        }

        return moments;
    }

    public void Add(double value)
    {
        Count++;
        var delta = value - Mean;
        Mean += delta / Count;
        _m2 += delta * (value - Mean);
    }

    /// <summary>The mean with its 95 % Student t interval (mean ± t(0.975, n − 1)·s/√n); at least two values.</summary>
    public Estimate MeanInterval()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Count, 2);
        var half = StudentT.Quantile(0.975, Count - 1) * Math.Sqrt(Variance / Count);
        return new Estimate(Mean, Mean - half, Mean + half);
    }
}
