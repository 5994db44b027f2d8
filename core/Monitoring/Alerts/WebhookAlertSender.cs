using System.Net.Http.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serverless.Core.Monitoring.Monitor;

namespace Serverless.Core.Monitoring.Alerts;

/// <summary>
/// Posts a monitoring finding as JSON to the configured webhook, retrying transient failures (network, timeout, 408,
/// 429, 5xx) with exponential backoff. Never throws: a failing webhook is logged and reported as not delivered, so it
/// can never fail a monitoring run. The URL is checked again before each post (<see cref="WebhookUrls"/>: https, or
/// http to loopback); the client from <see cref="CreateHttpClient"/> follows no redirects (a 3xx is a refusal) and
/// abandons an attempt after <see cref="MonitoringOptions.WebhookTimeoutSeconds"/>. Logs never hold the URL, whose
/// path often carries the webhook's secret. Thread-safe.
/// </summary>
public sealed class WebhookAlertSender
{
    private readonly HttpClient _http;
    private readonly MonitoringOptions _options;
    private readonly ILogger<WebhookAlertSender> _logger;

    public WebhookAlertSender(HttpClient http, IOptions<MonitoringOptions> options, ILogger<WebhookAlertSender> logger)
    {
        _http = http;
        _options = options.Value;
        _logger = logger;
    }

    /// <summary>Delay before retry n (1-based); tests shorten it.</summary>
    internal Func<int, TimeSpan> Backoff { get; set; } = attempt => TimeSpan.FromSeconds(Math.Pow(2, attempt - 1));

    public bool Configured => !string.IsNullOrWhiteSpace(_options.WebhookUrl);

    /// <summary>The client the sender is built with: no redirects, <paramref name="timeout"/> per attempt, connections renewed every few minutes (DNS changes).</summary>
    public static HttpClient CreateHttpClient(TimeSpan timeout) => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        ConnectTimeout = timeout,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    })
    {
        Timeout = timeout,
    };

    /// <summary>True when the webhook accepted the alert (2xx); false when none is configured, the URL is not allowed, or every attempt failed.</summary>
    public async Task<bool> SendAsync(object alert, CancellationToken cancellationToken)
    {
        if (!Configured)
        {
            return false;
        }

        if (WebhookUrls.Problem(_options.WebhookUrl) is { } problem)
        {
            _logger.LogWarning("Monitoring webhook not called: {Section}:WebhookUrl {Problem}.", MonitoringOptions.SectionName, problem);
            return false;
        }

        var url = new Uri(_options.WebhookUrl!, UriKind.Absolute);
        for (var attempt = 1; attempt <= _options.WebhookAttempts; attempt++)
        {
            string failure;
            try
            {
                using var response = await _http.PostAsJsonAsync(url, alert, MonitoringReport.Json, cancellationToken).ConfigureAwait(false);
                var status = (int)response.StatusCode;
                if (response.IsSuccessStatusCode)
                {
                    return true;
                }

                failure = $"HTTP {status}";
                if (status is >= 300 and < 400)
                {
                    _logger.LogWarning("Monitoring webhook answered with a redirect ({Failure}); redirects are not followed, so the alert was not delivered.", failure);
                    return false;
                }

                if (status is not (408 or 429) && status < 500)
                {
                    _logger.LogWarning("Monitoring webhook refused the alert ({Failure}); not retrying.", failure);
                    return false;
                }
            }
            catch (HttpRequestException e)
            {
                failure = $"{e.HttpRequestError} ({e.GetType().Name})";
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                failure = $"no answer within {_http.Timeout.TotalSeconds:G4} s";
            }

            _logger.LogWarning("Monitoring webhook attempt {Attempt} of {Attempts} failed: {Failure}", attempt, _options.WebhookAttempts, failure);
            if (attempt < _options.WebhookAttempts)
            {
                await Task.Delay(Backoff(attempt), cancellationToken).ConfigureAwait(false);
            }
        }

        return false;
    }
}
