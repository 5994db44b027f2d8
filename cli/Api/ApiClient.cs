using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Serverless.Cli.Api;

/// <summary>
/// Calls the app's HTTP API under <c>{endpoint}/api/</c> with the caller's credentials (<c>x-functions-key</c>, or an
/// Entra bearer token). A 4xx or 5xx becomes a <see cref="CliException"/> with <see cref="ExitCodes.ApiRefused"/> carrying
/// the HTTP status and the API's own error message and code as they are; an unreachable endpoint says so. One
/// <see cref="HttpClient"/> per instance; thread-safe for concurrent calls.
/// </summary>
public sealed class ApiClient : IDisposable
{
    public const string KeyHeader = "x-functions-key";
    private const int MaxShownBodyChars = 500;

    private static readonly JsonSerializerOptions RequestJson = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly HttpClient _http;
    private readonly string? _key;
    private readonly Func<CancellationToken, ValueTask<string>>? _token;

    public ApiClient(Uri endpoint, string? key, Func<CancellationToken, ValueTask<string>>? token, HttpMessageHandler? handler = null)
    {
        Endpoint = endpoint;
        _key = key;
        _token = token;
        _http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        _http.Timeout = Timeout.InfiniteTimeSpan;
        _http.BaseAddress = new Uri(endpoint.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/api/");
    }

    public Uri Endpoint { get; }

    /// <summary>A route path from its segments, each escaped: <c>Path("models", name, "versions")</c>.</summary>
    public static string Path(params string[] segments) => string.Join('/', segments.Select(Uri.EscapeDataString));

    public Task<ApiResponse> GetAsync(string path, CancellationToken cancellationToken) => SendAsync(HttpMethod.Get, path, null, cancellationToken);

    public Task<ApiResponse> PostJsonAsync(string path, object body, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, path, Json(body), cancellationToken);

    /// <summary>A CLI-made request body in the API's style: snake_case, nulls left out.</summary>
    public static HttpContent Json(object body) => new StringContent(JsonSerializer.Serialize(body, body.GetType(), RequestJson), Encoding.UTF8, "application/json");

    /// <summary>Sends the request; any status outside 2xx (except those in <paramref name="accept"/>) is a refusal.</summary>
    public async Task<ApiResponse> SendAsync(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken,
        string? ifMatch = null, params HttpStatusCode[] accept)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        if (_key is not null)
        {
            request.Headers.TryAddWithoutValidation(KeyHeader, _key);
        }

        if (_token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await _token(cancellationToken).ConfigureAwait(false));
        }

        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new CliException(ExitCodes.ApiRefused,
                $"Cannot reach {Endpoint.GetLeftPart(UriPartial.Authority)}: {e.Message} (is the app running? locally: dotnet run --project local; elsewhere give --endpoint)", e);
        }

        using (response)
        {
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            var answer = new ApiResponse(response.StatusCode, body, TryParse(body),
                response.Headers.ETag?.ToString() ?? Header(response, "ETag"), response.Headers.Location?.ToString());
            if (!response.IsSuccessStatusCode && !accept.Contains(response.StatusCode))
            {
                throw Refusal(method, path, answer);
            }

            return answer;
        }
    }

    public void Dispose() => _http.Dispose();

    /// <summary>The refusal as the user reads it: <c>HTTP 404 (model_not_found): Model 'x' not found.</c></summary>
    public static CliException Refusal(HttpMethod method, string path, ApiResponse answer)
    {
        var status = (int)answer.Status;
        if (answer.Json is { ValueKind: JsonValueKind.Object } json && json.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String)
        {
            var code = json.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? $" ({c.GetString()})" : "";
            return new CliException(ExitCodes.ApiRefused, $"HTTP {status}{code}: {error.GetString()}");
        }

        var text = Encoding.UTF8.GetString(answer.Body).Trim();
        text = text.Length > MaxShownBodyChars ? text[..MaxShownBodyChars] + "…" : text;
        return new CliException(ExitCodes.ApiRefused,
            $"HTTP {status} ({answer.Status}) from {method} /api/{path}{(text.Length == 0 ? "" : ": " + text)}");
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private static JsonElement? TryParse(byte[] body)
    {
        if (body.Length == 0)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
