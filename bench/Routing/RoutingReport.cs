using System.Globalization;
using System.Text;

namespace Serverless.Bench.Routing;

/// <summary>Renders bench/results/routing.md.</summary>
public static class RoutingReport
{
    public static string Render(IReadOnlyList<RoutingResult> results, string settings)
    {
        var md = new StringBuilder();
        md.AppendLine("# Traffic split routing benchmark").AppendLine();
        md.AppendLine(settings).AppendLine();
        md.AppendLine("The same model (the 10-feature logistic regression with its manifest) as versions 1 and 2 of two models: `plain`, whose");
        md.AppendLine("production alias is version 1, and `split`, whose production alias is `{\"traffic\": {\"1\": 90, \"2\": 10}}`. A split request reads");
        md.AppendLine("the alias's cached route, hashes the routing key against each version (weighted rendezvous hashing) or draws a random number,");
        md.AppendLine("and names the version in `x-model-version`. Throughput is pooled over the rounds; p50 and p99 over all requests.").AppendLine();
        md.AppendLine("| API | c | plain req/s | random req/s | keyed req/s | random/plain | keyed/plain | target ≥ 0.97 | plain p50 ms | random p50 ms | keyed p50 ms | plain p99 ms | keyed p99 ms |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            md.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Api} | {r.Concurrency} | {r.Plain.RequestsPerSecond:F0} | {r.Random.RequestsPerSecond:F0} | {r.Keyed.RequestsPerSecond:F0} | {r.RandomRatio:F3} | {r.KeyedRatio:F3} | {(r.WorstLoss <= RoutingBenchmark.TargetLoss ? "MET" : "MISS")} | {r.Plain.P50Ms:F3} | {r.Random.P50Ms:F3} | {r.Keyed.P50Ms:F3} | {r.Plain.P99Ms:F3} | {r.Keyed.P99Ms:F3} |"));
        }

        md.AppendLine().AppendLine("## The primary with a 100 % mirror").AppendLine();
        md.AppendLine("Every answered request of `mirrored` is copied (after its answer is built) to a bounded channel, sent to the Storage queue on");
        md.AppendLine("Azurite, and scored by version 2 in the same runner: on this machine the copies' sending and scoring share the two cores with");
        md.AppendLine("the primary and the load generator; in Azure the queue-triggered function may run on other instances.").AppendLine();
        md.AppendLine("| API | c | plain req/s | mirrored req/s | mirrored/plain | plain p50 ms | mirrored p50 ms | plain p99 ms | mirrored p99 ms |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            md.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Api} | {r.Concurrency} | {r.Plain.RequestsPerSecond:F0} | {r.Mirrored.RequestsPerSecond:F0} | {r.MirroredRatio:F3} | {r.Plain.P50Ms:F3} | {r.Mirrored.P50Ms:F3} | {r.Plain.P99Ms:F3} | {r.Mirrored.P99Ms:F3} |"));
        }

        var worst = results.MaxBy(r => r.WorstLoss)!;
        md.AppendLine().AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"Target: a split within 3% of a plain alias's throughput — {(results.All(r => r.WorstLoss <= RoutingBenchmark.TargetLoss) ? "MET" : "MISSED")} (worst: {worst.Api} at c={worst.Concurrency}, {worst.WorstLoss * 100:F1}% loss)."));
        return md.ToString();
    }
}
