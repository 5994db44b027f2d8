using System.Net.Http.Headers;
using System.Text;

namespace Serverless.Bench.Tabular;

/// <summary>Puts the tabular bench model on a runner and captures the answers load tests must see.</summary>
public static class TabularRunnerSetup
{
    /// <summary>Registers the model as version 1 with its manifest, aliases it production and waits for readiness (client based at the API).</summary>
    public static async Task RegisterAsync(HttpClient client)
    {
        using var onnx = new ByteArrayContent(TabularBenchData.Onnx);
        onnx.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        await EnsureAsync(await client.PutAsync($"models/{TabularBenchData.Model}/versions/1", onnx));
        await EnsureAsync(await client.PutAsync($"models/{TabularBenchData.Model}/versions/1/manifest",
            new StringContent(TabularBenchData.Manifest, Encoding.UTF8, "application/json")));
        await EnsureAsync(await client.PutAsync($"models/{TabularBenchData.Model}/aliases/production",
            new StringContent("""{"version":"1"}""", Encoding.UTF8, "application/json")));
        await RunnerUnderTest.WaitUntilReadyAsync(client, TimeSpan.FromSeconds(60));
    }

    /// <summary>Sends the request twice; both answers must be 200 and identical (the body then serves as the load test's check).</summary>
    public static async Task<byte[]> ExpectedAsync(HttpClient client, Uri uri, byte[] body)
    {
        async Task<byte[]> SendAsync()
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await client.PostAsync(uri, content);
            var bytes = await response.Content.ReadAsByteArrayAsync();
            return response.IsSuccessStatusCode
                ? bytes
                : throw new InvalidOperationException($"POST {uri} answered {(int)response.StatusCode}: {Encoding.UTF8.GetString(bytes)}");
        }

        var first = await SendAsync();
        var second = await SendAsync();
        return first.AsSpan().SequenceEqual(second) ? first : throw new InvalidOperationException($"POST {uri} is not deterministic");
    }

    /// <summary>Disposes <paramref name="response"/>; throws with its status and body unless it succeeded.</summary>
    public static async Task EnsureAsync(HttpResponseMessage response)
    {
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"{response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }
        }
    }
}
