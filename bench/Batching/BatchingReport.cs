using System.Globalization;
using System.Text;

namespace Serverless.Bench.Batching;

/// <summary>Renders bench/results/batching.md.</summary>
public static class BatchingReport
{
    public static string Render(IReadOnlyList<BatchingResult> results, string settings)
    {
        var md = new StringBuilder();
        md.AppendLine("# Dynamic batching benchmark").AppendLine();
        md.AppendLine(settings).AppendLine();
        md.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"Batching on: `Batching:Models:{{model}}:MaxBatchSize` {BatchingBenchmark.MaxBatchSize}, one batch at a time per version, queue delay 0 (a batch is what queued while the"));
        md.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"previous one ran) or {BatchingBenchmark.DelayMicroseconds} µs. One-row requests; ONNX Runtime with one intra-op thread (the default)."));
        md.AppendLine();
        foreach (var model in results.Select(r => r.Model).Distinct())
        {
            md.AppendLine(string.Create(CultureInfo.InvariantCulture, $"- `{model.Name}`: {model.Description}"));
        }

        md.AppendLine().AppendLine("| model | c | off req/s | on req/s | on/off | delayed req/s | delayed/off | off p50 ms | on p50 ms | delayed p50 ms | off p99 ms | on p99 ms | delayed p99 ms |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            md.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Model.Name} | {r.Concurrency} | {r.Off.RequestsPerSecond:F0} | {r.On.RequestsPerSecond:F0} | {r.On.RequestsPerSecond / r.Off.RequestsPerSecond:F2} | {r.Delayed.RequestsPerSecond:F0} | {r.Delayed.RequestsPerSecond / r.Off.RequestsPerSecond:F2} | {r.Off.P50Ms:F2} | {r.On.P50Ms:F2} | {r.Delayed.P50Ms:F2} | {r.Off.P99Ms:F2} | {r.On.P99Ms:F2} | {r.Delayed.P99Ms:F2} |"));
        }

        return md.ToString();
    }
}
