using Microsoft.DurableTask;

namespace Serverless.Orchestrations.Features;

/// <summary>How materialisation retries its activities (all idempotent): 4 attempts, 1 s then doubling (1, 2, 4 s).</summary>
internal static class MaterialisationRetry
{
    public static readonly TaskOptions Options = TaskOptions.FromRetryPolicy(
        new RetryPolicy(maxNumberOfAttempts: 4, firstRetryInterval: TimeSpan.FromSeconds(1), backoffCoefficient: 2));
}
