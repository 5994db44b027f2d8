using System.Net.Http.Headers;
using Serverless.Core.Monitoring.Logging;
using Serverless.Core.Registry;
using Serverless.Core.Serving;
using Serverless.Local.Http;

namespace Serverless.Local.Hosting;

/// <summary>
/// Before readiness turns true, sends synthetic infer requests through the runner's own HTTP pipeline for
/// every aliased model, so the first real request finds Kestrel, routing, the function and the codec already
/// compiled, the hot methods already recompiled at tier 1. Its requests carry the process's warm-up token
/// (<see cref="InferenceLogger.WarmupToken"/>), so neither the inference log nor the request log records them.
/// </summary>
internal static class HttpPipelineWarmer
{
    public const string Gate = "http-pipeline";
    private const int RequestsPerRound = 10;
    private static readonly TimeSpan MaxWarmup = TimeSpan.FromSeconds(1);

    public static async Task WarmAsync(IServiceProvider services, Uri apiBase, FunctionKeys keys, ILogger logger, CancellationToken cancellationToken)
    {
        var readiness = services.GetRequiredService<ServingReadiness>();
        try
        {
            await readiness.WhenCompleted(ServingReadiness.ModelsGate).WaitAsync(cancellationToken).ConfigureAwait(false);
            readiness.Report("warming the HTTP pipeline");
            var registry = services.GetRequiredService<IModelRegistry>();
            var resolver = services.GetRequiredService<ModelResolver>();
            using var client = new HttpClient { BaseAddress = apiBase };
            client.DefaultRequestHeaders.Add(InferenceLogger.WarmupHeaderName, services.GetRequiredService<InferenceLogger>().WarmupToken);
            client.DefaultRequestHeaders.Add("x-functions-key", keys.FunctionKey);
            var targets = new List<(string Path, byte[] Body)>();
            foreach (var name in (await registry.ListAliasesAsync(null, cancellationToken).ConfigureAwait(false)).Select(a => a.ModelName).Distinct())
            {
                var version = await resolver.ResolveAsync(name, null, cancellationToken).ConfigureAwait(false);
                if (WarmupRequest.CreateJson(version.Inputs) is { } body)
                {
                    targets.Add(($"v2/models/{name}/infer", body));
                    targets.Add(($"v2/models/{name}/versions/{version.Version}/infer", body));
                }
            }

            if (targets.Count > 0)
            {
                await WarmUntilJitSettlesAsync(client, targets, cancellationToken).ConfigureAwait(false);
            }
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
    private static async Task WarmUntilJitSettlesAsync(HttpClient client, List<(string Path, byte[] Body)> targets, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + MaxWarmup;
        var lastCount = -1L;
        var quietRounds = 0;
        while (quietRounds < 3 && DateTime.UtcNow < deadline)
        {
            for (var i = 0; i < RequestsPerRound; i++)
            {
                foreach (var (path, body) in targets)
                {
                    await PostAsync(client, path, body, cancellationToken).ConfigureAwait(false);
                }
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            var count = System.Runtime.JitInfo.GetCompiledMethodCount();
            quietRounds = count == lastCount ? quietRounds + 1 : 0;
            lastCount = count;
        }
    }

    private static async Task PostAsync(HttpClient client, string path, byte[] body, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await client.PostAsync(path, content, cancellationToken).ConfigureAwait(false);
        await response.Content.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
    }
}
