using System.Text.Json;
using Serverless.Core.Training.Tracking;

namespace Serverless.Orchestrations.Training;

/// <summary>Conversions between orchestration results and tracking records.</summary>
internal static class TrialRecords
{
    public static string Json(IReadOnlyDictionary<string, JsonElement> hyperparameters) => JsonSerializer.Serialize(hyperparameters);

    public static TrialRecord From(string sweepId, TrialResult result, TrialExecutionInfo? execution) => new()
    {
        SweepId = sweepId,
        TrialId = result.TrialId,
        Algorithm = result.Algorithm,
        HyperparametersJson = Json(result.Hyperparameters),
        Status = result.Status,
        Metrics = result.Metrics,
        Error = result.Error,
        Runner = execution?.Runner,
        ExecutionId = execution?.ExecutionId,
        OutputUri = result.OutputUri,
        TrainSeconds = result.TrainSeconds,
        StartedUtc = result.StartedUtc,
        EndedUtc = result.EndedUtc,
        WarmStart = result.WarmStart,
        WarmStartNote = result.WarmStartNote,
    };
}

/// <summary>Where a trial ran, when known.</summary>
public sealed record TrialExecutionInfo(string Runner, string ExecutionId);
