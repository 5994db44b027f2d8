using System.Net;
using System.Text.Json.Nodes;
using Serverless.Cli;

namespace Serverless.Tests.Cli;

/// <summary><c>retrain</c>: runs started, followed, listed, shown and answered, against a scripted API playing the retraining routes' contract.</summary>
public sealed class RetrainCliTests
{
    private const string RunId = "rt-20261201-100000-abcdef";

    private static readonly string Started = Run("running", "exporting", steps: "[]");

    private static readonly string Shadow = Run("running", "shadow", steps: $"[{Step("shadow", 100, 0.8123, 230, 0.4211, 230, "better")}]");

    private static readonly string Promoted = Run("completed", "rollout",
        steps: $"[{Step("shadow", 100, 0.8123, 230, 0.4211, 230, "better")},{Step("rollout", 100, 0.8, 500, 0.43, 250, "better")}]",
        decision: "promoted", reason: "rollout completed and the challenger wins");

    [Fact]
    public async Task StartWait_FollowsTheRunThroughItsStagesWithTheLiveMetric_ThenShowsItsLineage()
    {
        var reads = 0;
        var api = new FakeApi()
            .On(HttpMethod.Post, "models/churn/retraining/runs", HttpStatusCode.Accepted, Started)
            .On(HttpMethod.Get, $"models/churn/retraining/runs/{RunId}", _ => FakeApi.Json(Interlocked.Increment(ref reads) switch { 1 => Shadow, _ => Promoted }));

        var (code, stdout, stderr) = await api.RunAsync("retrain", "start", "churn", "--reason", "new prices", "--wait");

        Assert.Equal(ExitCodes.Success, code);
        var post = Assert.Single(api.Requests, r => r.Method == HttpMethod.Post);
        Assert.Equal("new prices", (string?)JsonNode.Parse(post.Body)!["reason"]);
        Assert.Contains($"{RunId}: running, shadow; shadow: live auc challenger 0.8123 (230 rows) vs champion 0.4211 (230 rows), better", stderr);
        Assert.Contains($"{RunId}: completed, rollout; rollout at 100 %: live auc challenger 0.8 (500 rows) vs champion 0.43 (250 rows), better", stderr);
        Assert.Contains("promoted", stdout);
        Assert.Contains("rollout completed and the challenger wins", stdout);
        Assert.Contains("live readings", stdout);
    }

    [Fact]
    public async Task Start_WithoutWait_PrintsTheRunIdAlone()
    {
        var api = new FakeApi().On(HttpMethod.Post, "models/churn/retraining/runs", HttpStatusCode.Accepted, Started);

        var (code, stdout, _) = await api.RunAsync("retrain", "start", "churn");

        Assert.Equal(ExitCodes.Success, code);
        Assert.Equal(RunId + "\n", stdout);
        Assert.Equal("{}", Assert.Single(api.Requests).Body);
    }

    [Fact]
    public async Task ShowWait_RunWaitingForApproval_SaysHowToAnswerIt()
    {
        var reads = 0;
        var waiting = Run("waiting_for_approval", "waiting_for_approval", steps: "[]");
        var rejected = Run("completed", "waiting_for_approval", steps: "[]", decision: "rejected", reason: "not approved (admin key: not now)");
        var api = new FakeApi().On(HttpMethod.Get, $"models/churn/retraining/runs/{RunId}", _ => FakeApi.Json(Interlocked.Increment(ref reads) == 1 ? waiting : rejected));

        var (code, stdout, stderr) = await api.RunAsync("retrain", "show", "churn", RunId, "--wait");

        Assert.Equal(ExitCodes.Success, code);
        Assert.Contains($"waiting for approval of challenger 2: 'sls retrain approve churn {RunId}' or 'reject'", stderr);
        Assert.Contains("rejected", stdout);
    }

    [Fact]
    public async Task Show_FailedRun_ExitsWorkflowFailedWithWhy()
    {
        var api = new FakeApi().On(HttpMethod.Get, $"models/churn/retraining/runs/{RunId}", HttpStatusCode.OK,
            Run("failed", "training", steps: "[]", decision: "failed", reason: "All 1 trial(s) failed"));

        var (code, _, stderr) = await api.RunAsync("retrain", "show", "churn", RunId);

        Assert.Equal(ExitCodes.WorkflowFailed, code);
        Assert.Contains($"retraining run {RunId} failed: All 1 trial(s) failed", stderr);
    }

    [Fact]
    public async Task List_ShowsEachRunsStatusAndDecision()
    {
        var api = new FakeApi().On(HttpMethod.Get, "models/churn/retraining/runs", HttpStatusCode.OK, $$"""
            {"model": "churn", "runs": [{"run_id": "{{RunId}}", "status": "completed", "stage": "rollout", "trigger": "decay", "champion": "1", "challenger": "2",
              "decision": "promoted", "reason": "won", "created_utc": "2026-12-01T10:00:00Z", "completed_utc": "2026-12-01T10:20:00Z"}]}
            """);

        var (code, stdout, _) = await api.RunAsync("retrain", "list", "churn");

        Assert.Equal(ExitCodes.Success, code);
        Assert.Contains(RunId, stdout);
        Assert.Contains("decay", stdout);
        Assert.Contains("promoted", stdout);
    }

    [Theory]
    [InlineData("approve", "approved")]
    [InlineData("reject", "rejected")]
    public async Task Answer_PostsTheAnswerWithTheReason(string verb, string said)
    {
        var api = new FakeApi().On(HttpMethod.Post, $"models/churn/retraining/{RunId}/{verb}", HttpStatusCode.Accepted,
            Run("waiting_for_approval", "waiting_for_approval", steps: "[]"));

        var (code, stdout, _) = await api.RunAsync("retrain", verb, "churn", RunId, "--reason", "looked at it");

        Assert.Equal(ExitCodes.Success, code);
        Assert.Equal("looked at it", (string?)JsonNode.Parse(Assert.Single(api.Requests).Body)!["reason"]);
        Assert.Equal($"{said} {RunId} of churn (challenger 2)\n", stdout);
    }

    [Fact]
    public async Task Policy_WithAFile_PutsIt_WithoutShowsTheStoredOne()
    {
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, """{"triggers": ["manual"], "data": {"source": "traffic"}, "sweep": {}}""");
        const string Stored = """
            {"model": "churn", "updated_utc": "2026-12-01T10:00:00Z", "policy": {"triggers": ["decay", "manual"], "alias": "production",
             "data": {"source": "traffic", "window_hours": 24}, "guardrails": {"approval_required": true, "max_runs_per_day": 1, "cooldown_minutes": 60}}}
            """;
        var api = new FakeApi()
            .On(HttpMethod.Put, "models/churn/retraining", HttpStatusCode.Created, Stored)
            .On(HttpMethod.Get, "models/churn/retraining", HttpStatusCode.OK, Stored);
        try
        {
            var (put, _, _) = await api.RunAsync("retrain", "policy", "churn", file);
            var (get, stdout, _) = await api.RunAsync("retrain", "policy", "churn");

            Assert.Equal((ExitCodes.Success, ExitCodes.Success), (put, get));
            Assert.Contains("\"manual\"", api.Requests[0].Body);
            Assert.Equal(HttpMethod.Get, api.Requests[1].Method);
            Assert.Contains("decay, manual", stdout);
            Assert.Contains("traffic, window 24 h", stdout);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static string Step(string stage, int weight, double challenger, int challengerRows, double champion, int championRows, string verdict) => $$"""
        {"stage": "{{stage}}", "weight": {{weight}}, "at_utc": "2026-12-01T10:05:00Z", "verdict": "{{verdict}}", "note": "n",
         "comparison": {"from_utc": "2026-12-01T10:04:00Z", "read_utc": "2026-12-01T10:05:00Z", "metric": "auc", "challenger_value": {{challenger}},
          "champion_value": {{champion}}, "challenger_rows": {{challengerRows}}, "champion_rows": {{championRows}} } }
        """;

    private static string Run(string status, string stage, string steps, string? decision = null, string? reason = null) => $$"""
        {"run_id": "{{RunId}}", "model": "churn", "alias": "production", "status": "{{status}}", "stage": "{{stage}}",
         "trigger": {"kind": "manual", "message": "asked for by admin key"}, "champion": "1",
         "data": {"dataset": "training/retraining/churn/x.csv", "source": "traffic", "traffic_rows": 900, "reference_rows": 0, "unlabelled_rows": 0, "fingerprint": "abcdef0123456789", "columns": []},
         "sweep": {"sweep_id": "{{RunId}}-sweep", "metric": "auc", "leaderboard": [], "challenger": "2", "validation_value": 0.81, "warm_start": false, "warm_start_note": "trained from scratch"},
         "approval": null, "steps": {{steps}}, "decision": {{(decision is null ? "null" : $"\"{decision}\"")}}, "reason": {{(reason is null ? "null" : $"\"{reason}\"")}},
         "created_utc": "2026-12-01T10:00:00Z", "completed_utc": null}
        """;
}
