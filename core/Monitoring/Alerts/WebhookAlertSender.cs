using System.Net.Http.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Serverless.Core.Monitoring.Alerts;

/// <summary>
/// Posts a monitoring finding as JSON to the configured webhook, retrying transient failures (network, 408, 429,
/// 5xx) with exponential backoff. Never throws: a failing webhook is logged and reported as not delivered, so it
/// can never fail a monitoring run. Thread-safe.
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

    /// <summary>True when the webhook accepted the alert (2xx); false when none is configured or every attempt failed.</summary>
    public async Task<bool> SendAsync(object alert, CancellationToken cancellationToken)
    {
        if (!Configured)
        {
            return false;
        }

        for (var attempt = 1; attempt <= _options.WebhookAttempts; attempt++)
        {
            string failure;
            try
            {
                using var response = await _http.PostAsJsonAsync(_options.WebhookUrl, alert, cancellationToken).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return true;
                }

                failure = $"HTTP {(int)response.StatusCode}";
                if ((int)response.StatusCode is not (408 or 429) && (int)response.StatusCode < 500)
                {
                    _logger.LogWarning("Monitoring webhook refused the alert ({Failure}); not retrying.", failure);
                    return false;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                failure = e.Message;
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
