using Microsoft.DurableTask;

namespace Serverless.Orchestrations.BatchScoring;

/// <summary>How batch scoring retries its activities: 4 attempts, 1 s then doubling (1, 2, 4 s).</summary>
internal static class BatchScoringRetry
{
    public static readonly TaskOptions Options = TaskOptions.FromRetryPolicy(
        new RetryPolicy(maxNumberOfAttempts: 4, firstRetryInterval: TimeSpan.FromSeconds(1), backoffCoefficient: 2));
}
