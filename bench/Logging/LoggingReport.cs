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
        md.AppendLine("logged, one record per row, packed into compressed blocks (one Table entity per partition per flush) in Azurite. Off: `InferenceLog:Enabled=false`.");
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
        md.AppendLine("CPU milliseconds per request over each side's rounds (\"on\" includes draining its backlog, up to one flush interval in which");
        md.AppendLine("Azurite still serves both runners' Durable Task polling, so at c=1 the \"rest of machine\" column overstates logging): the bench");
        md.AppendLine("process (runners, writer and load generator) and the rest of the machine, mostly Azurite. In Azure the table service's share runs elsewhere.").AppendLine();
        md.AppendLine("| API | c | bench process off | bench process on | rest of machine off | rest of machine on (Azurite) |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            md.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Api} | {r.Concurrency} | {r.Off.ProcessCpuMsPerRequest:F3} | {r.On.ProcessCpuMsPerRequest:F3} | {r.Off.OthersCpuMsPerRequest:F3} | {r.On.OthersCpuMsPerRequest:F3} |"));
        }

        md.AppendLine().AppendLine("Reading the figures: the writer packs each partition's records into one compressed block per flush, so storage sees a few");
        md.AppendLine("entities per second whatever the request rate; what remains is the writer's own CPU per record (serialising and compressing,");
        md.AppendLine("measured in-process below), which on two saturated cores (c=16) comes out of serving throughput. A sample rate cuts it in");
        md.AppendLine("proportion (the sampled rows above).").AppendLine();
        md.AppendLine("## In-process: the request-path hook and block building, without HTTP or storage").AppendLine();
        md.AppendLine("Core's serving path called directly (no HTTP); \"on\" adds the hook (begin, record, enqueue) while the real writer serialises and");
        md.AppendLine("compresses every record into blocks on a background thread and a sink discards them. Single-thread latency: the hook plus what the");
        md.AppendLine("writer costs the request thread on two cores (its CPU and the garbage collections its allocations cause); the all-core throughput");
        md.AppendLine("also pays for the writer's work itself. Neither includes the Azure SDK or storage.").AppendLine();
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
