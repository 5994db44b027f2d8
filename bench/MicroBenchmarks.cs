using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Serverless.Bench;

/// <summary>One BenchmarkDotNet result: mean time and allocation per operation.</summary>
public sealed record MicroResult(string Model, string Benchmark, double MeanUs, double ErrorUs, long? AllocatedBytes);

/// <summary>Runs <see cref="RawRunBenchmarks"/> with a short in-process job and returns its results for the final table.</summary>
public static class MicroBenchmarks
{
    public static IReadOnlyList<MicroResult> Run(string artifactsPath)
    {
        var job = Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance).WithId("ShortRun-InProcess");
        var config = ManualConfig.Create(DefaultConfig.Instance)
            .AddJob(job)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .WithArtifactsPath(artifactsPath);
        var summary = BenchmarkRunner.Run<RawRunBenchmarks>(config);
        return summary.Reports
            .Where(r => r.ResultStatistics is not null)
            .Select(r => new MicroResult(
                r.BenchmarkCase.Parameters["Model"]?.ToString() ?? "?",
                r.BenchmarkCase.Descriptor.WorkloadMethodDisplayInfo.Trim('\''),
                r.ResultStatistics!.Mean / 1000.0,
                r.ResultStatistics.ConfidenceInterval.Margin / 1000.0,
                r.GcStats.GetBytesAllocatedPerOperation(r.BenchmarkCase)))
            .ToList();
    }
}
