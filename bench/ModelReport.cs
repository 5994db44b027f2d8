namespace Serverless.Bench;

/// <summary>Everything measured for one model; a phase that did not run stays null.</summary>
public sealed class ModelReport
{
    public ModelReport(BenchModel model)
    {
        Model = model;
    }

    public BenchModel Model { get; }

    public Measurement? RawRun { get; set; }

    public Measurement? InProcessServing { get; set; }

    /// <summary>Raw Run with one thread per core on the shared session (ops/s).</summary>
    public double? RawRunParallel { get; set; }

    /// <summary>In-process serving with one thread per core on the shared model (ops/s).</summary>
    public double? InProcessServingParallel { get; set; }

    /// <summary>The honest limit (<see cref="MinimalEndpoint"/>, slim host) and the same handler on the full ASP.NET Core host.</summary>
    public Measurement? MinimalC1 { get; set; }

    public Measurement? MinimalC16 { get; set; }

    public Measurement? FullHostC1 { get; set; }

    public Measurement? FullHostC16 { get; set; }

    public Measurement? BareC1 { get; set; }

    /// <summary>Medians of requests each sent after <see cref="ColdStartProbe.IdleGap"/> of silence to the warm minimal endpoint and runner (ms).</summary>
    public double? MinimalAfterIdleMs { get; set; }

    public double? RunnerAfterIdleMs { get; set; }

    public Measurement? RunnerC1 { get; set; }

    public Measurement? BareC16 { get; set; }

    public Measurement? RunnerC16 { get; set; }

    /// <summary>The records API (<c>/predict</c>, one row): the minimal endpoint's records route, on both hosts, and the runner.</summary>
    public Measurement? MinimalPredictC1 { get; set; }

    public Measurement? MinimalPredictC16 { get; set; }

    public Measurement? FullHostPredictC1 { get; set; }

    public Measurement? FullHostPredictC16 { get; set; }

    public Measurement? RunnerPredictC1 { get; set; }

    public Measurement? RunnerPredictC16 { get; set; }

    public ColdStartResult? ColdStart { get; set; }

    public List<MicroResult> Micro { get; } = [];
}
