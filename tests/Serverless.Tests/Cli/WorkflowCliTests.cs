using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Serverless.Cli;
using Serverless.Cli.Output;

namespace Serverless.Tests.Cli;

/// <summary><c>score</c>, <c>sweep start</c>, <c>status</c>, <c>terminate</c> and <c>monitor run</c> with and without <c>--wait</c>, against a scripted API.</summary>
public sealed class WorkflowCliTests : IDisposable
{
    private const string Accepted = """{"id": "job-1", "status_uri": "/api/orchestrations/job-1", "terminate_uri": "/api/orchestrations/job-1/terminate"}""";

    private readonly string _folder = Directory.CreateTempSubdirectory("workflow-cli-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Score_WithoutWait_SendsTheApisFieldsAndPrintsTheIdAlone()
    {
        var api = new FakeApi().On(HttpMethod.Post, "orchestrations/batch-scoring", HttpStatusCode.Accepted, Accepted);

        var (code, stdout, _) = await api.RunAsync("score", "--input", "data/t.csv", "--output", "scores/run-1", "--model", "fraud", "--alias", "production",
            "--id-column", "transaction_id", "--chunk-rows", "250", "--merge");

        Assert.Equal(ExitCodes.Success, code);
        Assert.Equal("job-1\n", stdout);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"input": "data/t.csv", "model": "fraud", "alias": "production", "output": "scores/run-1", "id_column": "transaction_id", "chunk_rows": 250, "merge": true}
            """), JsonNode.Parse(api.Requests[0].Body)));
    }

    [Fact]
    public async Task ScoreWait_FollowsProgressToCompletion_LongPolling_Exit0()
    {
        var statuses = new Queue<string>([Status("Running", """{"stage": "scoring", "chunks_total": 4, "chunks_done": 1, "rows_scored": 250, "bad_rows": 0}"""),
            Status("Running", """{"stage": "scoring", "chunks_total": 4, "chunks_done": 3, "rows_scored": 750, "bad_rows": 0}"""),
            Status("Completed", """{"stage": "completed", "chunks_total": 4, "chunks_done": 4, "rows_scored": 1000, "bad_rows": 0}""",
                """{"model": "fraud", "model_version": "1", "rows_out": 1000, "merged": "scores/run-1/predictions.csv"}""")]);
        var api = new FakeApi()
            .On(HttpMethod.Post, "orchestrations/batch-scoring", HttpStatusCode.Accepted, Accepted)
            .On(HttpMethod.Get, "orchestrations/job-1", _ => FakeApi.Json(statuses.Dequeue()));

        var (code, stdout, stderr) = await api.RunAsync("score", "--input", "data/t.csv", "--output", "scores/run-1", "--model", "fraud", "--wait");

        Assert.Equal(ExitCodes.Success, code);
        Assert.Contains("job-1: Running, scoring, chunks 1/4, 250 rows", stderr);
        Assert.Contains("job-1: Running, scoring, chunks 3/4, 750 rows", stderr);
        Assert.Contains("job-1: Completed, completed, chunks 4/4, 1,000 rows", stderr);
        Assert.Contains("rows_out:", stdout);
        Assert.Contains("scores/run-1/predictions.csv", stdout);
        Assert.Equal([null, "wait=2", "wait=2"], api.Requests.Skip(1).Select(r => r.Query));
    }

    [Fact]
    public async Task SweepWait_Failed_PrintsWhyAndExits5_JsonStillPrintsTheStatus()
    {
        var spec = Path.Combine(_folder, "spec.json");
        await File.WriteAllTextAsync(spec, """{"dataset": "training/churn.csv"}""");
        var api = new FakeApi()
            .On(HttpMethod.Post, "orchestrations/training-sweeps", HttpStatusCode.Accepted, Accepted)
            .On(HttpMethod.Get, "orchestrations/job-1", HttpStatusCode.OK, Status("Failed", null, error: "Every trial failed: lightgbm: out of memory"));

        var (code, stdout, stderr) = await api.RunAsync("sweep", "start", spec, "--wait", "-o", "json");

        Assert.Equal(ExitCodes.WorkflowFailed, code);
        Assert.Equal("""{"dataset": "training/churn.csv"}""", api.Requests[0].Body);
        Assert.Equal("Failed", (string?)JsonNode.Parse(stdout)!["runtime_status"]);
        Assert.Contains("failed: Every trial failed: lightgbm: out of memory", stderr);
    }

    [Fact]
    public async Task Status_Terminated_Exit5_Running_Exit0()
    {
        var api = new FakeApi()
            .On(HttpMethod.Get, "orchestrations/gone", HttpStatusCode.OK, Status("Terminated", null, output: "\"Terminated over the HTTP API.\"", id: "gone"))
            .On(HttpMethod.Get, "orchestrations/busy", HttpStatusCode.OK, Status("Running", """{"stage": "training", "trials_total": 7, "trials_done": 2}""", id: "busy"));

        var (terminated, _, stderr) = await api.RunAsync("status", "gone");
        var (running, stdout, _) = await api.RunAsync("status", "busy");

        Assert.Equal(ExitCodes.WorkflowFailed, terminated);
        Assert.Contains("terminated: Terminated over the HTTP API.", stderr);
        Assert.Equal(ExitCodes.Success, running);
        Assert.Contains("trials_done:", stdout);
    }

    [Fact]
    public async Task Wait_RunsPastTimeout_Exit6_NamingTheInstance()
    {
        var api = new FakeApi().On(HttpMethod.Get, "orchestrations/slow", HttpStatusCode.OK, Status("Running", null, id: "slow"));

        var (code, _, stderr) = await api.RunAsync("status", "slow", "--wait", "--timeout", "0.2s");

        Assert.Equal(ExitCodes.Timeout, code);
        Assert.Contains("slow goes on", stderr);
        Assert.Contains("sls status slow --wait", stderr);
    }

    [Fact]
    public async Task Terminate_PostsTheTerminateRoute()
    {
        var api = new FakeApi().On(HttpMethod.Post, "orchestrations/job-1/terminate", HttpStatusCode.Accepted, Accepted);

        var (code, stdout, _) = await api.RunAsync("terminate", "job-1");

        Assert.Equal(ExitCodes.Success, code);
        Assert.Contains("terminating job-1", stdout);
    }

    [Fact]
    public async Task MonitorRun_Wait_WaitsOutARunOfAnotherScope()
    {
        var answers = new Queue<FakeApi.Answer>([
            FakeApi.Json("""{"error": "A monitoring run for every model is under way.", "code": "conflict"}""", HttpStatusCode.Conflict),
            FakeApi.Json("""
                {"run_id": "r1", "joined": false, "window_start_utc": "2026-01-01T00:00:00Z", "window_end_utc": "2026-01-01T01:00:00Z",
                 "reports": [{"model_name": "churn", "version": "1", "rows": 12, "dataset_drift": true, "drift_share": 0.5, "findings": 2}],
                 "alerts_delivered": 0, "skipped": []}
                """)]);
        var api = new FakeApi().On(HttpMethod.Post, "monitoring/runs", _ => answers.Dequeue());

        var (code, stdout, stderr) = await api.RunAsync("monitor", "run", "--model", "churn", "--wait");
        var (refused, _, _) = await new FakeApi().On(HttpMethod.Post, "monitoring/runs", HttpStatusCode.Conflict, """{"error": "busy", "code": "conflict"}""")
            .RunAsync("monitor", "run");

        Assert.Equal(ExitCodes.Success, code);
        Assert.Equal(2, api.Requests.Count);
        Assert.All(api.Requests, r => Assert.Equal("""{"model":"churn"}""", r.Body));
        Assert.Contains("a run is under way", stderr);
        Assert.Contains(stdout.Split('\n'), l => l.StartsWith("churn ", StringComparison.Ordinal) && l.Contains("yes"));
        Assert.Equal(ExitCodes.ApiRefused, refused);
    }

    [Fact]
    public void Progress_RowsPerSecondAndTimeLeft_FromThePaceSeen()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z"));
        var progress = new WorkflowProgress(clock);

        progress.Read(Parse(Status("Running", """{"stage": "scoring", "chunks_total": 10, "chunks_done": 2, "rows_scored": 200, "bad_rows": 0}""")));
        clock.Advance(TimeSpan.FromSeconds(10));
        var (line, done, total) = progress.Read(Parse(Status("Running", """{"stage": "scoring", "chunks_total": 10, "chunks_done": 6, "rows_scored": 600, "bad_rows": 3}""")));

        Assert.Equal("Running, scoring, chunks 6/10, 600 rows (40 rows/s), 3 bad rows, ~10 s left", line);
        Assert.Equal((6, 10), (done, total!.Value));
    }

    [Fact]
    public void Progress_Sweep_ShowsTrialsAndTheBestSoFar()
    {
        var progress = new WorkflowProgress(new FakeTimeProvider());

        var (line, _, _) = progress.Read(Parse(Status("Running",
            """{"stage": "training", "trials_total": 7, "trials_done": 3, "trials_failed": 1, "metric": "auc", "best_trial_id": "t-2", "best_value": 0.91234}""")));

        Assert.Equal("Running, training, trials 3/7, 1 failed, best auc 0.9123 (t-2)", line);
    }

    private static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement;

    private static string Status(string runtime, string? custom, string? output = null, string? error = null, string id = "job-1") => $$"""
        {"instance_id": "{{id}}", "name": "BatchScoringOrchestrator", "runtime_status": "{{runtime}}", "custom_status": {{custom ?? "null"}},
         "output": {{output ?? "null"}}, "error": {{(error is null ? "null" : JsonSerializer.Serialize(error))}},
         "created_utc": "2026-01-01T00:00:00Z", "last_updated_utc": "2026-01-01T00:01:00Z"}
        """;
}
