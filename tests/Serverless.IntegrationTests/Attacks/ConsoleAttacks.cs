using System.Net;
using System.Text;
using Serverless.IntegrationTests.Attacks.Support;
using Serverless.IntegrationTests.Support;

namespace Serverless.IntegrationTests.Attacks;

/// <summary>
/// The console's routes: its files are served by exact name only (no path, no other file of the app, nothing of
/// storage), without a key and without data; the workflow list and a report's page take only what they can name, and a
/// client's key opens neither.
/// </summary>
[Collection(AttackCollection.Name)]
public sealed class ConsoleAttacks
{
    private readonly AttackFixture _target;

    public ConsoleAttacks(AttackFixture target)
    {
        _target = target;
    }

    [Theory]
    [InlineData("console/..%2Fhost.json")]
    [InlineData("console/..%5Cfunctions.metadata")]
    [InlineData("console/index.html")]
    [InlineData("console/Console.JS")]
    [InlineData("console/console.css.map")]
    [InlineData("console/local.settings.json")]
    [InlineData("console/Serverless.Functions.dll")]
    public async Task ConsoleAsset_AnythingButItsOwnFiles_Is404(string path)
    {
        await Attack.RefusedAsync(_target, () => _target.Client.GetJsonAsync(path), HttpStatusCode.NotFound, "has no file");
    }

    [Fact]
    public async Task ConsoleAsset_AHugeName_IsRefusedWithTheNameCut()
    {
        var name = new string('a', 4000) + ".js";

        var answer = await Attack.RefusedAsync(_target, () => _target.Client.GetJsonAsync($"console/{name}"), HttpStatusCode.NotFound, "has no file");

        Assert.True(answer.Error.Length < 200, answer.Error);
    }

    [Fact]
    public async Task ConsolePage_WithoutAKey_HoldsNoDataAndForbidsInlineScriptsAndFraming()
    {
        using var anonymous = new HttpClient { BaseAddress = _target.Client.BaseAddress };
        using var response = await anonymous.GetAsync("console");
        var page = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain(AttackFixture.Model, page, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", page, StringComparison.Ordinal);
        var policy = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self';", policy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Theory]
    [InlineData("orchestrations?name=BatchScoringScoreGroup", "'name'")]
    [InlineData("orchestrations?name=RunTrial", "'name'")]
    [InlineData("orchestrations?limit=0", "'limit'")]
    [InlineData("orchestrations?limit=101", "'limit'")]
    [InlineData("orchestrations?limit=-1", "'limit'")]
    [InlineData("orchestrations?limit=1e3", "'limit'")]
    [InlineData("orchestrations?limit=99999999999999999999", "'limit'")]
    public async Task ListOrchestrations_WhatItCannotName_Is400(string path, string errorNames)
    {
        await Attack.RefusedAsync(_target, () => _target.Operator.GetJsonAsync(path), HttpStatusCode.BadRequest, errorNames);
    }

    [Fact]
    public async Task ListOrchestrations_AHugeName_IsRefusedWithTheNameCut()
    {
        var answer = await Attack.RefusedAsync(_target, () => _target.Operator.GetJsonAsync("orchestrations?name=" + new string('x', 3_000)),
            HttpStatusCode.BadRequest, "'name'");

        Assert.True(answer.Error.Length < 300, answer.Error);
    }

    [Theory]
    [InlineData("models/victim/versions/1/monitoring/reports/%2e%2e%2flatest", "run id")]
    [InlineData("models/victim/versions/1/monitoring/reports/20260101-000000-abcdef%2F..%2F..", "run id")]
    [InlineData("models/victim/versions/1/monitoring/reports/20260101-000000-ABCDEF", "run id")]
    [InlineData("models/victim/versions/..%2F..%2Flatest/monitoring/reports/20260101-000000-abcdef", "version")]
    [InlineData("models/..%2Fvictim/versions/1/monitoring/reports/20260101-000000-abcdef", "model name")]
    public async Task MonitoringReportPage_PathsItCannotName_Are400(string path, string errorNames)
    {
        await Attack.RefusedAsync(_target, () => _target.Operator.GetJsonAsync(path), HttpStatusCode.BadRequest, errorNames);
    }

    [Theory]
    [InlineData("models/victim/versions/1/monitoring/reports/%2e%2e%2flatest/json", "run id")]
    [InlineData("models/victim/versions/1/monitoring/reports/20260101-000000-ABCDEF/json", "run id")]
    [InlineData("models/victim/versions/..%2F..%2Flatest/monitoring/reports/20260101-000000-abcdef/json", "version")]
    [InlineData("models/..%2Fvictim/versions/1/monitoring/reports/20260101-000000-abcdef/json", "model name")]
    public async Task MonitoringReportJson_PathsItCannotName_Are400(string path, string errorNames)
    {
        await Attack.RefusedAsync(_target, () => _target.Operator.GetJsonAsync(path), HttpStatusCode.BadRequest, errorNames);
    }

    [Fact]
    public async Task MonitoringReportJson_ARunThatDoesNotExist_Is404()
    {
        await Attack.RefusedAsync(_target, () => _target.Operator.GetJsonAsync("models/victim/versions/1/monitoring/reports/20260101-000000-abcdef/json"),
            HttpStatusCode.NotFound, "no report");
    }

    [Theory]
    [InlineData("orchestrations/x/bad-rows?limit=0")]
    [InlineData("orchestrations/x/bad-rows?limit=101")]
    [InlineData("orchestrations/x/bad-rows?limit=1e3")]
    [InlineData("orchestrations/x/bad-rows?limit=99999999999999999999")]
    public async Task BatchBadRows_ALimitOutOfRange_Is400(string path)
    {
        await Attack.RefusedAsync(_target, () => _target.Operator.GetJsonAsync(path), HttpStatusCode.BadRequest, "'limit'");
    }

    [Theory]
    [InlineData("orchestrations/no-such-instance/bad-rows", "No orchestration instance")]
    [InlineData("orchestrations/..%2F..%2Fhost/bad-rows", "No orchestration instance")]
    public async Task BatchBadRows_AnInstanceThatDoesNotExist_Is404(string path, string errorNames)
    {
        await Attack.RefusedAsync(_target, () => _target.Operator.GetJsonAsync(path), HttpStatusCode.NotFound, errorNames);
    }

    [Fact]
    public async Task MonitoringReportPage_ARunThatDoesNotExist_Is404()
    {
        await Attack.RefusedAsync(_target, () => _target.Operator.GetJsonAsync("models/victim/versions/1/monitoring/reports/20260101-000000-abcdef"),
            HttpStatusCode.NotFound, "no report");
    }

    [Theory]
    [InlineData("orchestrations")]
    [InlineData("models/victim/versions/1/monitoring/reports/20260101-000000-abcdef")]
    [InlineData("models/victim/versions/1/monitoring/reports/20260101-000000-abcdef/json")]
    [InlineData("orchestrations/no-such-instance/bad-rows")]
    [InlineData("models/victim/monitoring/reports")]
    [InlineData("models/victim/retraining/runs")]
    public async Task ConsoleDataRoutes_TheClientKey_Is401(string path)
    {
        await Attack.RefusedAsync(_target, () => _target.Client.GetJsonAsync(path), HttpStatusCode.Unauthorized, errorNames: null);
    }

    /// <summary>The console's actions (promote, roll back, a sweep from a previous request, the monitor) with a client's key: refused, nothing moved.</summary>
    [Theory]
    [InlineData("PUT", "models/victim/aliases/production", """{"version": "1"}""")]
    [InlineData("POST", "models/victim/aliases/production/rollback", "{}")]
    [InlineData("POST", "orchestrations/training-sweeps", """{"dataset": "training/x.csv", "target": "y"}""")]
    [InlineData("POST", "monitoring/runs", """{"model": "victim"}""")]
    public async Task ConsoleActions_TheClientKey_Is401(string method, string path, string body)
    {
        await Attack.RefusedAsync(_target, () => _target.Client.SendAsync(new HttpMethod(method), path, new StringContent(body, Encoding.UTF8, "application/json")), HttpStatusCode.Unauthorized, errorNames: null);
    }
}
