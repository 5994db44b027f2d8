using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Serverless.IntegrationTests.Support;

/// <summary>An HTTP answer with its body parsed as JSON (null when empty).</summary>
public sealed record JsonAnswer(HttpStatusCode Status, JsonElement? Body, HttpResponseMessage Response)
{
    public JsonElement Json => Body ?? throw new InvalidOperationException($"No JSON body (status {(int)Status}).");

    /// <summary>The error's message: the app's <c>error</c>, or MLflow's <c>message</c> on its routes.</summary>
    public string Error => (Json.TryGetProperty("error", out var error) ? error : Json.GetProperty("message")).GetString()!;
}

public static class HttpJson
{
    public static async Task<JsonAnswer> SendAsync(this HttpClient client, HttpMethod method, string path, HttpContent? content = null,
        IDictionary<string, string>? headers = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        JsonElement? body = string.IsNullOrWhiteSpace(text) ? null : JsonDocument.Parse(text).RootElement.Clone();
        return new JsonAnswer(response.StatusCode, body, response);
    }

    public static Task<JsonAnswer> GetJsonAsync(this HttpClient client, string path) => client.SendAsync(HttpMethod.Get, path);

    public static Task<JsonAnswer> PostJsonAsync(this HttpClient client, string path, string json) =>
        client.SendAsync(HttpMethod.Post, path, new StringContent(json, Encoding.UTF8, "application/json"));

    public static Task<JsonAnswer> PutJsonAsync(this HttpClient client, string path, string json, IDictionary<string, string>? headers = null) =>
        client.SendAsync(HttpMethod.Put, path, new StringContent(json, Encoding.UTF8, "application/json"), headers);

    public static Task<JsonAnswer> PutBytesAsync(this HttpClient client, string path, byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return client.SendAsync(HttpMethod.Put, path, content);
    }

    public static Task<JsonAnswer> DeleteJsonAsync(this HttpClient client, string path, IDictionary<string, string>? headers = null) =>
        client.SendAsync(HttpMethod.Delete, path, null, headers);
}
