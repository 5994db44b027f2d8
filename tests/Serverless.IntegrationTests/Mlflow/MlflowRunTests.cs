using System.Net;
using System.Text.Json;
using Serverless.IntegrationTests.Support;

namespace Serverless.IntegrationTests.Mlflow;

/// <summary>MLflow's run and logging endpoints as its REST API documents them, driven as its client sends them.</summary>
[Collection(StackCollection.Name)]
public sealed class MlflowRunTests
{
    private readonly MlflowRest _mlflow;
    private readonly string _prefix = "runs-" + Guid.NewGuid().ToString("N")[..8];

    public MlflowRunTests(StackFixture stack)
    {
        _mlflow = new MlflowRest(stack.Client);
    }

    [Fact]
    public async Task Run_LogMetricParamTag_GetRunAnswersLatestAndHistoryAnswersEveryValue()
    {
        var experiment = await _mlflow.CreateExperimentAsync(_prefix);
        var run = await _mlflow.CreateRunAsync(experiment, "first");
        var runId = run.GetProperty("info").GetProperty("run_id").GetString()!;
        Assert.Equal(runId, run.GetProperty("info").GetProperty("run_uuid").GetString());
        Assert.Equal("RUNNING", run.GetProperty("info").GetProperty("status").GetString());
        Assert.Equal($"mlflow-artifacts:/{experiment}/{runId}/artifacts", run.GetProperty("info").GetProperty("artifact_uri").GetString());

        foreach (var (value, step) in new[] { (0.9, 0L), (0.5, 2L), (0.7, 1L) })
        {
            await _mlflow.OkAsync("runs/log-metric", new { run_id = runId, key = "loss", value, timestamp = 1_700_000_000_000 + step, step });
        }

        await _mlflow.OkAsync("runs/log-metric", new { run_id = runId, key = "loss", value = 0.5, timestamp = 1_700_000_000_002L, step = 2 });
        await _mlflow.OkAsync("runs/log-parameter", new { run_id = runId, key = "alpha", value = "0.1" });
        await _mlflow.OkAsync("runs/log-parameter", new { run_id = runId, key = "alpha", value = "0.1" });
        await _mlflow.OkAsync("runs/set-tag", new { run_id = runId, key = "team/owner", value = "fraud" });

        var got = (await _mlflow.OkGetAsync("runs/get", ("run_id", runId))).GetProperty("run");
        var latest = Assert.Single(got.GetProperty("data").GetProperty("metrics").EnumerateArray());
        Assert.Equal(0.5, latest.GetProperty("value").GetDouble());
        Assert.Equal(2, latest.GetProperty("step").GetInt64());
        Assert.Equal("0.1", Assert.Single(got.GetProperty("data").GetProperty("params").EnumerateArray()).GetProperty("value").GetString());
        Assert.Contains(got.GetProperty("data").GetProperty("tags").EnumerateArray(), t => t.GetProperty("key").GetString() == "team/owner");
        Assert.Contains(got.GetProperty("data").GetProperty("tags").EnumerateArray(),
            t => t.GetProperty("key").GetString() == "mlflow.runName" && t.GetProperty("value").GetString() == "first");

        var history = await _mlflow.OkGetAsync("metrics/get-history", ("run_id", runId), ("metric_key", "loss"));
        Assert.Equal([0L, 1L, 2L], history.GetProperty("metrics").EnumerateArray().Select(m => m.GetProperty("step").GetInt64()));
        Assert.Equal([0.9, 0.7, 0.5], history.GetProperty("metrics").EnumerateArray().Select(m => m.GetProperty("value").GetDouble()));

        var firstPage = await _mlflow.OkGetAsync("metrics/get-history", ("run_id", runId), ("metric_key", "loss"), ("max_results", "2"));
        Assert.Equal(2, firstPage.GetProperty("metrics").GetArrayLength());
        var secondPage = await _mlflow.OkGetAsync("metrics/get-history", ("run_id", runId), ("metric_key", "loss"), ("max_results", "2"),
            ("page_token", firstPage.GetProperty("next_page_token").GetString()!));
        Assert.Equal(2, Assert.Single(secondPage.GetProperty("metrics").EnumerateArray()).GetProperty("step").GetInt64());
        Assert.False(secondPage.TryGetProperty("next_page_token", out _));
    }

    [Fact]
    public async Task LogParam_ChangedValue_IsInvalidParameterValue()
    {
        var runId = await NewRunAsync();
        await _mlflow.OkAsync("runs/log-parameter", new { run_id = runId, key = "depth", value = "3" });

        MlflowRest.AssertError(await _mlflow.PostAsync("runs/log-parameter", new { run_id = runId, key = "depth", value = "4" }),
            HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", "Changing param values is not allowed");
        MlflowRest.AssertError(await _mlflow.PostAsync("runs/log-batch", new { run_id = runId, @params = new[] { new { key = "depth", value = "5" } } }),
            HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", "depth");
    }

    [Fact]
    public async Task UpdateDeleteRestore_ChangeTheRunsInfoAndLifecycle()
    {
        var runId = await NewRunAsync();

        var updated = (await _mlflow.OkAsync("runs/update", new { run_id = runId, status = "FINISHED", end_time = 1_700_000_100_000L, run_name = "renamed" }))
            .GetProperty("run_info");
        Assert.Equal("FINISHED", updated.GetProperty("status").GetString());
        Assert.Equal(1_700_000_100_000L, updated.GetProperty("end_time").GetInt64());
        Assert.Equal("renamed", updated.GetProperty("run_name").GetString());
        await _mlflow.OkAsync("runs/set-tag", new { run_id = runId, key = "mlflow.runName", value = "by-tag" });
        Assert.Equal("by-tag", (await _mlflow.OkGetAsync("runs/get", ("run_id", runId))).GetProperty("run").GetProperty("info").GetProperty("run_name").GetString());

        MlflowRest.AssertError(await _mlflow.PostAsync("runs/update", new { run_id = runId, status = "DONE" }), HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", "status");
        await _mlflow.OkAsync("runs/delete", new { run_id = runId });
        Assert.Equal("deleted", (await _mlflow.OkGetAsync("runs/get", ("run_id", runId))).GetProperty("run").GetProperty("info").GetProperty("lifecycle_stage").GetString());
        MlflowRest.AssertError(await _mlflow.PostAsync("runs/log-metric", new { run_id = runId, key = "m", value = 1, timestamp = 1 }),
            HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", "active");
        await _mlflow.OkAsync("runs/restore", new { run_id = runId });
        await _mlflow.OkAsync("runs/log-metric", new { run_id = runId, key = "m", value = 1, timestamp = 1 });
    }

    [Fact]
    public async Task DeleteTag_RemovesIt_AndAMissingTagIsResourceDoesNotExist()
    {
        var runId = await NewRunAsync();
        await _mlflow.OkAsync("runs/set-tag", new { run_id = runId, key = "t", value = "v" });

        await _mlflow.OkAsync("runs/delete-tag", new { run_id = runId, key = "t" });

        var tags = (await _mlflow.OkGetAsync("runs/get", ("run_id", runId))).GetProperty("run").GetProperty("data").GetProperty("tags");
        Assert.DoesNotContain(tags.EnumerateArray(), t => t.GetProperty("key").GetString() == "t");
        MlflowRest.AssertError(await _mlflow.PostAsync("runs/delete-tag", new { run_id = runId, key = "t" }), HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST", "t");
    }

    [Fact]
    public async Task MissingRun_IsResourceDoesNotExist()
    {
        MlflowRest.AssertError(await _mlflow.GetAsync("runs/get", ("run_id", "0123456789abcdef0123456789abcdef")), HttpStatusCode.NotFound,
            "RESOURCE_DOES_NOT_EXIST", "0123456789abcdef0123456789abcdef");
        MlflowRest.AssertError(await _mlflow.PostAsync("runs/log-metric", new { run_id = "nope", key = "m", value = 1, timestamp = 1 }),
            HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        MlflowRest.AssertError(await _mlflow.GetAsync("metrics/get-history", ("run_id", "nope"), ("metric_key", "m")), HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
    }

    [Fact]
    public async Task LogBatch_AtTheTotalLimit_LogsAll_IncludingNaN()
    {
        var runId = await NewRunAsync();
        var metrics = Enumerable.Range(0, 900).Select(i => new { key = "curve", value = (object)(i / 1000.0), timestamp = 1_700_000_000_000L + i, step = (long)i })
            .Append(new { key = "odd", value = (object)"NaN", timestamp = 1L, step = 0L }).Skip(1).ToArray();

        await _mlflow.OkAsync("runs/log-batch", new
        {
            run_id = runId,
            metrics,
            @params = Enumerable.Range(0, 100).Select(i => new { key = $"p{i}", value = new string('v', 6000) }).ToArray(),
        });

        var run = (await _mlflow.OkGetAsync("runs/get", ("run_id", runId))).GetProperty("run").GetProperty("data");
        Assert.Equal(100, run.GetProperty("params").GetArrayLength());
        var odd = run.GetProperty("metrics").EnumerateArray().Single(m => m.GetProperty("key").GetString() == "odd");
        Assert.Equal("NaN", odd.GetProperty("value").GetString());
        var curve = await _mlflow.OkGetAsync("metrics/get-history", ("run_id", runId), ("metric_key", "curve"));
        Assert.Equal(899, curve.GetProperty("metrics").GetArrayLength());
    }

    [Theory]
    [InlineData(1001, 0, 0, "at most 1000 metrics")]
    [InlineData(0, 101, 0, "at most 100 params")]
    [InlineData(0, 0, 101, "at most 100 tags")]
    [InlineData(950, 60, 0, "1000 metrics, params and tags in total")]
    public async Task LogBatch_OverMlflowsLimits_IsInvalidParameterValue_AndWritesNothing(int metrics, int parameters, int tags, string names)
    {
        var runId = await NewRunAsync();

        var answer = await _mlflow.PostAsync("runs/log-batch", new
        {
            run_id = runId,
            metrics = Enumerable.Range(0, metrics).Select(i => new { key = "m", value = 1.0, timestamp = (long)i, step = 0L }).ToArray(),
            @params = Enumerable.Range(0, parameters).Select(i => new { key = $"p{i}", value = "v" }).ToArray(),
            tags = Enumerable.Range(0, tags).Select(i => new { key = $"t{i}", value = "v" }).ToArray(),
        });

        MlflowRest.AssertError(answer, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", names);
        var data = (await _mlflow.OkGetAsync("runs/get", ("run_id", runId))).GetProperty("run").GetProperty("data");
        Assert.Empty(data.GetProperty("metrics").EnumerateArray());
        Assert.Empty(data.GetProperty("params").EnumerateArray());
    }

    [Theory]
    [InlineData("../escape", "key")]
    [InlineData("/absolute", "key")]
    [InlineData("semi;colon", "key")]
    public async Task LogBatch_BadKey_IsInvalidParameterValue(string key, string names)
    {
        var runId = await NewRunAsync();

        MlflowRest.AssertError(await _mlflow.PostAsync("runs/log-batch", new { run_id = runId, metrics = new[] { new { key, value = 1.0, timestamp = 1L, step = 0L } } }),
            HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", names);
    }

    [Fact]
    public async Task LogBatch_OverTheOneMegabyteBody_Is413InMlflowsShape()
    {
        var runId = await NewRunAsync();

        var answer = await _mlflow.PostAsync("runs/log-batch", new { run_id = runId, tags = new[] { new { key = "big", value = new string('x', 1_100_000) } } });

        MlflowRest.AssertError(answer, HttpStatusCode.RequestEntityTooLarge, "INVALID_PARAMETER_VALUE");
    }

    private async Task<string> NewRunAsync()
    {
        var experiment = await _mlflow.CreateExperimentAsync(_prefix + "-" + Guid.NewGuid().ToString("N")[..6]);
        return (await _mlflow.CreateRunAsync(experiment)).GetProperty("info").GetProperty("run_id").GetString()!;
    }

    internal static string[] Names(JsonElement runs) =>
        [.. runs.EnumerateArray().Select(r => r.GetProperty("info").GetProperty("run_name").GetString()!)];
}
