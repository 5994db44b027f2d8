using System.Net;
using Serverless.IntegrationTests.Support;

namespace Serverless.IntegrationTests.Mlflow;

/// <summary>runs/search with MLflow's filter grammar, order_by and page tokens, over five runs of one experiment.</summary>
[Collection(StackCollection.Name)]
public sealed class MlflowSearchRunsTests : IAsyncLifetime
{
    private readonly MlflowRest _mlflow;
    private string _experiment = string.Empty;
    private readonly Dictionary<string, string> _ids = [];

    public MlflowSearchRunsTests(StackFixture stack)
    {
        _mlflow = new MlflowRest(stack.Client);
    }

    public async Task InitializeAsync()
    {
        _experiment = await _mlflow.CreateExperimentAsync("search-" + Guid.NewGuid().ToString("N")[..8]);
        var runs = new (string Name, double? Rmse, string Model, string Team, string Status)[]
        {
            ("r1", 0.10, "tree", "alpha", "FINISHED"),
            ("r2", 0.25, "tree", "beta", "FINISHED"),
            ("r3", 0.40, "linear", "alpha", "FAILED"),
            ("r4", null, "linear", "alpha beta", "RUNNING"),
            ("r5", 0.25, "forest", "gamma", "FINISHED"),
        };
        foreach (var (name, rmse, model, team, status) in runs)
        {
            var id = (await _mlflow.CreateRunAsync(_experiment, name, new[] { new { key = "team name", value = team } })).GetProperty("info").GetProperty("run_id").GetString()!;
            _ids[name] = id;
            var metrics = rmse is { } value ? new[] { new { key = "rmse", value, timestamp = 1L, step = 0L } } : [];
            await _mlflow.OkAsync("runs/log-batch", new { run_id = id, metrics, @params = new[] { new { key = "model", value = model } } });
            await _mlflow.OkAsync("runs/update", new { run_id = id, status });
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [InlineData("metrics.rmse < 0.3", "r1,r2,r5")]
    [InlineData("metrics.rmse <= 0.25 AND metrics.rmse > 0.1", "r2,r5")]
    [InlineData("metrics.rmse >= 0.4", "r3")]
    [InlineData("metrics.rmse != 0.25", "r1,r3")]
    [InlineData("metrics.rmse = 0.25 and params.model = 'tree'", "r2")]
    [InlineData("params.model != 'tree'", "r3,r4,r5")]
    [InlineData("params.model LIKE '%ree%'", "r1,r2")]
    [InlineData("params.model ILIKE 'LIN%'", "r3,r4")]
    [InlineData("params.model LIKE 'f_rest'", "r5")]
    [InlineData("tags.`team name` = 'alpha beta'", "r4")]
    [InlineData("tags.\"team name\" LIKE 'alpha%'", "r1,r3,r4")]
    [InlineData("attributes.status = 'FINISHED'", "r1,r2,r5")]
    [InlineData("attributes.status != 'FINISHED' AND params.model = 'linear'", "r3,r4")]
    [InlineData("attributes.run_name IN ('r2', 'r4')", "r2,r4")]
    [InlineData("attributes.run_name NOT IN ('r2', 'r4')", "r1,r3,r5")]
    [InlineData("run_name LIKE 'r%' AND metrics.rmse < 0.2", "r1")]
    [InlineData("attributes.start_time > 0", "r1,r2,r3,r4,r5")]
    [InlineData("metrics.missing > 0", "")]
    [InlineData("", "r1,r2,r3,r4,r5")]
    public async Task Filter_SelectsTheRunsMlflowWould(string filter, string expected)
    {
        var answer = await _mlflow.OkAsync("runs/search", new { experiment_ids = new[] { _experiment }, filter });

        Assert.Equal(expected.Split(',', StringSplitOptions.RemoveEmptyEntries).Order(), MlflowRunTests.Names(answer.GetProperty("runs")).Order());
    }

    [Fact]
    public async Task OrderBy_SortsByMetricThenTieBreaker_RunsWithoutTheMetricLast()
    {
        var ascending = await _mlflow.OkAsync("runs/search", new { experiment_ids = new[] { _experiment }, order_by = new[] { "metrics.rmse ASC", "attributes.run_name DESC" } });
        var descending = await _mlflow.OkAsync("runs/search", new { experiment_ids = new[] { _experiment }, order_by = new[] { "metrics.rmse DESC", "params.model" } });

        Assert.Equal(["r1", "r5", "r2", "r3", "r4"], MlflowRunTests.Names(ascending.GetProperty("runs")));
        Assert.Equal(["r3", "r5", "r2", "r1", "r4"], MlflowRunTests.Names(descending.GetProperty("runs")));
    }

    [Fact]
    public async Task PageTokens_WalkEveryRunOnce_AndTheLastPageHasNoToken()
    {
        var names = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await _mlflow.OkAsync("runs/search",
                new { experiment_ids = new[] { _experiment }, order_by = new[] { "attributes.run_name" }, max_results = 2, page_token = token });
            names.AddRange(MlflowRunTests.Names(page.GetProperty("runs")));
            token = page.TryGetProperty("next_page_token", out var next) ? next.GetString() : null;
            pages++;
        }
        while (token is not null);

        Assert.Equal(["r1", "r2", "r3", "r4", "r5"], names);
        Assert.Equal(3, pages);
    }

    [Fact]
    public async Task DeletedRuns_AreLeftOutUnlessTheViewAsks()
    {
        await _mlflow.OkAsync("runs/delete", new { run_id = _ids["r3"] });

        async Task<string[]> NamesAsync(string? view) =>
            MlflowRunTests.Names((await _mlflow.OkAsync("runs/search", new { experiment_ids = new[] { _experiment }, run_view_type = view })).GetProperty("runs"));

        Assert.DoesNotContain("r3", await NamesAsync(null));
        Assert.Equal(["r3"], await NamesAsync("DELETED_ONLY"));
        Assert.Contains("r3", await NamesAsync("ALL"));
    }

    [Theory]
    [InlineData("metrics.rmse < 0.3 OR params.model = 'tree'", "OR")]
    [InlineData("metrics.rmse = 'low'", "numeric")]
    [InlineData("params.model > 'a'", "comparator")]
    [InlineData("params.model = tree", "quoted")]
    [InlineData("attributes.colour = 'red'", "attribute")]
    [InlineData("datasets.name = 'x'", "entity type")]
    [InlineData("metrics.rmse <", "numeric")]
    [InlineData("metrics.`unclosed < 1", "closing")]
    public async Task BadFilter_IsInvalidParameterValueNamingTheProblem(string filter, string names)
    {
        MlflowRest.AssertError(await _mlflow.PostAsync("runs/search", new { experiment_ids = new[] { _experiment }, filter }),
            HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", names);
    }

    [Fact]
    public async Task BadOrderByOrPaging_IsInvalidParameterValue()
    {
        MlflowRest.AssertError(await _mlflow.PostAsync("runs/search", new { experiment_ids = new[] { _experiment }, order_by = new[] { "metrics.rmse SIDEWAYS" } }),
            HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", "ASC or DESC");
        MlflowRest.AssertError(await _mlflow.PostAsync("runs/search", new { experiment_ids = new[] { _experiment }, max_results = 50_001 }),
            HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", "max_results");
        MlflowRest.AssertError(await _mlflow.PostAsync("runs/search", new { experiment_ids = new[] { _experiment }, page_token = "eyJvZmZzZXQiOiAtMX0=" }),
            HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", "page token");
    }
}
