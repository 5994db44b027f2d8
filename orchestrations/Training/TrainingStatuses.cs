using Serverless.Core.Training.Tracking;

namespace Serverless.Orchestrations.Training;

/// <summary>
/// The stages a training sweep reports in its custom status (<see cref="SweepProgress.Stage"/>), in the order they
/// happen. Clients poll for them, so the values are part of the API and never change. (A sweep's tracked status is
/// one of <see cref="SweepRecord"/>'s constants.)
/// </summary>
public static class SweepStages
{
    public const string PreparingData = "preparing data";

    public const string Training = "training";

    public const string Registering = "registering";

    public const string Evaluating = "evaluating";

    public const string Completed = "completed";
}

/// <summary>A trial's status, as tracked (<see cref="TrialRecord.Status"/>) and as its result says (<see cref="TrialResult.Status"/>). Part of the API.</summary>
public static class TrialStatuses
{
    /// <summary>Started on the trial runner; only the tracked record says this.</summary>
    public const string Running = "running";

    public const string Succeeded = "succeeded";

    public const string Failed = "failed";
}
