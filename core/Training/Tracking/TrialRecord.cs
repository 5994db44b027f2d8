namespace Serverless.Core.Training.Tracking;

/// <summary>
/// One trial as tracked: its algorithm and hyperparameters (JSON), status, every validation metric, timings,
/// where it ran and where its artifacts are. Immutable.
/// </summary>
public sealed record TrialRecord
{
    public required string SweepId { get; init; }

    public required string TrialId { get; init; }

    public required string Algorithm { get; init; }

    /// <summary>The hyperparameters as a JSON object.</summary>
    public required string HyperparametersJson { get; init; }

    /// <summary><c>running</c>, <c>succeeded</c> or <c>failed</c>.</summary>
    public required string Status { get; init; }

    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();

    public string? Error { get; init; }

    public string? Runner { get; init; }

    public string? ExecutionId { get; init; }

    /// <summary>The folder holding spec.json, model.onnx, manifest.json and metrics.json.</summary>
    public string? OutputUri { get; init; }

    public double? TrainSeconds { get; init; }

    public DateTimeOffset? StartedUtc { get; init; }

    public DateTimeOffset? EndedUtc { get; init; }

    /// <summary>Whether the trainer continued from the sweep's warm-start source; null when it was given none.</summary>
    public bool? WarmStart { get; init; }

    /// <summary>The trainer's note on the warm start: what it continued from, or why it trained from scratch.</summary>
    public string? WarmStartNote { get; init; }
}
