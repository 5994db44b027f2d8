using System.Globalization;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Primitives;
using Serverless.Core.Errors;

namespace Serverless.Functions.Orchestrations;

/// <summary>
/// The status route's <c>wait</c>: a caller (a pipeline, a README example) may ask the route to hold the answer until the
/// instance ends, for at most <see cref="MaxSeconds"/> (an HTTP request in Azure is cut after 230 s).
/// </summary>
internal static class OrchestrationWait
{
    public const string QueryName = "wait";
    public const int MaxSeconds = 120;

    /// <summary>The wait asked for, or null; a value that is not a whole number of seconds in 1–120 is a 400.</summary>
    public static TimeSpan? Parse(StringValues values)
    {
        if (StringValues.IsNullOrEmpty(values))
        {
            return null;
        }

        if (values.Count > 1 || !int.TryParse(values[0], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds is < 1 or > MaxSeconds)
        {
            throw ServingException.BadRequest($"Query parameter '{QueryName}' must be a whole number of seconds from 1 to {MaxSeconds}.");
        }

        return TimeSpan.FromSeconds(seconds);
    }

    /// <summary>The instance once it has ended, or as it stands when <paramref name="wait"/> runs out.</summary>
    public static async Task<OrchestrationMetadata> UntilEndedAsync(DurableTaskClient client, string instanceId, TimeSpan wait, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(wait);
        try
        {
            return await client.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: true, timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return await client.GetInstanceAsync(instanceId, getInputsAndOutputs: true, cancellationToken)
                ?? throw ServingException.NotFound($"No orchestration instance '{instanceId}'.");
        }
    }
}
