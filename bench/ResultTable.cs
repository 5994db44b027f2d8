using System.Runtime;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.ML.OnnxRuntime;

namespace Serverless.Bench;

/// <summary>
/// Renders the side-by-side markdown: one table per model (raw Run, in-process serving, bare endpoint and runner at
/// c=1 and c=16, with ratios against the relevant limit: raw Run for the minimal endpoint, the minimal endpoint for the
/// rest), then the targets with measured ratio and PASS/MISS.
/// Numbers format invariantly (the build sets InvariantGlobalization).
/// </summary>
public static class ResultTable
{
    public const double LatencyTarget = 1.2;
    public const double ThroughputTarget = 0.85;
    public const double ColdStartTarget = 2.0;

    private const string RawRunRow = "raw Run (1 thread)";
    private static readonly int[] WarmingCurvePoints = [2, 3, 5, 10, 25, 50];

    public static string Render(IReadOnlyList<ModelReport> reports, string settingsLine)
    {
        var md = new StringBuilder();
        md.AppendLine("# Serving benchmark");
        md.AppendLine();
        md.AppendLine($"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC · {Environment.ProcessorCount} cores · {RuntimeInformation.OSDescription} · " +
            $"{RuntimeInformation.FrameworkDescription} · ONNX Runtime {OrtEnv.Instance().GetVersionString()} · " +
            $"{(GCSettings.IsServerGC ? "server" : "workstation")} GC in the bench process");
        md.AppendLine();
        md.AppendLine(settingsLine);
        foreach (var report in reports)
        {
            RenderModel(md, report);
        }

        return md.ToString();
    }

    private static void RenderModel(StringBuilder md, ModelReport r)
    {
        md.AppendLine();
        md.AppendLine($"## {r.Model.Name} ({r.Model.Description}, request [1,{r.Model.Features}])");
        md.AppendLine();
        md.AppendLine("| path | p50 ms | p99 ms | req/s | p50 vs limit | req/s vs limit | limit |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---|");
        Row(md, RawRunRow, r.RawRun, null, "compute limit");
        Row(md, "in-process serving (1 thread)", r.InProcessServing, r.RawRun, "raw Run");
        Row(md, "minimal endpoint c=1 (HTTP limit)", r.MinimalC1, r.RawRun, "raw Run");
        Row(md, "minimal endpoint, full ASP.NET Core host c=1", r.FullHostC1, r.MinimalC1, "minimal endpoint c=1");
        Row(md, "bare endpoint c=1 (the project's InferenceService)", r.BareC1, r.MinimalC1, "minimal endpoint c=1");
        Row(md, "runner c=1", r.RunnerC1, r.MinimalC1, "minimal endpoint c=1");
        Row(md, "minimal endpoint c=16 (HTTP limit)", r.MinimalC16, r.RawRun, "raw Run (req/s: 1 thread)");
        Row(md, "minimal endpoint, full ASP.NET Core host c=16", r.FullHostC16, r.MinimalC16, "minimal endpoint c=16");
        Row(md, "bare endpoint c=16 (the project's InferenceService)", r.BareC16, r.MinimalC16, "minimal endpoint c=16");
        Row(md, "runner c=16", r.RunnerC16, r.MinimalC16, "minimal endpoint c=16");
        if (r.MinimalPredictC1 is not null)
        {
            Row(md, "/predict: minimal endpoint c=1 (HTTP limit)", r.MinimalPredictC1, null, "");
            Row(md, "/predict: minimal endpoint, full ASP.NET Core host c=1", r.FullHostPredictC1, r.MinimalPredictC1, "minimal /predict c=1");
            Row(md, "/predict: runner c=1", r.RunnerPredictC1, r.MinimalPredictC1, "minimal /predict c=1");
            Row(md, "/predict: minimal endpoint c=16 (HTTP limit)", r.MinimalPredictC16, null, "");
            Row(md, "/predict: minimal endpoint, full ASP.NET Core host c=16", r.FullHostPredictC16, r.MinimalPredictC16, "minimal /predict c=16");
            Row(md, "/predict: runner c=16", r.RunnerPredictC16, r.MinimalPredictC16, "minimal /predict c=16");
        }
        RenderNotes(md, r);

        md.AppendLine();
        md.AppendLine("| target | measured | result |");
        md.AppendLine("|---|---:|---|");
        Target(md, $"runner p50 at c=1 ≤ {LatencyTarget}× minimal endpoint", Ratio(r.RunnerC1?.P50Ms, r.MinimalC1?.P50Ms), v => v <= LatencyTarget);
        Target(md, $"runner throughput at c=16 ≥ {ThroughputTarget}× minimal endpoint", Ratio(r.RunnerC16?.RequestsPerSecond, r.MinimalC16?.RequestsPerSecond),
            v => v >= ThroughputTarget);
        if (r.MinimalPredictC1 is not null)
        {
            Target(md, $"runner /predict p50 at c=1 ≤ {LatencyTarget}× minimal /predict", Ratio(r.RunnerPredictC1?.P50Ms, r.MinimalPredictC1?.P50Ms), v => v <= LatencyTarget);
            Target(md, $"runner /predict throughput at c=16 ≥ {ThroughputTarget}× minimal /predict",
                Ratio(r.RunnerPredictC16?.RequestsPerSecond, r.MinimalPredictC16?.RequestsPerSecond), v => v >= ThroughputTarget);
        }

        Target(md, $"first request after startup ≤ {ColdStartTarget}× steady-state p50", r.ColdStart?.Ratio, v => v <= ColdStartTarget);
        if (r.ColdStart is { } idle)
        {
            md.AppendLine($"| first request after startup vs the same warm process's request after {ColdStartProbe.IdleGap.TotalMilliseconds:F0} ms idle | {idle.IdleRatio:F2}× | info |");
        }

        if (r is { MinimalAfterIdleMs: { } minimalIdle, RunnerAfterIdleMs: { } runnerIdle, MinimalC1: { } minimalC1, RunnerC1: { } runnerC1 })
        {
            md.AppendLine($"| a request after {ColdStartProbe.IdleGap.TotalMilliseconds:F0} ms idle, warm (medians of {HttpPhase.AfterIdleRounds}, alternating): minimal endpoint / runner | " +
                $"{minimalIdle:F3} ms ({minimalIdle / minimalC1.P50Ms:F1}× its c=1 p50) / {runnerIdle:F3} ms ({runnerIdle / runnerC1.P50Ms:F1}×) | info |");
        }

        if (r.ColdStart is { } cold)
        {
            RenderColdStart(md, cold);
        }
    }

    private static void RenderNotes(StringBuilder md, ModelReport r)
    {
        if (r.MinimalC1?.AllocatedBytesPerRequest is { } minimalBytes && r.BareC1?.AllocatedBytesPerRequest is { } bareBytes &&
            r.RunnerC1?.AllocatedBytesPerRequest is { } runnerBytes)
        {
            md.AppendLine();
            md.AppendLine($"Allocated per request at c=1 (whole bench process, load generator included): minimal endpoint {minimalBytes:F0} B, bare endpoint " +
                $"{bareBytes:F0} B, runner {runnerBytes:F0} B (runner over the minimal endpoint {runnerBytes - minimalBytes:F0} B/request)" +
                (r.MinimalPredictC1?.AllocatedBytesPerRequest is { } minimalPredict && r.RunnerPredictC1?.AllocatedBytesPerRequest is { } runnerPredict
                    ? $"; /predict: minimal {minimalPredict:F0} B, runner {runnerPredict:F0} B ({runnerPredict - minimalPredict:F0} B/request over)."
                    : "."));
        }

        if (r.RawRunParallel is { } rawParallel && r.InProcessServingParallel is { } servingParallel)
        {
            md.AppendLine();
            md.AppendLine($"With {Environment.ProcessorCount} threads on the shared session: raw Run {rawParallel:F0} ops/s, in-process serving " +
                $"{servingParallel:F0} ops/s (the ceiling for c=16 on this machine, before HTTP and the load generator share the cores).");
        }

        if (r.Micro.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("BenchmarkDotNet (ShortRun, in-process): " + string.Join("; ", r.Micro.Select(m =>
                $"{m.Benchmark} {m.MeanUs:F2} ± {m.ErrorUs:F2} µs, {(m.AllocatedBytes is { } b ? $"{b} B" : "?")} allocated/op")));
        }
    }

    private static void RenderColdStart(StringBuilder md, ColdStartResult cold)
    {
        md.AppendLine($"| startup time until ready (median of {cold.Runs.Count}) | {cold.StartupMs:F0} ms | info |");
        if (cold.WarmupMs is { } warmup)
        {
            md.AppendLine($"| of which the runner's model warm-up (its own \"Serving is ready after\") | {warmup:F0} ms | info |");
        }

        var curve = string.Join(", ", WarmingCurvePoints
            .Where(n => n - 2 < ColdStartProbe.FollowUpRequests)
            .Select(n => $"#{n} {cold.NthInferMs(n):F3} ms ({cold.NthInferMs(n) / cold.SteadyP50Ms:F1}×)"));
        md.AppendLine();
        md.AppendLine($"Cold start (runner process, medians of {cold.Runs.Count}): ready after {cold.StartupMs:F0} ms; " +
            $"first {cold.Model} infer {cold.FirstInferMs:F2} ms; then first {cold.OtherModel} infer {cold.OtherModelFirstInferMs:F2} ms; " +
            $"then {cold.Model} requests {curve}; steady-state p50 {cold.SteadyP50Ms:F3} ms; " +
            $"after the steady run, a request after {ColdStartProbe.IdleGap.TotalMilliseconds:F0} ms idle {cold.AfterIdleMs:F3} ms ({cold.AfterIdleMs / cold.SteadyP50Ms:F1}× steady) " +
            $"(first/steady per run: {string.Join(", ", cold.Runs.Select(c => $"{c.FirstInferMs:F1}/{c.SteadyP50Ms:F3} ms"))}).");
    }

    private static void Row(StringBuilder md, string path, Measurement? m, Measurement? limit, string limitName)
    {
        if (m is null)
        {
            md.AppendLine($"| {path} | – | – | – | – | – | not run |");
            return;
        }

        var missing = limit is null && path != RawRunRow && limitName.Length > 0 ? " (not run)" : "";
        md.AppendLine($"| {path} | {m.P50Ms:F3} | {m.P99Ms:F3} | {m.RequestsPerSecond:F0} | {Format(Ratio(m.P50Ms, limit?.P50Ms))} | " +
            $"{Format(Ratio(m.RequestsPerSecond, limit?.RequestsPerSecond))} | {limitName}{missing} |");
    }

    private static void Target(StringBuilder md, string name, double? ratio, Func<double, bool> passes) =>
        md.AppendLine(ratio is { } v ? $"| {name} | {v:F2}× | {(passes(v) ? "PASS" : "MISS")} |" : $"| {name} | – | not run |");

    private static double? Ratio(double? value, double? limit) => value is { } v && limit is { } l && l > 0 ? v / l : null;

    private static string Format(double? ratio) => ratio is { } v ? $"{v:F2}×" : "–";
}
