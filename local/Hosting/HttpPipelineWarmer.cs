using Serverless.Core.Monitoring.Logging;
using Serverless.Core.Serving;
using Serverless.Local.Http;

namespace Serverless.Local.Hosting;

/// <summary>
/// Before readiness turns true, sends synthetic requests through the runner's own HTTP pipeline for every aliased
/// model (<see cref="WarmupCall"/>: OIP infer as JSON and binary, the records API, metadata, health), and warms in
/// process what they skip as non-traffic (<see cref="UncountedPathWarmer"/>), so the first real request finds Kestrel,
/// routing, the functions and the codecs already compiled, the hot methods already recompiled at tier 1. Its requests
/// carry the process's warm-up token (<see cref="InferenceLogger.WarmupToken"/>), so neither the inference log, the
/// metrics nor the request log count them.
/// </summary>
internal static class HttpPipelineWarmer
{
    public const string Gate = "http-pipeline";
    private const int RequestsPerRound = 10;
    private static readonly TimeSpan MaxWarmup = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ConnectionTeardown = TimeSpan.FromMilliseconds(50);

    public static async Task WarmAsync(IServiceProvider services, Uri apiBase, FunctionKeys keys, ILogger logger, CancellationToken cancellationToken)
    {
        var readiness = services.GetRequiredService<ServingReadiness>();
        try
        {
            await readiness.WhenCompleted(ServingReadiness.ModelsGate).WaitAsync(cancellationToken).ConfigureAwait(false);
            readiness.Report("warming the HTTP pipeline");
            var (hot, once, models) = await WarmupCall.ForAliasedModelsAsync(services, cancellationToken).ConfigureAwait(false);
            await UncountedPathWarmer.WarmAsync(services, models, cancellationToken).ConfigureAwait(false);
            using (var client = new HttpClient { BaseAddress = apiBase })
            {
                client.DefaultRequestHeaders.Add(InferenceLogger.WarmupHeaderName, services.GetRequiredService<InferenceLogger>().WarmupToken);
                client.DefaultRequestHeaders.Add("x-functions-key", keys.FunctionKey);
                for (var i = 0; i < 2; i++)
                {
                    foreach (var call in once)
                    {
                        await call.SendAsync(client, cancellationToken).ConfigureAwait(false);
                    }
                }

                if (hot.Count > 0)
                {
                    await WarmUntilJitSettlesAsync(client, hot, cancellationToken).ConfigureAwait(false);
                }
            }

            // The warm-up's connection closes with its client: Kestrel tears it down (code no request runs) before ready,
            // not beside the first real request.
            await Task.Delay(ConnectionTeardown, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Warming the HTTP pipeline failed; the first requests will be slower: {Reason}", e.Message);
        }
        finally
        {
            readiness.Complete(Gate);
        }
    }

    /// <summary>
    /// Sends rounds of requests until the JIT has compiled nothing new for a few rounds (tier-1 recompilation of
    /// the hot path runs in the background after ~30 calls; declaring ready before it finishes would let the
    /// first real requests share the CPU with the compiler), or until <see cref="MaxWarmup"/>. On 2 cores the
    /// JIT keeps promoting methods for seconds, so the cap is what usually ends warming: it trades start-up
    /// time for first-request latency.
    /// </summary>
    private static async Task WarmUntilJitSettlesAsync(HttpClient client, List<WarmupCall> calls, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + MaxWarmup;
        var lastCount = -1L;
        var quietRounds = 0;
        while (quietRounds < 3 && DateTime.UtcNow < deadline)
        {
            for (var i = 0; i < RequestsPerRound; i++)
            {
                foreach (var call in calls)
                {
                    await call.SendAsync(client, cancellationToken).ConfigureAwait(false);
                }
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            var count = System.Runtime.JitInfo.GetCompiledMethodCount();
            quietRounds = count == lastCount ? quietRounds + 1 : 0;
            lastCount = count;
        }
    }
}
