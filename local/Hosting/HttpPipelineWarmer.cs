using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serverless.Core.Registry;
using Serverless.Core.Serving;
using Serverless.Local.Http;

namespace Serverless.Local.Hosting;

/// <summary>
/// Before readiness turns true, sends synthetic infer requests through the runner's own HTTP pipeline for
/// every aliased model, so the first real request finds Kestrel, routing, the function and the codec already
/// compiled (tiered JIT promotes hot methods after ~30 calls). Its requests carry <see cref="Header"/> and
/// are not logged.
/// </summary>
internal static class HttpPipelineWarmer
{
    public const string Gate = "http-pipeline";
    public const string Header = "x-warmup";
    private const int RequestsPerRoute = 40;

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
            client.DefaultRequestHeaders.Add(Header, "1");
            client.DefaultRequestHeaders.Add("x-functions-key", keys.MasterKey);
            var names = (await registry.ListAliasesAsync(null, cancellationToken).ConfigureAwait(false)).Select(a => a.ModelName).Distinct();
            foreach (var name in names)
            {
                var version = await resolver.ResolveAsync(name, null, cancellationToken).ConfigureAwait(false);
                var body = WarmupRequest.CreateJson(version.Inputs);
                if (body is null)
                {
                    continue;
                }

                for (var i = 0; i < RequestsPerRoute; i++)
                {
                    await PostAsync(client, $"v2/models/{name}/infer", body, cancellationToken).ConfigureAwait(false);
                    await PostAsync(client, $"v2/models/{name}/versions/{version.Version}/infer", body, cancellationToken).ConfigureAwait(false);
                }
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

    private static async Task PostAsync(HttpClient client, string path, byte[] body, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await client.PostAsync(path, content, cancellationToken).ConfigureAwait(false);
        await response.Content.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
    }
}
