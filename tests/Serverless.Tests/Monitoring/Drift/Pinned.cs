namespace Serverless.Tests.Monitoring.Drift;

/// <summary>Assertions against the SciPy values pinned from reference_values.py.</summary>
internal static class Pinned
{
    /// <summary>Tighter than the contract (1e-6 relative): the port reproduces SciPy to ~1e-12.</summary>
    public const double StatisticRelative = 1e-8;

    /// <summary>Tighter than the contract (1e-4 absolute).</summary>
    public const double PValueAbsolute = 1e-8;

    public static void Statistic(double expected, double? actual)
    {
        Assert.NotNull(actual);
        if (double.IsInfinity(expected))
        {
            Assert.Equal(expected, actual!.Value);
            return;
        }

        var tolerance = StatisticRelative * Math.Max(Math.Abs(expected), 1e-300);
        Assert.True(Math.Abs(expected - actual!.Value) <= tolerance, $"statistic: expected {expected:R}, got {actual.Value:R}");
    }

    public static void PValue(double expected, double? actual)
    {
        Assert.NotNull(actual);
        Assert.True(Math.Abs(expected - actual!.Value) <= PValueAbsolute, $"p-value: expected {expected:R}, got {actual.Value:R}");
    }
}
