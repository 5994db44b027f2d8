namespace Serverless.Bench;

/// <summary>
/// The Stopwatch measurements of the compute limit (raw Run) and the in-process serving path, single-threaded
/// (latency and throughput) and with one thread per core (throughput), for each model.
/// </summary>
public static class ComputePhase
{
    public static readonly TimeSpan Warmup = TimeSpan.FromSeconds(0.5);
    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(2);
    public const int MaxOperations = 200_000;
    public static readonly TimeSpan ParallelDuration = TimeSpan.FromSeconds(1);

    public static void Run(IReadOnlyList<ModelReport> reports)
    {
        foreach (var report in reports)
        {
            var model = report.Model;
            using (var raw = new RawRunPath(model))
            {
                report.RawRun = InProcessLoop.Measure($"{model.Name} raw Run", raw.Run, Warmup, Budget, MaxOperations);
                Progress.Write(report.RawRun.ToString());
                report.RawRunParallel = InProcessLoop.Throughput(raw.Run, Environment.ProcessorCount, ParallelDuration);
                Progress.Write($"{model.Name} raw Run on {Environment.ProcessorCount} threads: {report.RawRunParallel:F0} ops/s");
            }

            using (var serving = new ServingPath(model))
            {
                report.InProcessServing = InProcessLoop.Measure($"{model.Name} in-process serving", serving.Run, Warmup, Budget, MaxOperations);
                Progress.Write(report.InProcessServing.ToString());
                report.InProcessServingParallel = InProcessLoop.Throughput(serving.Run, Environment.ProcessorCount, ParallelDuration);
                Progress.Write($"{model.Name} in-process serving on {Environment.ProcessorCount} threads: {report.InProcessServingParallel:F0} ops/s");
            }
        }
    }
}
