using System.Globalization;
using Serverless.Core.Errors;
using Serverless.Core.Graphs;
using Serverless.Core.Models;
using Serverless.Core.Protocol;
using Serverless.Core.Registry;
using Serverless.Core.Serving;

namespace Serverless.Local.Hosting;

/// <summary>One synthetic request of the runner's warm-up: a GET when <see cref="Body"/> is null, else a POST of it.</summary>
/// <param name="HeaderLength">The binary tensor extension's JSON header length (-1: the body is all JSON).</param>
internal sealed record WarmupCall(string Path, byte[]? Body = null, int HeaderLength = -1)
{
    /// <summary>
    /// The requests that warm every serving route of each aliased model: the hot ones (sent until the JIT settles) are OIP
    /// infer as JSON on the default and versioned routes, OIP infer with binary tensors where every input has a fixed element
    /// size, and the records API where the version has a manifest, or is a graph whose records its members' manifests map; the rest (sent twice) are the model's metadata and
    /// readiness, and the server's health and metadata.
    /// </summary>
    public static async Task<(List<WarmupCall> Hot, List<WarmupCall> Once, List<string> Models)> ForAliasedModelsAsync(IServiceProvider services,
        CancellationToken cancellationToken)
    {
        var registry = services.GetRequiredService<IModelRegistry>();
        var resolver = services.GetRequiredService<ModelResolver>();
        var hot = new List<WarmupCall>();
        var once = new List<WarmupCall> { new("v2/health/live"), new("v2/health/ready"), new("v2") };
        var models = (await registry.ListAliasesAsync(null, cancellationToken).ConfigureAwait(false)).Select(a => a.ModelName).Distinct().ToList();
        foreach (var name in models)
        {
            var version = await resolver.ResolveAsync(name, null, cancellationToken).ConfigureAwait(false);
            if (WarmupRequest.CreateJson(version.Inputs) is { } body)
            {
                hot.Add(new($"v2/models/{name}/infer", body));
                hot.Add(new($"v2/models/{name}/versions/{version.Version}/infer", body));
            }

            if (WarmupBodies.CreateBinary(version.Inputs) is var (binary, headerLength))
            {
                hot.Add(new($"v2/models/{name}/infer", binary, headerLength));
            }

            if (await RecordsManifestAsync(services, registry, version, cancellationToken).ConfigureAwait(false) is { } manifest)
            {
                hot.Add(new($"models/{name}/predict", WarmupBodies.CreateRecordsJson(manifest)));
            }

            once.Add(new($"v2/models/{name}"));
            once.Add(new($"v2/models/{name}/ready"));
        }

        return (hot, once, models);
    }

    /// <summary>
    /// The manifest a records request to <paramref name="version"/> is read with: its own, else (a graph) its entry member's, as the
    /// records API binds it; null when the version is not served as records.
    /// </summary>
    private static async Task<ModelManifest?> RecordsManifestAsync(IServiceProvider services, IModelRegistry registry, ModelVersion version, CancellationToken cancellationToken)
    {
        if (!version.IsGraph)
        {
            return version.ManifestSha256 is null ? null : await registry.GetManifestAsync(version, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            var plan = await services.GetRequiredService<GraphService>().GetPlanAsync(version, cancellationToken).ConfigureAwait(false);
            return (await services.GetRequiredService<GraphManifests>().GetRecordsAsync(version, plan, cancellationToken).ConfigureAwait(false)).Features.Manifest;
        }
        catch (ServingException)
        {
            return null;
        }
    }

    /// <summary>Sends the request with <paramref name="client"/> (its base address the API's root) and reads the answer to its end.</summary>
    public async Task<System.Net.HttpStatusCode> SendAsync(HttpClient client, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(Body is null ? HttpMethod.Get : HttpMethod.Post, Path);
        if (Body is not null)
        {
            request.Content = new ByteArrayContent(Body);
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(HeaderLength < 0 ? "application/json" : "application/octet-stream");
            if (HeaderLength >= 0)
            {
                request.Headers.Add(BinaryTensorData.HeaderName, HeaderLength.ToString(CultureInfo.InvariantCulture));
            }
        }

        using var response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
        await response.Content.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
        return response.StatusCode;
    }
}
