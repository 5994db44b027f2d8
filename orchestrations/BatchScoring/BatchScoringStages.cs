namespace Serverless.Orchestrations.BatchScoring;

/// <summary>
/// The stages a batch scoring job reports in its custom status (<see cref="BatchScoringProgress.Stage"/>), in the order
/// they happen. Clients poll for them, so the values are part of the API and never change.
/// </summary>
public static class BatchScoringStages
{
    public const string Planning = "planning";

    /// <summary>Counting each chunk's rows (skipped when rows carry ids).</summary>
    public const string CountingRows = "counting rows";

    public const string Scoring = "scoring";

    public const string WritingManifest = "writing manifest";

    /// <summary>The job failed: more malformed rows than <see cref="BatchScoringRequest.MaxBadRows"/> (the manifest is written first).</summary>
    public const string FailedTooManyBadRows = "failed: too many bad rows";

    public const string Merging = "merging";

    public const string Completed = "completed";
}
