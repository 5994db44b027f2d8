using System.Globalization;
using System.Text;
using Serverless.Core.Monitoring.Logging;

namespace Serverless.Bench.Logging;

/// <summary>Renders bench/results/logging.md.</summary>
public static class LoggingReport
{
    public const double TargetLoss = 0.10;

    public static string Render(IReadOnlyList<LoggingResult> results, IReadOnlyList<InProcessResult> inProcess, InferenceLogCounters final, string settings)
    {
        var md = new StringBuilder();
        md.AppendLine("# Inference logging benchmark").AppendLine();
        md.AppendLine(settings).AppendLine();
        md.AppendLine("Logging on: defaults (`InferenceLog:Enabled=true`, sample rate 1.0, buffer 100,000 records, flush 1,000 ms, 4 shards) — every request");
        md.AppendLine("logged, one record per row, written to Table storage (Azurite) in entity group transactions. Off: `InferenceLog:Enabled=false`.");
        md.AppendLine("Same model (the 10-feature logistic regression with its manifest), same one-row body, same HTTP client. The OIP body carries a");
        md.AppendLine("fixed `\"id\": \"bench\"` (so responses can be checked byte for byte): all its records share one request id, hence one shard.");
        md.AppendLine("The records API's ids are generated per request (no `x-request-id` header), so its records spread over the 4 shards.").AppendLine();
        md.AppendLine("## Throughput, logging on vs off").AppendLine();
        md.AppendLine("| API | c | off req/s | on req/s | on/off | loss | target ≤ 10% | off p50 ms | on p50 ms | off p99 ms | on p99 ms | records written | dropped | failed | max drain after a round |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            md.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Api} | {r.Concurrency} | {r.Off.RequestsPerSecond:F0} | {r.On.RequestsPerSecond:F0} | {r.Ratio:F3} | {r.Loss * 100:F1}% | {(r.Loss <= TargetLoss ? "MET" : "MISS")} | {r.Off.P50Ms:F3} | {r.On.P50Ms:F3} | {r.Off.P99Ms:F3} | {r.On.P99Ms:F3} | {r.Written} | {r.Dropped} | {r.Failed} | {r.MaxDrainMs:F0} ms |"));
        }

        md.AppendLine().AppendLine("## CPU per request (where the cost goes)").AppendLine();
        md.AppendLine("CPU milliseconds per request over each side's rounds (\"on\" includes draining its backlog): the bench process (runner, writer and load");
        md.AppendLine("generator) and the rest of the machine, which here is Azurite storing the records. In Azure the table service's share runs elsewhere.").AppendLine();
        md.AppendLine("| API | c | bench process off | bench process on | rest of machine off | rest of machine on (Azurite) |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            md.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Api} | {r.Concurrency} | {r.Off.ProcessCpuMsPerRequest:F3} | {r.On.ProcessCpuMsPerRequest:F3} | {r.Off.OthersCpuMsPerRequest:F3} | {r.On.OthersCpuMsPerRequest:F3} |"));
        }

        md.AppendLine().AppendLine("Reading the figures: with one row per request, logging stores one entity per request. On this machine each stored entity costs");
        md.AppendLine("CPU twice over: in the serving process (the Azure SDK building and parsing the entity group transaction, and the writer building");
        md.AppendLine("the entity) and in Azurite, which shares the same two cores. When the cores are saturated (c=16) that CPU comes straight out of");
        md.AppendLine("serving throughput. A sample rate cuts the cost in proportion (the sampled rows above); the in-process table below separates");
        md.AppendLine("the request-path hook and the entity building from the SDK and storage.").AppendLine();
        md.AppendLine("## In-process: the request-path hook and entity building, without HTTP or storage").AppendLine();
        md.AppendLine("Core's serving path called directly (no HTTP); \"on\" adds the hook (begin, record, enqueue) while the real writer builds every entity");
        md.AppendLine("on a background thread and a sink discards the batches. Single-thread latency: the hook plus what the writer costs the request");
        md.AppendLine("thread on two cores (its CPU and the garbage collections its allocations cause); the all-core throughput also pays for the");
        md.AppendLine("writer's entity building itself. Neither includes the Azure SDK or storage.").AppendLine();
        md.AppendLine("| API | off mean µs | on mean µs | added µs | off p99 µs | on p99 µs | all-core off ops/s | all-core on ops/s | on/off |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in inProcess)
        {
            md.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Api} | {r.OffLatency.MeanMs * 1000:F2} | {r.OnLatency.MeanMs * 1000:F2} | {(r.OnLatency.MeanMs - r.OffLatency.MeanMs) * 1000:F2} | {r.OffLatency.P99Ms * 1000:F2} | {r.OnLatency.P99Ms * 1000:F2} | {r.OffThroughput:F0} | {r.OnThroughput:F0} | {r.ThroughputRatio:F3} |"));
        }

        md.AppendLine().AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"Counters of the logging runner at the end (warm-ups included): enqueued {final.Enqueued}, written {final.Written}, dropped {final.Dropped}, failed {final.Failed}, pending {final.Pending}."));
        var worst = results.MaxBy(r => r.Loss)!;
        md.AppendLine().AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"Target: throughput loss ≤ 10% with logging on — {(results.All(r => r.Loss <= TargetLoss) ? "MET" : "MISSED")} (worst: {worst.Api} at c={worst.Concurrency}, {worst.Loss * 100:F1}%)."));
        return md.ToString();
    }
}
