namespace Serverless.Bench.Logging;

/// <summary>One API at one concurrency, logging off and on: throughput, latency, CPU and what the log did.</summary>
public sealed record LoggingResult(string Api, int Concurrency, LoggingSide Off, LoggingSide On, long Written, long Dropped, long Failed, double MaxDrainMs)
{
    public double Ratio => On.RequestsPerSecond / Off.RequestsPerSecond;

    public double Loss => 1 - Ratio;
}

/// <summary>
/// The pooled rounds of one side: requests per second over all rounds, the median of the rounds' p50 and p99, and the
/// CPU time per request of the bench process (runners and load generator) and of the rest of the machine (Azurite).
/// </summary>
public sealed record LoggingSide(int Requests, double RequestsPerSecond, double P50Ms, double P99Ms, double ProcessCpuMsPerRequest, double OthersCpuMsPerRequest)
{
    public static LoggingSide Pool(IReadOnlyList<Measurement> rounds, MachineCpu cpu)
    {
        var requests = rounds.Sum(r => r.Count);
        var seconds = rounds.Sum(r => r.Count / r.RequestsPerSecond);
        return new LoggingSide(requests, requests / seconds, Median(rounds.Select(r => r.P50Ms)), Median(rounds.Select(r => r.P99Ms)),
            cpu.Process.TotalMilliseconds / requests, cpu.Others.TotalMilliseconds / requests);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
