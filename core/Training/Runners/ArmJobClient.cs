using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Core;
using Microsoft.Extensions.Logging;

namespace Serverless.Core.Training.Runners;

/// <summary>
/// ARM REST calls about one Container Apps job. Every request carries a bearer token for the management scope asked
/// of the <see cref="TokenCredential"/> (which caches it). 408, 429, 5xx responses and transport errors are retried up
/// to <see cref="MaxAttempts"/> attempts in all, waiting as <c>Retry-After</c> says (at most 60 s) or 1 s, 2 s, 4 s,
/// 8 s; other failures become InvalidOperationException with ARM's status, error code and message, and the role
/// the identity lacks on 401/403. Does not own the HttpClient. Thread-safe.
/// </summary>
internal sealed class ArmJobClient
{
    public const int MaxAttempts = 5;

    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromSeconds(1);

    private readonly HttpClient _http;
    private readonly TokenCredential _credential;
    private readonly string _scope;
    private readonly string _jobName;
    private readonly string _jobId;
    private readonly ILogger _logger;
    private readonly TimeProvider _clock;

    public ArmJobClient(HttpClient http, TokenCredential credential, string scope, string jobName, string jobId, ILogger logger, TimeProvider clock)
    {
        _http = http;
        _credential = credential;
        _scope = scope;
        _jobName = jobName;
        _jobId = jobId;
        _logger = logger;
        _clock = clock;
        Delay = (delay, cancellationToken) => Task.Delay(delay, _clock, cancellationToken);
    }

    /// <summary>Waits between attempts; tests replace it to skip the waits.</summary>
    public Func<TimeSpan, CancellationToken, Task> Delay { get; set; }

    public async Task<HttpResponseMessage> SendAsync(
        HttpMethod method, string url, JsonNode? body, string action, CancellationToken cancellationToken, params HttpStatusCode[] passThrough)
    {
        for (var attempt = 1; ; attempt++)
        {
            var token = await _credential.GetTokenAsync(new TokenRequestContext([_scope]), cancellationToken).ConfigureAwait(false);
            using var request = new HttpRequestMessage(method, url);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            if (body is not null)
            {
                request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
            }
            else if (method == HttpMethod.Post)
            {
                request.Content = new StringContent(string.Empty, Encoding.UTF8, "application/json");
            }

            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (attempt < MaxAttempts && !cancellationToken.IsCancellationRequested && e is HttpRequestException or TaskCanceledException)
            {
                var backoff = Backoff(attempt);
                _logger.LogWarning(e, "ARM {Method} {Url} failed (attempt {Attempt} of {Max}); retrying in {Delay}.", method, url, attempt, MaxAttempts, backoff);
                await Delay(backoff, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (response.IsSuccessStatusCode || passThrough.Contains(response.StatusCode))
            {
                return response;
            }

            using (response)
            {
                if (IsTransient(response.StatusCode) && attempt < MaxAttempts)
                {
                    var delay = RetryAfter(response) ?? Backoff(attempt);
                    _logger.LogWarning("ARM {Method} {Url} answered {Status} (attempt {Attempt} of {Max}); retrying in {Delay}.",
                        method, url, (int)response.StatusCode, attempt, MaxAttempts, delay);
                    await Delay(delay, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                throw await ErrorAsync(response, action, cancellationToken, attempt).ConfigureAwait(false);
            }
        }
    }

    public async Task<InvalidOperationException> ErrorAsync(HttpResponseMessage response, string action, CancellationToken cancellationToken, int attempts = 1)
    {
        var (code, message) = await ReadErrorAsync(response, cancellationToken).ConfigureAwait(false);
        var status = (int)response.StatusCode;
        var text = new StringBuilder($"ARM could not {action} Container Apps job '{_jobName}': {status} {response.ReasonPhrase}");
        if (code is not null)
        {
            text.Append(' ').Append(code);
        }

        if (message is not null)
        {
            text.Append(": ").Append(message.TrimEnd('.')).Append('.');
        }
        else
        {
            text.Append('.');
        }

        if (attempts > 1)
        {
            text.Append($" Gave up after {attempts} attempts.");
        }

        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            text.Append(" The function app's managed identity (or whichever credential the app runs with) needs the ")
                .Append("'Container Apps Jobs Operator' role, or Contributor, on the job ").Append(_jobId).Append('.');
        }
        else if (response.StatusCode == HttpStatusCode.NotFound)
        {
            text.Append($" Check {TrainingOptions.SectionName}:ContainerApps:SubscriptionId, ResourceGroup and JobName (job {_jobId}).");
        }

        return new InvalidOperationException(text.ToString(), new HttpRequestException(text.ToString(), null, response.StatusCode));
    }

    /// <summary>ARM's <c>error.code</c> and <c>error.message</c>, or the start of a body that is not ARM's error shape.</summary>
    public static async Task<(string? Code, string? Message)> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(body))
        {
            return (null, null);
        }

        try
        {
            var error = JsonNode.Parse(body)?["error"];
            if (error is not null)
            {
                return (Text(error["code"]), Text(error["message"]));
            }
        }
        catch (JsonException)
        {
        }

        return (null, body.Length <= 500 ? body.Trim() : body[..500].Trim() + "…");
    }

    public static async Task<JsonNode?> ReadJsonAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(body);
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"ARM answered {(int)response.StatusCode} with a body that is not JSON: {e.Message}", e);
        }
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        var delay = header?.Delta ?? (header?.Date is { } date ? date - _clock.GetUtcNow() : null);
        return delay is null ? null : TimeSpan.FromTicks(Math.Clamp(delay.Value.Ticks, 0, MaxRetryAfter.Ticks));
    }

    private static TimeSpan Backoff(int attempt) => FirstBackoff * Math.Pow(2, attempt - 1);

    private static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;

    /// <summary>A JSON string value, or null.</summary>
    public static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
