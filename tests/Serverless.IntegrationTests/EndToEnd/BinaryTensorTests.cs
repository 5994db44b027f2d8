using System.Net;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Serverless.IntegrationTests.Support;
using Serverless.TestModels;

namespace Serverless.IntegrationTests.EndToEnd;

/// <summary>
/// The binary tensor extension through the runner over HTTP: the same tensors as JSON and as raw bytes give the same
/// numbers, binary outputs come back as application/octet-stream with the JSON's length in Inference-Header-Content-Length,
/// and the request id and served version travel as on the JSON path.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class BinaryTensorTests
{
    private const string HeaderName = "Inference-Header-Content-Length";
    private const int Features = 10;
    private readonly StackFixture _stack;

    public BinaryTensorTests(StackFixture stack)
    {
        _stack = stack;
    }

    private HttpClient Client => _stack.Client;

    [Fact]
    public async Task Infer_SameRowsAsJsonAndAsBinary_GiveTheSameNumbersAndHeaders()
    {
        await RegisterAsync("binary-lr");
        var rows = Rows(5);
        var json = $$"""{"id":"same-rows","inputs":[{"name":"input","datatype":"FP32","shape":[5,{{Features}}],"data":[{{string.Join(",", rows.Select(Format))}}]}]}""";

        var fromJson = await Client.PostJsonAsync("v2/models/binary-lr/infer", json);
        var fromBinary = await PostBinaryAsync("v2/models/binary-lr/infer",
            $$$"""{"id":"same-rows","inputs":[{"name":"input","datatype":"FP32","shape":[5,{{{Features}}}],"parameters":{"binary_data_size":{{{rows.Length * 4}}}}}]}""",
            MemoryMarshal.AsBytes(rows.AsSpan()).ToArray());

        Assert.Equal(HttpStatusCode.OK, fromBinary.Status);
        Assert.Equal("application/json", fromBinary.ContentType);
        Assert.False(fromBinary.Headers.Contains(HeaderName));
        Assert.Equal(fromJson.Json.GetProperty("outputs").GetRawText(), fromBinary.Json.GetProperty("outputs").GetRawText());
        Assert.Equal("same-rows", Header(fromBinary.Headers, "x-request-id"));
        Assert.Equal(Header(fromJson.Response.Headers, "x-model-version"), Header(fromBinary.Headers, "x-model-version"));
    }

    [Fact]
    public async Task Infer_BinaryDataOutput_IsOctetStreamWhoseBytesDecodeToTheJsonAnswer()
    {
        await RegisterAsync("binary-out");
        var rows = Rows(3);
        var inputs = $$"""[{"name":"input","datatype":"FP32","shape":[3,{{Features}}],"data":[{{string.Join(",", rows.Select(Format))}}]}]""";

        var fromJson = await Client.PostJsonAsync("v2/models/binary-out/versions/1/infer", $$"""{"inputs":{{inputs}}}""");
        var answer = await PostBinaryAsync("v2/models/binary-out/versions/1/infer",
            $$$"""{"inputs":{{{inputs}}},"parameters":{"binary_data_output":true}}""", [], requestId: "binary-out-1");

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("application/octet-stream", answer.ContentType);
        var headerLength = int.Parse(Header(answer.Headers, HeaderName)!);
        var output = answer.Json.GetProperty("outputs")[0];
        Assert.False(output.TryGetProperty("data", out _));
        Assert.Equal(12, output.GetProperty("parameters").GetProperty("binary_data_size").GetInt32());
        Assert.Equal(headerLength + 12, answer.Bytes.Length);
        var expected = fromJson.Json.GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(e => e.GetSingle()).ToArray();
        Assert.Equal(expected, MemoryMarshal.Cast<byte, float>(answer.Bytes.AsSpan(headerLength)).ToArray());
        Assert.Equal("binary-out-1", answer.Json.GetProperty("id").GetString());
        Assert.Equal("binary-out-1", Header(answer.Headers, "x-request-id"));
        Assert.Equal("1", Header(answer.Headers, "x-model-version"));
    }

    [Fact]
    public async Task Infer_LyingBinaryDataSize_Is400JsonErrorNamingTheInput()
    {
        await RegisterAsync("binary-bad");

        var answer = await PostBinaryAsync("v2/models/binary-bad/infer",
            $$$"""{"inputs":[{"name":"input","datatype":"FP32","shape":[1,{{{Features}}}],"parameters":{"binary_data_size":36}}]}""", new byte[36]);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal("application/json", answer.ContentType);
        Assert.Equal("invalid_input", answer.Json.GetProperty("code").GetString());
        Assert.Contains("'input'", answer.Json.GetProperty("error").GetString());
    }

    [Fact]
    public async Task ServerMetadata_ListsTheBinaryTensorDataExtension()
    {
        var answer = await Client.GetJsonAsync("v2");

        Assert.Contains("binary_tensor_data", answer.Json.GetProperty("extensions").EnumerateArray().Select(e => e.GetString()));
    }

    private async Task RegisterAsync(string name)
    {
        var answer = await Client.PutBytesAsync($"models/{name}/versions/1", ReferenceModels.LogisticRegression(Features));
        Assert.True(answer.Status is HttpStatusCode.Created or HttpStatusCode.OK, $"registration failed: {answer.Status} {answer.Body}");
    }

    private static float[] Rows(int rows) => [.. Enumerable.Range(0, rows * Features).Select(i => (i % 11 - 5) * 0.37f)];

    private static string Format(float value) => value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);

    private static string? Header(HttpHeaders headers, string name) => headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;

    private async Task<BinaryHttpAnswer> PostBinaryAsync(string path, string json, byte[] tensorBytes, string? requestId = null)
    {
        var header = Encoding.UTF8.GetBytes(json);
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent([.. header, .. tensorBytes]) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        request.Headers.TryAddWithoutValidation(HeaderName, header.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (requestId is not null)
        {
            request.Headers.TryAddWithoutValidation("x-request-id", requestId);
        }

        var response = await Client.SendAsync(request);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var jsonLength = response.Headers.TryGetValues(HeaderName, out var values) ? int.Parse(values.Single()) : bytes.Length;
        using var document = JsonDocument.Parse(bytes.AsMemory(0, jsonLength));
        return new BinaryHttpAnswer(response.StatusCode, response.Content.Headers.ContentType?.MediaType, response.Headers, document.RootElement.Clone(), bytes);
    }

    private sealed record BinaryHttpAnswer(HttpStatusCode Status, string? ContentType, HttpResponseHeaders Headers, JsonElement Json, byte[] Bytes);
}
