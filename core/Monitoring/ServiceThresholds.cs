using System.Globalization;

namespace Serverless.Core.Monitoring;

/// <summary>
/// When a version's service figures are findings (see <see cref="MonitoringOptions"/> for each): an error rate above
/// <see cref="ErrorRate"/>, a p95 latency above <see cref="LatencyP95Ms"/> (0: off), and against the previous window an
/// error rate up by more than <see cref="ErrorRateIncrease"/> (0: off) or a p95 more than <see cref="LatencyIncreaseFactor"/>
/// times as high (0: off) and at least <see cref="MinimumLatencyIncreaseMs"/> higher. Immutable.
/// </summary>
public sealed record ServiceThresholds(double ErrorRate, double LatencyP95Ms, double ErrorRateIncrease, double LatencyIncreaseFactor, double MinimumLatencyIncreaseMs)
{
    public const double DefaultErrorRate = 0.05;
    public const double DefaultLatencyP95Ms = 1_000;
    public const double DefaultErrorRateIncrease = 0.05;
    public const double DefaultLatencyIncreaseFactor = 2;
    public const double DefaultMinimumLatencyIncreaseMs = 50;

    public static ServiceThresholds Default { get; } = new(DefaultErrorRate, DefaultLatencyP95Ms, DefaultErrorRateIncrease, DefaultLatencyIncreaseFactor,
        DefaultMinimumLatencyIncreaseMs);
}

/// <summary>
/// One model's overrides of the service thresholds (configuration <c>Monitoring:Models:{model}</c>); an absent value
/// keeps the section's. Ranges as <see cref="MonitoringOptions"/>'s, checked at start-up.
/// </summary>
public sealed class ServiceThresholdOverrides
{
    public double? ErrorRateThreshold { get; set; }

    public double? LatencyP95ThresholdMs { get; set; }

    public double? ErrorRateIncrease { get; set; }

    public double? LatencyIncreaseFactor { get; set; }

    public double? MinimumLatencyIncreaseMs { get; set; }

    /// <summary>Each value out of its range, as "Setting must be between a and b, not x".</summary>
    public IEnumerable<string> Problems()
    {
        var checks = new (string Name, double? Value, double Max)[]
        {
            (nameof(ErrorRateThreshold), ErrorRateThreshold, 1),
            (nameof(LatencyP95ThresholdMs), LatencyP95ThresholdMs, 3_600_000),
            (nameof(ErrorRateIncrease), ErrorRateIncrease, 1),
            (nameof(LatencyIncreaseFactor), LatencyIncreaseFactor, 1_000),
            (nameof(MinimumLatencyIncreaseMs), MinimumLatencyIncreaseMs, 3_600_000),
        };
        foreach (var (name, value, max) in checks)
        {
            if (value is { } v && !(v >= 0 && v <= max))
            {
                yield return string.Create(CultureInfo.InvariantCulture, $"{name} must be between 0 and {max}, not {v}.");
            }
        }
    }
}
