using System.Diagnostics;

namespace Serverless.Bench;

/// <summary>
/// Latency percentiles and throughput of one measured phase; for HTTP phases also the bytes the whole bench
/// process allocated per request (server and load generator together).
/// </summary>
public sealed record Measurement(string Label, int Count, double P50Ms, double P99Ms, double MeanMs, double RequestsPerSecond)
{
    public double? AllocatedBytesPerRequest { get; init; }

    /// <summary>Builds a measurement from per-operation durations in <see cref="Stopwatch"/> ticks and the phase's wall time.</summary>
    public static Measurement FromTicks(string label, ReadOnlySpan<long> durations, TimeSpan elapsed)
    {
        if (durations.IsEmpty)
        {
            throw new InvalidOperationException($"{label}: nothing was measured.");
        }

        var sorted = durations.ToArray();
        Array.Sort(sorted);
        var mean = sorted.Average(d => (double)d);
        return new Measurement(label, sorted.Length, ToMs(Percentile(sorted, 0.50)), ToMs(Percentile(sorted, 0.99)), ToMs(mean),
            sorted.Length / elapsed.TotalSeconds);
    }

    public override string ToString() =>
        $"{Label}: n={Count}, p50 {P50Ms:F3} ms, p99 {P99Ms:F3} ms, mean {MeanMs:F3} ms, {RequestsPerSecond:F0} req/s" +
        (AllocatedBytesPerRequest is { } bytes ? $", {bytes:F0} B allocated/request (process)" : "");

    /// <summary>Nearest-rank percentile of an ascending array.</summary>
    private static long Percentile(long[] sorted, double quantile) =>
        sorted[Math.Clamp((int)Math.Ceiling(quantile * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static double ToMs(double ticks) => ticks * 1000.0 / Stopwatch.Frequency;
}
