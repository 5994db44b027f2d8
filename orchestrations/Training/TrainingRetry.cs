using Microsoft.DurableTask;

namespace Serverless.Orchestrations.Training;

/// <summary>Retries for the sweep's idempotent activities: 3 attempts, 2 s then doubling.</summary>
internal static class TrainingRetry
{
    public static readonly TaskOptions Options = TaskOptions.FromRetryPolicy(
        new RetryPolicy(maxNumberOfAttempts: 3, firstRetryInterval: TimeSpan.FromSeconds(2), backoffCoefficient: 2));
}
