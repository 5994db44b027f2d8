using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Serverless.IntegrationTests.Support;
using Serverless.TestModels;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Serverless.IntegrationTests.Browser;

/// <summary>
/// The console in headless chromium against the local runner: each page loads with the operator's key; a promote and a
/// rollback move the alias through the API; a sweep started from a previous one's request fills its leaderboard while the
/// page watches; a batch scoring run shows its outcome; the monitor runs from the page and a report opens; a client's key
/// sees nothing. Each page is saved as docs/console/*.png.
/// </summary>
public sealed partial class ConsoleBrowserTests : IClassFixture<ConsoleFixture>
{
    /// <summary>The model the monitoring test watches: the fixture sets its p95 threshold so low that every report has a finding.</summary>
    public const string WatchedModel = "watched";

    private const string Model = "churn-scorer";

    private const int MonitoredRequests = 30;

    private readonly ConsoleFixture _fixture;
    private readonly ITestOutputHelper _output;

    public ConsoleBrowserTests(ConsoleFixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _output = output;
    }

    private HttpClient Operator => _fixture.Operator;

    [Fact]
    public async Task ModelsPage_PromoteThenRollBack_MoveTheAliasThroughTheApi()
    {
        await RegisterModelAsync(Model);
        var page = await _fixture.OpenAsync("#/models");

        await Expect(page.Locator("#models-table")).ToContainTextAsync(Model);
        await ConsoleFixture.ScreenshotAsync(page, "models");
        await page.GetByRole(AriaRole.Link, new() { Name = Model, Exact = true }).ClickAsync();
        var production = page.Locator("article[data-alias='production']");
        await Expect(production.Locator(".alias-version")).ToHaveTextAsync("1");
        await Expect(page.Locator("#versions-table tbody tr")).ToHaveCountAsync(2);

        await production.GetByLabel("Version to promote").SelectOptionAsync("2");
        await production.GetByRole(AriaRole.Button, new() { Name = "Promote" }).ClickAsync();
        await Expect(production.Locator(".alias-version")).ToHaveTextAsync("2");
        Assert.Equal("2", await AliasVersionAsync(Model));
        await ConsoleFixture.ScreenshotAsync(page, "model");

        await production.GetByRole(AriaRole.Button, new() { Name = "Roll back" }).ClickAsync();
        await Expect(page.Locator("article[data-alias='production'] .alias-version")).ToHaveTextAsync("1");
        Assert.Equal("1", await AliasVersionAsync(Model));
        var history = (await Operator.GetJsonAsync($"models/{Model}/aliases/production/history")).Json.GetProperty("moves");
        Assert.Equal(new[] { "rollback", "set", "set" }, history.EnumerateArray().Select(m => m.GetProperty("kind").GetString()).Take(3).ToArray());
        Assert.Equal("admin key", history[0].GetProperty("by").GetString());
    }

    [Fact]
    public async Task EveryPage_WithTheClientKey_ShowsNothingButWhyNot()
    {
        await RegisterModelAsync("client-cannot-see");
        foreach (var hash in new[] { "#/models", "#/sweeps", "#/workflows", "#/monitoring" })
        {
            var page = await _fixture.OpenAsync(hash, ConsoleFixture.ClientKey);

            await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("needs the operator (master) key");
            await Expect(page.Locator("main")).Not.ToContainTextAsync("client-cannot-see");
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task SweepsPage_ASweepStartedFromAPreviousRequest_FillsItsLeaderboardWhileThePageWatches()
    {
        var model = "sweep-" + Guid.NewGuid().ToString("N")[..6];
        await _fixture.UploadAsync("training", $"{model}.csv", ReferenceDatasets.ChurnCsv(600, seed: 3));
        var first = await StartSweepAsync($$$"""
            {"dataset": "training/{{{model}}}.csv", "target": "churned", "task": "binary", "exclude_columns": ["customer_id"],
             "algorithms": [{"name": "lightgbm", "grid": {"num_leaves": [4, 8], "num_iterations": [10]}}, {"name": "sdca", "grid": {"max_iterations": [5]}}],
             "metric": "auc", "max_parallel_trials": 1, "model_name": "{{{model}}}", "seed": 7}
            """);
        await WaitAsync(first);
        var page = await _fixture.OpenAsync($"#/sweeps/{first}");
        await Expect(page.Locator("#leaderboard tbody tr")).ToHaveCountAsync(3);

        await page.GetByRole(AriaRole.Button, new() { Name = "Start again from this request" }).ClickAsync();
        // A hash change (same document): poll the URL, with room for a sweep start on a busy 2-core machine; if the start
        // failed, the page says why in its alert and notice, which the failure then shows.
        try
        {
            await Expect(page).ToHaveURLAsync(new Regex("#/sweeps/(?!" + first + ")"), new() { Timeout = 240_000 });
        }
        catch (PlaywrightException e)
        {
            Assert.Fail($"The console did not move to the new sweep's page: alert '{await page.Locator("#alert").TextContentAsync()}', " +
                $"notice '{await page.Locator("#notice").TextContentAsync()}', URL {page.Url}. {e.Message}");
        }

        var second = page.Url[(page.Url.LastIndexOf('/') + 1)..];
        await Expect(page.Locator("#sweep h1")).ToHaveTextAsync($"Sweep {second}");
        var statusFirstShown = await page.Locator("#sweep").GetAttributeAsync("data-status");
        await Expect(page.Locator("#leaderboard tbody tr")).ToHaveCountAsync(3, new() { Timeout = 240_000 });
        await Expect(page.Locator("#sweep-status")).ToHaveTextAsync("completed");

        Assert.True(statusFirstShown is "starting" or "running", $"the new sweep's page first showed '{statusFirstShown}'");
        Assert.NotEqual(first, second);
        Assert.Equal("Completed", (await Operator.GetJsonAsync($"orchestrations/{second}")).Json.GetProperty("runtime_status").GetString());
        await Expect(page.Locator("figure", new() { HasText = "auc against num_leaves" }).Locator("circle")).ToHaveCountAsync(2);
        await ConsoleFixture.ScreenshotAsync(page, "sweep");
        await page.GotoAsync(_fixture.ConsoleUri + "#/sweeps");
        await Expect(page.Locator("#sweeps-table")).ToContainTextAsync(second);
        await ConsoleFixture.ScreenshotAsync(page, "sweeps");
    }

    [Fact]
    public async Task WorkflowsPage_ABatchScoringRunAndARetrainingRun_ShowTheirOutcomesBadRowSamplesAndLineage()
    {
        await RegisterModelAsync("batch-scorer");
        await _fixture.UploadAsync("data", "console/in.csv", "id,f0,f1,f2\n1,0.5,1,2\n2,1.5,0,2\n3,x,0,2\n");
        var start = await Operator.PostJsonAsync("orchestrations/batch-scoring",
            """{"input": "data/console/in.csv", "model": "batch-scorer", "output": "scores/console-run", "id_column": "id"}""");
        Assert.Equal(HttpStatusCode.Accepted, start.Status);
        var id = start.Json.GetProperty("id").GetString()!;
        await WaitAsync(id);
        var retraining = await RetrainingRunAsync("batch-scorer");

        var page = await _fixture.OpenAsync("#/workflows");

        var row = page.Locator("#workflows-table tbody tr", new() { HasText = id });
        await Expect(row).ToContainTextAsync("Completed");
        await Expect(row).ToContainTextAsync("1 bad rows");
        await Expect(row).ToContainTextAsync("scores/console-run");
        var retrainingRow = page.Locator("#retraining-table tbody tr", new() { HasText = retraining.RunId });
        await Expect(retrainingRow).ToContainTextAsync("batch-scorer");
        await Expect(retrainingRow).ToContainTextAsync(retraining.Decision);
        await Expect(retrainingRow.Locator("progress")).ToHaveAttributeAsync("aria-label", new Regex("stage \\d of 6"));
        await ConsoleFixture.ScreenshotAsync(page, "workflows");

        await row.GetByRole(AriaRole.Link, new() { Name = "bad rows" }).ClickAsync();
        var bad = page.Locator("#bad-rows-table tbody tr");
        await Expect(bad).ToHaveCountAsync(1);
        await Expect(bad.First).ToContainTextAsync("3");
        await Expect(bad.First).ToContainTextAsync("f0");
        await Expect(page.Locator("#batch-facts")).ToContainTextAsync("scores/console-run/errors/");
        await ConsoleFixture.ScreenshotAsync(page, "batch");

        await page.GotoAsync(_fixture.ConsoleUri + "#/workflows");
        await page.GetByRole(AriaRole.Link, new() { Name = retraining.RunId }).ClickAsync();
        await Expect(page.Locator("#retraining-facts")).ToContainTextAsync("manual");
        await Expect(page.Locator("#retraining-facts")).ToContainTextAsync(retraining.Reason);
        await ConsoleFixture.ScreenshotAsync(page, "retraining");
    }

    [Fact]
    public async Task MonitoringPage_RunTheMonitorThenOpenAReport_ShowsTheReportPage()
    {
        const string model = WatchedModel;
        await RegisterModelAsync(model);
        await MonitoredTrafficAsync(model);

        var page = await _fixture.OpenAsync($"#/monitoring/{model}");
        await Expect(page.Locator("#reports-table")).ToBeVisibleAsync();
        var reports = await page.Locator("#reports-table tbody tr").CountAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = $"Run the monitor for {model}" }).ClickAsync();
        await Expect(page.Locator("#reports-table tbody tr")).ToHaveCountAsync(reports + 1);
        await Expect(page.Locator("figure")).ToHaveCountAsync(4);
        var findings = page.Locator("#findings article[data-version='1']");
        await Expect(findings).ToContainTextAsync("alert raised");
        await Expect(findings.Locator("ul.findings li", new() { HasText = "latency" })).ToContainTextAsync("p95 latency");
        await ConsoleFixture.ScreenshotAsync(page, "monitoring");

        await page.GetByRole(AriaRole.Link, new() { Name = "Open report" }).First.ClickAsync();
        var report = page.FrameLocator("#report-frame").Locator("body");
        await Expect(report).ToContainTextAsync($"Monitoring: {model} version 1");
        await Expect(report).ToContainTextAsync("Findings");
        await ConsoleFixture.ScreenshotAsync(page, "report");
        await page.GotoAsync(_fixture.ConsoleUri + "#/monitoring");
        await Expect(page.Locator("#monitoring-table tbody tr", new() { HasText = model })).ToContainTextAsync("raised");

        await page.GotoAsync(_fixture.ConsoleUri + $"#/models/{model}");
        var health = await VersionHealthAsync(page, "1");
        Assert.True(health["Requests"] is var requests && long.Parse(requests, NumberStyles.AllowThousands, CultureInfo.InvariantCulture) >= MonitoredRequests, requests);
        Assert.Equal("0.00 %", health["Error rate"]);
        Assert.All(new[] { "p50", "p95", "p99" }, p => Assert.Matches(@"^[\d.,]+ ms$", health[p]));
        Assert.True(Ms(health["p50"]) <= Ms(health["p95"]) && Ms(health["p95"]) <= Ms(health["p99"]), string.Join(", ", health));
    }

    /// <summary>The versions table's cells of one version, by column header.</summary>
    private static async Task<Dictionary<string, string>> VersionHealthAsync(IPage page, string version)
    {
        var table = page.Locator("#versions-table");
        await Expect(table).ToBeVisibleAsync();
        var headers = await table.Locator("thead th").AllInnerTextsAsync();
        var row = table.Locator("tbody tr").Filter(new() { Has = page.Locator($"td:first-child:text-is('{version}')") });
        var cells = await row.Locator("td").AllInnerTextsAsync();
        return headers.Zip(cells).ToDictionary(p => p.First.Trim(), p => p.Second.Trim());
    }

    private static double Ms(string text) => double.Parse(text.Replace(" ms", "", StringComparison.Ordinal), NumberStyles.Float | NumberStyles.AllowThousands, CultureInfo.InvariantCulture);

    [Fact]
    public async Task ModelsPage_200Versions_RendersEveryRow()
    {
        const string model = "many-versions";
        var bytes = ReferenceModels.LogisticRegression(features: 3);
        for (var v = 1; v <= 200; v++)
        {
            Assert.True((await Operator.PutBytesAsync($"models/{model}/versions/{v}", bytes)).Status is HttpStatusCode.Created or HttpStatusCode.OK);
        }

        Assert.Equal(HttpStatusCode.OK, (await Operator.PutJsonAsync($"models/{model}/aliases/production", """{"version": "200"}""")).Status);

        var page = await _fixture.OpenAsync($"#/models/{model}");

        await Expect(page.Locator("#versions-table tbody tr")).ToHaveCountAsync(200);
        _output.WriteLine($"rendered 200 versions in {await page.Locator("main").GetAttributeAsync("data-render-ms")} ms (API calls included)");
    }

    [Fact]
    public async Task ConsoleFiles_AreVersionedCachedAndCompressed()
    {
        using var anonymous = new HttpClient(new HttpClientHandler { AutomaticDecompression = DecompressionMethods.None }) { BaseAddress = Operator.BaseAddress };
        var page = await anonymous.GetStringAsync("console");
        var script = ScriptReference().Match(page);
        Assert.True(script.Success, page);

        using var request = new HttpRequestMessage(HttpMethod.Get, script.Groups[1].Value);
        request.Headers.AcceptEncoding.ParseAdd("gzip");
        using var versioned = await anonymous.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, versioned.StatusCode);
        Assert.Equal("text/javascript", versioned.Content.Headers.ContentType!.MediaType);
        Assert.Equal("gzip", versioned.Content.Headers.ContentEncoding.Single());
        Assert.Equal("public, max-age=31536000, immutable", versioned.Headers.CacheControl!.ToString());

        using var revalidate = new HttpRequestMessage(HttpMethod.Get, "console/console.js");
        revalidate.Headers.IfNoneMatch.Add(versioned.Headers.ETag!);
        using var notModified = await anonymous.SendAsync(revalidate);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal("no-cache", notModified.Headers.CacheControl!.ToString());
    }

    private async Task RegisterModelAsync(string model)
    {
        Assert.Equal(HttpStatusCode.Created, (await Operator.PutBytesAsync($"models/{model}/versions/1", ReferenceModels.LogisticRegression(features: 3))).Status);
        Assert.Equal(HttpStatusCode.Created, (await Operator.PutBytesAsync($"models/{model}/versions/2", ReferenceModels.LogisticRegression(features: 3, seed: 2))).Status);
        Assert.Equal(HttpStatusCode.Created, (await Operator.PutJsonAsync($"models/{model}/versions/1/manifest", ReferenceManifests.LogisticRegression(features: 3))).Status);
        Assert.Equal(HttpStatusCode.OK, (await Operator.PutJsonAsync($"models/{model}/aliases/production", """{"version": "1"}""")).Status);
    }

    private async Task<string?> AliasVersionAsync(string model) =>
        (await Operator.GetJsonAsync($"models/{model}/aliases/production")).Json.GetProperty("version").GetString();

    /// <summary>
    /// Predictions with the client's key (as many as a window needs to be judged, Monitoring:MinimumWindowRows), and a first report once
    /// the monitor sees them (the log is written in the background).
    /// </summary>
    private async Task MonitoredTrafficAsync(string model)
    {
        for (var i = 0; i < MonitoredRequests; i++)
        {
            var answer = await _fixture.Client.PostJsonAsync($"models/{model}/predict",
                $$$"""{"dataframe_split": {"columns": ["f0", "f1", "f2"], "data": [[{{{i % 7 * 0.5}}}, {{{i % 3}}}, {{{i % 5}}}]]}}""");
            Assert.Equal(HttpStatusCode.OK, answer.Status);
        }

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var run = await Operator.PostJsonAsync("monitoring/runs", $$"""{"model": "{{model}}"}""");
            Assert.True(run.Status == HttpStatusCode.OK, run.Body.ToString());
            if (run.Json.GetProperty("reports").EnumerateArray().Any(r => r.GetProperty("rows").GetInt64() >= MonitoredRequests))
            {
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, $"the logged rows never reached the monitor: {run.Json}");
            await Task.Delay(200);
        }
    }

    /// <summary>
    /// A retraining run asked for by the operator under a policy whose guardrails want labelled traffic the model never had,
    /// so the run ends at its data (skipped, with why) without a sweep; its id, decision and reason once it ended.
    /// </summary>
    private async Task<(string RunId, string Decision, string Reason)> RetrainingRunAsync(string model)
    {
        const string policy = """
            {"triggers": ["manual"], "alias": "production", "data": {"source": "traffic", "window_hours": 24, "max_traffic_rows": 1000},
             "sweep": {"target": "y", "task": "binary", "metric": "auc", "algorithms": [{"name": "sdca"}]},
             "rollout": {"shadow_percent": 50, "shadow_minutes": 10, "steps": [25, 100], "min_step_minutes": 5, "min_step_requests": 50, "guards": {"max_error_rate": 0.05}},
             "judge": {"margin": 0.01, "min_labelled_rows": 50, "max_wait_minutes": 120},
             "guardrails": {"max_runs_per_day": 5, "min_labelled_rows": 100, "cooldown_minutes": 0, "approval_required": true}}
            """;
        var set = await Operator.PutJsonAsync($"models/{model}/retraining", policy);
        Assert.True(set.Status is HttpStatusCode.OK or HttpStatusCode.Created, set.Body.ToString());
        var start = await Operator.PostJsonAsync($"models/{model}/retraining/runs", """{"reason": "asked for in the console test"}""");
        Assert.True(start.Status == HttpStatusCode.Accepted, start.Body.ToString());
        var runId = start.Json.GetProperty("run_id").GetString()!;
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            var run = (await Operator.GetJsonAsync($"models/{model}/retraining/runs/{runId}")).Json;
            if (run.GetProperty("status").GetString() is not "running")
            {
                return (runId, run.GetProperty("decision").GetString()!, run.GetProperty("reason").GetString()!);
            }

            Assert.True(DateTime.UtcNow < deadline, run.ToString());
            await Task.Delay(250);
        }
    }

    private async Task<string> StartSweepAsync(string body)
    {
        var start = await Operator.PostJsonAsync("orchestrations/training-sweeps", body);
        Assert.True(start.Status == HttpStatusCode.Accepted, start.Body.ToString());
        return start.Json.GetProperty("id").GetString()!;
    }

    private async Task WaitAsync(string instanceId)
    {
        var deadline = DateTime.UtcNow.AddMinutes(4);
        while (true)
        {
            var status = (await Operator.GetJsonAsync($"orchestrations/{instanceId}")).Json;
            var runtime = status.GetProperty("runtime_status").GetString();
            if (runtime == "Completed")
            {
                return;
            }

            Assert.True(runtime is "Running" or "Pending" && DateTime.UtcNow < deadline, status.ToString());
            await Task.Delay(250);
        }
    }

    [GeneratedRegex("src=\"(console/console\\.js\\?v=[0-9a-f]{16})\"")]
    private static partial Regex ScriptReference();
}
