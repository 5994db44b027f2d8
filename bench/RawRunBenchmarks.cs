using BenchmarkDotNet.Attributes;

namespace Serverless.Bench;

/// <summary>
/// BenchmarkDotNet view of the compute limit (raw <c>InferenceSession.Run</c>) and the in-process serving path
/// (<c>InferenceService.Infer</c>: JSON → tensor → Run → JSON) for each reference model.
/// </summary>
[MemoryDiagnoser]
public class RawRunBenchmarks
{
    private RawRunPath? _raw;
    private ServingPath? _serving;

    [Params("logreg", "mlp")]
    public string Model { get; set; } = "logreg";

    [GlobalSetup]
    public void Setup()
    {
        var model = BenchModel.Create(Model);
        _raw = new RawRunPath(model);
        _serving = new ServingPath(model);
    }

    [Benchmark(Baseline = true, Description = "raw Run")]
    public int RawRun() => _raw!.Run();

    [Benchmark(Description = "in-process serving")]
    public int InProcessServing() => _serving!.Run();

    [GlobalCleanup]
    public void Cleanup()
    {
        _raw?.Dispose();
        _serving?.Dispose();
    }
}
