namespace Serverless.Bench;

/// <summary>One cold start of a runner process: time to ready, the first infer requests, and the warmed steady-state p50.</summary>
/// <remarks><paramref name="FollowUpMs"/>: the target's requests 2, 3, ... right after both first requests, showing how quickly the path warms.</remarks>
public sealed record ColdStartRun(double StartupMs, double FirstInferMs, double OtherModelFirstInferMs, IReadOnlyList<double> FollowUpMs, double SteadyP50Ms,
    double? WarmupMs)
{
    public double Ratio => FirstInferMs / SteadyP50Ms;

    /// <summary>The runner's threads that used the CPU from ready to its first answer, and to request #50 (Linux; empty elsewhere).</summary>
    public string BusyThreads { get; init; } = "";

    /// <summary>Requests sent after the steady run, each after <see cref="ColdStartProbe.IdleGap"/> of silence: the same warm process woken.</summary>
    public IReadOnlyList<double> AfterIdleMs { get; init; } = [];

    /// <summary>The median of <see cref="AfterIdleMs"/>.</summary>
    public double AfterIdleP50Ms => ColdStartResult.Median(AfterIdleMs);
}

/// <summary>The cold starts of one model, summarised by medians.</summary>
public sealed record ColdStartResult(string Model, string OtherModel, IReadOnlyList<ColdStartRun> Runs)
{
    public double StartupMs => Median(Runs.Select(r => r.StartupMs));

    public double FirstInferMs => Median(Runs.Select(r => r.FirstInferMs));

    public double OtherModelFirstInferMs => Median(Runs.Select(r => r.OtherModelFirstInferMs));

    /// <summary>
    /// The median latency of the target's request number <paramref name="n"/> (2 or more) in a fresh process: what a first
    /// request would cost had start-up already sent n-1 requests through the whole path.
    /// </summary>
    public double NthInferMs(int n) => Median(Runs.Select(r => r.FollowUpMs[n - 2]));

    public double SteadyP50Ms => Median(Runs.Select(r => r.SteadyP50Ms));

    /// <summary>The runner's own "Serving is ready after N ms" (its model warm-up service), when it logged one.</summary>
    public double? WarmupMs => Runs.All(r => r.WarmupMs is not null) ? Median(Runs.Select(r => r.WarmupMs!.Value)) : null;

    /// <summary>The median of the per-run first-request / steady-p50 ratios.</summary>
    public double Ratio => Median(Runs.Select(r => r.Ratio));

    /// <summary>The median over runs of a warm process's request after an idle gap (<see cref="ColdStartRun.AfterIdleP50Ms"/>).</summary>
    public double AfterIdleMs => Median(Runs.Select(r => r.AfterIdleP50Ms));

    /// <summary>The median of the per-run first-request / warm-after-idle ratios: what start-up adds beyond waking a warm process.</summary>
    public double IdleRatio => Median(Runs.Select(r => r.FirstInferMs / r.AfterIdleP50Ms));

    internal static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
