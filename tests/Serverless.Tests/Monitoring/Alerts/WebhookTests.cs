using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Serverless.Core.Monitoring;
using Serverless.Core.Monitoring.Alerts;
using Serverless.Core.Monitoring.Monitor;
using Serverless.TestModels;

namespace Serverless.Tests.Monitoring.Alerts;

/// <summary>Webhook URLs must be https (http only for loopback), checked at start-up and before each post; no redirects are followed.</summary>
public sealed class WebhookTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("https://hooks.example.com/services/T000/B000/secret")]
    [InlineData("http://localhost:7071/hook")]
    [InlineData("http://LOCALHOST/hook")]
    [InlineData("http://127.0.0.1:9000/hook")]
    [InlineData("http://127.255.0.9/hook")]
    [InlineData("http://[::1]:8080/hook")]
    [InlineData("http://[::ffff:127.0.0.1]/hook")]
    public void Problem_HttpsOrLoopbackHttp_IsAllowed(string? url) => Assert.Null(WebhookUrls.Problem(url));

    [Theory]
    [InlineData("http://hooks.example.com/services/secret", "https://")]
    [InlineData("http://localhost.example.com/hook", "not a loopback host")]
    [InlineData("http://127.0.0.1.nip.io/hook", "not a loopback host")]
    [InlineData("http://10.0.0.1/hook", "not a loopback host")]
    [InlineData("http://0.0.0.0/hook", "not a loopback host")]
    [InlineData("ftp://hooks.example.com/hook", "https://")]
    [InlineData("file:///etc/passwd", "absolute https://")]
    [InlineData("/relative/hook", "absolute https://")]
    [InlineData("https://alice:hunter2@hooks.example.com/hook", "credentials")]
    public void Problem_OtherUrls_AreRefused(string url, string expected)
    {
        var problem = WebhookUrls.Problem(url);

        Assert.NotNull(problem);
        Assert.Contains(expected, problem);
        Assert.DoesNotContain("secret", problem);
        Assert.DoesNotContain("hunter2", problem);
    }

    [Fact]
    public void Options_PlainHttpWebhook_FailValidationNamingTheSettingButNotThePath()
    {
        using var provider = Services(("Monitoring:WebhookUrl", "http://hooks.example.com/services/T000/secret-token")).BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<MonitoringOptions>>().Value);

        Assert.Contains("Monitoring:WebhookUrl", error.Message);
        Assert.Contains("https://", error.Message);
        Assert.DoesNotContain("secret-token", error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("https://hooks.example.com/x")]
    [InlineData("http://localhost:7071/x")]
    public void Options_EmptyOrAllowedWebhook_Validate(string url)
    {
        using var provider = Services(("Monitoring:WebhookUrl", url)).BuildServiceProvider();

        Assert.Equal(url, provider.GetRequiredService<IOptions<MonitoringOptions>>().Value.WebhookUrl ?? "");
    }

    [Fact]
    public void Options_MinimumFeedbackAboveTheCap_FailValidation()
    {
        using var provider = Services(("Monitoring:MinimumFeedbackRows", "5000"), ("Monitoring:MaxFeedbackRows", "1000")).BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<MonitoringOptions>>().Value);

        Assert.Contains("Monitoring:MaxFeedbackRows", error.Message);
    }

    [Fact]
    public async Task SendAsync_DisallowedUrlSetAnyway_PostsNothing()
    {
        var handler = new CountingHandler();
        var logger = new ListLogger();
        var sender = new WebhookAlertSender(new HttpClient(handler), Options.Create(new MonitoringOptions { WebhookUrl = "http://hooks.example.com/T0/secret-token" }), logger);

        Assert.False(await sender.SendAsync(new { kind = "test" }, CancellationToken.None));

        Assert.Equal(0, handler.Calls);
        Assert.Contains(logger.Messages, m => m.Contains("Monitoring:WebhookUrl"));
        Assert.DoesNotContain(logger.Messages, m => m.Contains("secret-token"));
    }

    [Fact]
    public async Task SendAsync_WebhookRedirects_DoesNotFollowIt()
    {
        using var server = new LoopbackServer(path => path == "/hook" ? (302, "/elsewhere") : (200, null));
        var sender = new WebhookAlertSender(WebhookAlertSender.CreateHttpClient(TimeSpan.FromSeconds(30)),
            Options.Create(new MonitoringOptions { WebhookUrl = $"{server.Url}hook", WebhookAttempts = 1 }), NullLogger<WebhookAlertSender>.Instance);

        Assert.False(await sender.SendAsync(new { kind = "test" }, CancellationToken.None));

        Assert.Equal(["/hook"], server.Paths);
    }

    [Fact]
    public async Task SendAsync_WebhookAccepts_Delivers()
    {
        using var server = new LoopbackServer(_ => (200, null));
        var sender = new WebhookAlertSender(WebhookAlertSender.CreateHttpClient(TimeSpan.FromSeconds(30)),
            Options.Create(new MonitoringOptions { WebhookUrl = $"{server.Url}hook" }), NullLogger<WebhookAlertSender>.Instance);

        Assert.True(await sender.SendAsync(new { kind = "test" }, CancellationToken.None));
        Assert.Equal(["/hook"], server.Paths);
    }

    [Fact]
    public async Task SendAsync_Alert_IsPostedAsSnakeCaseJson()
    {
        var handler = new CountingHandler();
        var sender = new WebhookAlertSender(new HttpClient(handler),
            Options.Create(new MonitoringOptions { WebhookUrl = "https://alerts.example/hook" }), NullLogger<WebhookAlertSender>.Instance);
        var alert = new MonitoringAlert("model_monitoring", "churn", "3", "run-1", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddHours(24),
            [new Finding("data_drift", "2 of 4 features drifted")], true, 0.5, false, "churn/3/run-1/report.html");

        Assert.True(await sender.SendAsync(alert, CancellationToken.None));

        using var body = System.Text.Json.JsonDocument.Parse(handler.LastBody!);
        Assert.Equal(["kind", "model", "version", "run_id", "window_start_utc", "window_end_utc", "findings", "dataset_drift", "drift_share", "performance_decay", "report"],
            body.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal("data_drift", body.RootElement.GetProperty("findings")[0].GetProperty("kind").GetString());
    }

    [Fact]
    public void CreateHttpClient_HasTheTimeoutPerAttempt()
    {
        using var client = WebhookAlertSender.CreateHttpClient(TimeSpan.FromSeconds(7));

        Assert.Equal(TimeSpan.FromSeconds(7), client.Timeout);
    }

    private static ServiceCollection Services(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddOptions<MonitoringOptions>().BindConfiguration(MonitoringOptions.SectionName).ValidateDataAnnotations();
        return services;
    }

    private sealed class CountingHandler : HttpMessageHandler
    {
        public int Calls { get; private set; }

        public string? LastBody { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Calls++;
            LastBody = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
            return new HttpResponseMessage(HttpStatusCode.OK);
        }
    }

    private sealed class ListLogger : ILogger<WebhookAlertSender>
    {
        public List<string> Messages { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Messages.Add(formatter(state, exception));
    }
}
