using System.Net;
using System.Text.Json;
using Serverless.IntegrationTests.Support;
using static Microsoft.Playwright.Assertions;

namespace Serverless.IntegrationTests.Browser;

/// <summary>A running rollout on the Models page: the split as bars, the step among the plan's steps, the guards beside their last readings.</summary>
public sealed partial class ConsoleBrowserTests
{
    private const string InferBody = """{"inputs":[{"name":"input","datatype":"FP32","shape":[1,3],"data":[0.5,1.0,-0.25]}]}""";

    [Fact]
    public async Task ModelsPage_ARunningRollout_ShowsTheSplitItsStepAndTheGuardsBesideTheirReadings()
    {
        const string model = "rolling-out";
        await RegisterModelAsync(model);
        var start = await Operator.PutJsonAsync($"models/{model}/aliases/production/rollout",
            """{"version": "2", "steps": [25, 50, 100], "min_step_minutes": 60, "min_step_requests": 1000, "guards": {"max_error_rate": 0.05, "max_p95_ms": 2000}, "reason": "console screenshot"}""");
        Assert.True(start.Status == HttpStatusCode.OK, start.Body.ToString());
        var readings = await RolloutReadingsAsync(model);

        var page = await _fixture.OpenAsync($"#/models/{model}");

        var card = page.Locator("article[data-alias='production']");
        var bars = card.Locator(".split > span");
        await Expect(bars).ToHaveCountAsync(2);
        await Expect(bars.Nth(0)).ToHaveTextAsync("1: 75 %");
        await Expect(bars.Nth(1)).ToHaveTextAsync("2: 25 %");
        await Expect(card.Locator(".rollout")).ToHaveAttributeAsync("data-state", "running");
        await Expect(card.Locator("ol.steps li[aria-current='step']")).ToHaveTextAsync("25 %");
        await Expect(card.Locator(".rollout")).ToContainTextAsync("step 1 of 3 (25 %)");
        var guards = card.Locator("table.guards tbody tr");
        await Expect(guards).ToHaveCountAsync(2);
        await Expect(guards.Nth(0)).ToContainTextAsync("within");
        await Expect(guards.Nth(1)).ToContainTextAsync("p95 latency");
        await Expect(guards.Nth(1)).ToContainTextAsync("within");
        await Expect(card.Locator(".rollout dl")).ToContainTextAsync($"{readings} requests, 0 errors");
        await ConsoleFixture.ScreenshotAsync(page, "rollout");
    }

    /// <summary>Sends the alias traffic with the client's key and judges the rollouts until the new version's readings count requests; how many.</summary>
    private async Task<long> RolloutReadingsAsync(string model)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            for (var i = 0; i < 20; i++)
            {
                Assert.Equal(HttpStatusCode.OK, (await _fixture.Client.PostJsonAsync($"v2/models/{model}/infer", InferBody)).Status);
            }

            var run = await Operator.PostJsonAsync("rollouts/runs", "");
            Assert.True(run.Status == HttpStatusCode.OK, run.Body.ToString());
            var alias = (await Operator.GetJsonAsync($"models/{model}/aliases/production")).Json;
            var rollout = alias.GetProperty("rollout");
            Assert.Equal("running", rollout.GetProperty("state").GetString());
            if (rollout.TryGetProperty("readings", out var readings) && readings.ValueKind == JsonValueKind.Object &&
                readings.GetProperty("requests").GetInt64() is > 0 and var requests && readings.GetProperty("latency_p95_ms").ValueKind == JsonValueKind.Number)
            {
                return requests;
            }

            Assert.True(DateTime.UtcNow < deadline, $"the rollout never read the new version's requests: {alias}");
        }
    }
}
