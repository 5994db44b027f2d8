using System.Globalization;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Text;
using Serverless.TestModels;

namespace Serverless.Bench.Binary;

/// <summary>
/// The binary tensor extension against JSON on a large input: one runner on Azurite (in memory), inference logging off,
/// a cheap model (<c>image</c> FP32 [N,3,224,224] → ReduceMean over H and W → <c>mean</c> FP32 [N,3]) so the protocol's
/// cost dominates. One 1×3×224×224 tensor sent as JSON, as binary with a JSON answer, and as binary asking for a binary
/// answer, at c=1 and c=4; targets alternate round by round; every answer checked byte for byte.
/// </summary>
public static class BinaryBenchmark
{
    public const int Rounds = 6;
    public static readonly TimeSpan RoundDuration = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan Warmup = TimeSpan.FromSeconds(2);
    public static readonly int[] Concurrencies = [1, 4];
    private const string HeaderName = "Inference-Header-Content-Length";
    private const string Model = "image-mean";
    private static readonly long[] Shape = [1, 3, 224, 224];

    /// <summary>The model: ReduceMean over the spatial axes (opset 17: axes as an attribute).</summary>
    public static byte[] Onnx() => new OnnxGraphBuilder("image_mean")
        .Input("image", OnnxElementType.Float, "N", 3L, 224L, 224L)
        .Node("ReduceMean", ["image"], ["mean"], null, ("axes", new long[] { 2, 3 }), ("keepdims", 0L))
        .Output("mean", OnnxElementType.Float, "N", 3L)
        .Build();

    public static async Task<string> RunAsync(string repositoryRoot)
    {
        Progress.Write("starting Azurite (in memory, free ports)...");
        await using var azurite = await BenchStorage.StartAzuriteAsync(repositoryRoot);
        await using var runner = await RunnerUnderTest.StartAsync(repositoryRoot, azurite.ConnectionString,
            new Dictionary<string, string?> { ["InferenceLog:Enabled"] = "false" });
        using (var setup = new HttpClient { BaseAddress = runner.ApiBase, Timeout = TimeSpan.FromSeconds(60) })
        {
            using var onnx = new ByteArrayContent(Onnx());
            onnx.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            using var registered = await setup.PutAsync($"models/{Model}/versions/1", onnx);
            registered.EnsureSuccessStatusCode();
            await RunnerUnderTest.WaitUntilReadyAsync(setup, TimeSpan.FromSeconds(60));
        }

        var pixels = Pixels();
        var shape = string.Join(",", Shape);
        var jsonBody = Encoding.UTF8.GetBytes(
            $$$"""{"id":"bench","inputs":[{"name":"image","datatype":"FP32","shape":[{{{shape}}}],"data":[{{{string.Join(",", pixels.Select(p => p.ToString("R", CultureInfo.InvariantCulture)))}}}]}]}""");
        var raw = MemoryMarshal.AsBytes(pixels.AsSpan()).ToArray();
        var (binaryBody, binaryHeader) = BinaryBody(
            $$$"""{"id":"bench","inputs":[{"name":"image","datatype":"FP32","shape":[{{{shape}}}],"parameters":{"binary_data_size":{{{raw.Length}}}}}]}""", raw);
        var (binaryOutBody, binaryOutHeader) = BinaryBody(
            $$$"""{"id":"bench","parameters":{"binary_data_output":true},"inputs":[{"name":"image","datatype":"FP32","shape":[{{{shape}}}],"parameters":{"binary_data_size":{{{raw.Length}}}}}]}""", raw);

        var uri = new Uri(runner.ApiBase, $"v2/models/{Model}/infer");
        using var http = LoadGenerator.CreateClient(Concurrencies.Max());
        var jsonAnswer = await ExpectedAsync(http, uri, jsonBody, null);
        var binaryAnswer = await ExpectedAsync(http, uri, binaryBody, binaryHeader);
        var binaryOutAnswer = await ExpectedAsync(http, uri, binaryOutBody, binaryOutHeader);
        if (!jsonAnswer.AsSpan().SequenceEqual(binaryAnswer))
        {
            throw new InvalidOperationException("The binary request's answer differs from the JSON request's.");
        }

        Progress.Write($"runner {runner.ApiBase}: '{Model}'; bodies JSON {jsonBody.Length} B, binary {binaryBody.Length} B");
        var targets = new[]
        {
            new LoadTarget("JSON in, JSON out", http, uri, jsonBody, jsonAnswer),
            new LoadTarget("binary in, JSON out", http, uri, binaryBody, binaryAnswer, null, HeaderName, [binaryHeader]),
            new LoadTarget("binary in, binary out", http, uri, binaryOutBody, binaryOutAnswer, null, HeaderName, [binaryOutHeader]),
        };
        var results = new List<BinaryResult>();
        foreach (var concurrency in Concurrencies)
        {
            var measured = await LoadGenerator.RunInterleavedAsync(targets, concurrency,
                new LoadSettings(Warmup, RoundDuration * Rounds, 1_000_000, Rounds));
            for (var t = 0; t < targets.Length; t++)
            {
                results.Add(new BinaryResult(targets[t].Label, concurrency, targets[t].Body.Length, targets[t].Expected.Length, measured[t]));
            }

            Progress.Write(string.Create(CultureInfo.InvariantCulture,
                $"c={concurrency}: JSON {measured[0].RequestsPerSecond:F1} req/s p50 {measured[0].P50Ms:F2} ms; binary {measured[1].RequestsPerSecond:F1} req/s p50 {measured[1].P50Ms:F2} ms"));
        }

        return BinaryReport.Render(results,
            $"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC · {Environment.ProcessorCount} cores · .NET {Environment.Version} · the runner, the load generator and " +
            $"Azurite (in memory) on this machine. {Rounds} rounds of {RoundDuration.TotalSeconds} s per target after {Warmup.TotalSeconds} s of warm-up each, " +
            "targets alternating round by round; every response checked byte for byte; inference logging off.");
    }

    /// <summary>A normalised image: values like (pixel / 255 - mean) / std, so their JSON text is as long as a real one's.</summary>
    private static float[] Pixels()
    {
        var random = new Random(18);
        return [.. Enumerable.Range(0, (int)(Shape[0] * Shape[1] * Shape[2] * Shape[3])).Select(_ => (random.Next(256) / 255f - 0.45f) / 0.225f)];
    }

    private static (byte[] Body, string HeaderLength) BinaryBody(string json, byte[] raw)
    {
        var header = Encoding.UTF8.GetBytes(json);
        return ([.. header, .. raw], header.Length.ToString(CultureInfo.InvariantCulture));
    }

    private static async Task<byte[]> ExpectedAsync(HttpClient client, Uri uri, byte[] body, string? headerLength)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(headerLength is null ? "application/json" : "application/octet-stream");
        if (headerLength is not null)
        {
            request.Headers.TryAddWithoutValidation(HeaderName, headerLength);
        }

        using var response = await client.SendAsync(request);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        return response.IsSuccessStatusCode
            ? bytes
            : throw new InvalidOperationException($"POST {uri} answered {(int)response.StatusCode}: {Encoding.UTF8.GetString(bytes)}");
    }
}
