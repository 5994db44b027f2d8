using System.Net;
using Serverless.IntegrationTests.Support;

namespace Serverless.IntegrationTests.Mlflow;

/// <summary>MLflow's experiment endpoints as its REST API documents them, driven as its client sends them.</summary>
[Collection(StackCollection.Name)]
public sealed class MlflowExperimentTests
{
    private readonly MlflowRest _mlflow;
    private readonly string _prefix = "exp-" + Guid.NewGuid().ToString("N")[..8];

    public MlflowExperimentTests(StackFixture stack)
    {
        _mlflow = new MlflowRest(stack.Client);
    }

    [Fact]
    public async Task Experiment_CreateGetRenameDeleteRestore_AnswersAsMlflowDoes()
    {
        var id = await _mlflow.CreateExperimentAsync(_prefix, new[] { new { key = "team", value = "fraud" } });

        var got = (await _mlflow.OkGetAsync("experiments/get", ("experiment_id", id))).GetProperty("experiment");
        Assert.Equal(id, got.GetProperty("experiment_id").GetString());
        Assert.Equal(_prefix, got.GetProperty("name").GetString());
        Assert.Equal($"mlflow-artifacts:/{id}", got.GetProperty("artifact_location").GetString());
        Assert.Equal("active", got.GetProperty("lifecycle_stage").GetString());
        Assert.True(got.GetProperty("creation_time").GetInt64() > 1_600_000_000_000);
        Assert.Equal("fraud", got.GetProperty("tags")[0].GetProperty("value").GetString());
        var byName = (await _mlflow.OkGetAsync("experiments/get-by-name", ("experiment_name", _prefix))).GetProperty("experiment");
        Assert.Equal(id, byName.GetProperty("experiment_id").GetString());

        MlflowRest.AssertError(await _mlflow.PostAsync("experiments/create", new { name = _prefix }), HttpStatusCode.BadRequest, "RESOURCE_ALREADY_EXISTS", _prefix);

        await _mlflow.OkAsync("experiments/update", new { experiment_id = id, new_name = _prefix + "-renamed" });
        MlflowRest.AssertError(await _mlflow.GetAsync("experiments/get-by-name", ("experiment_name", _prefix)), HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        await _mlflow.OkAsync("experiments/set-experiment-tag", new { experiment_id = id, key = "stage", value = "dev" });

        await _mlflow.OkAsync("experiments/delete", new { experiment_id = id });
        var deleted = (await _mlflow.OkGetAsync("experiments/get", ("experiment_id", id))).GetProperty("experiment");
        Assert.Equal("deleted", deleted.GetProperty("lifecycle_stage").GetString());
        MlflowRest.AssertError(await _mlflow.PostAsync("experiments/create", new { name = _prefix + "-renamed" }), HttpStatusCode.BadRequest,
            "RESOURCE_ALREADY_EXISTS", "deleted");
        MlflowRest.AssertError(await _mlflow.PostAsync("experiments/set-experiment-tag", new { experiment_id = id, key = "a", value = "b" }),
            HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", "active");

        await _mlflow.OkAsync("experiments/restore", new { experiment_id = id });
        MlflowRest.AssertError(await _mlflow.PostAsync("experiments/restore", new { experiment_id = id }), HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
        Assert.Equal("active", (await _mlflow.OkGetAsync("experiments/get", ("experiment_id", id))).GetProperty("experiment").GetProperty("lifecycle_stage").GetString());
    }

    [Fact]
    public async Task Experiment_MissingOrMalformed_IsMlflowsErrorShape()
    {
        MlflowRest.AssertError(await _mlflow.GetAsync("experiments/get", ("experiment_id", "987654321")), HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST", "987654321");
        MlflowRest.AssertError(await _mlflow.GetAsync("experiments/get", ("experiment_id", "x/../y")), HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", "experiment_id");
        MlflowRest.AssertError(await _mlflow.PostAsync("experiments/create", new { }), HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", "'name'");
        MlflowRest.AssertError(await _mlflow.PostAsync("experiments/delete", new { experiment_id = "0" }), HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", "default");
    }

    [Fact]
    public async Task DefaultExperiment_Exists()
    {
        var got = (await _mlflow.OkGetAsync("experiments/get", ("experiment_id", "0"))).GetProperty("experiment");

        Assert.Equal("Default", got.GetProperty("name").GetString());
    }

    [Fact]
    public async Task SearchExperiments_FilterOrderByAndPageTokens_WalkEveryMatchOnce()
    {
        foreach (var (suffix, team) in new[] { ("c", "a"), ("a", "b"), ("e", "a"), ("b", "a"), ("d", "b") })
        {
            await _mlflow.CreateExperimentAsync($"{_prefix}-{suffix}", new[] { new { key = "team", value = team } });
        }

        var names = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await _mlflow.OkAsync("experiments/search",
                new { filter = $"name LIKE '{_prefix}-%'", order_by = new[] { "name ASC" }, max_results = 2, page_token = token });
            names.AddRange(page.GetProperty("experiments").EnumerateArray().Select(e => e.GetProperty("name").GetString()!));
            token = page.TryGetProperty("next_page_token", out var next) ? next.GetString() : null;
            pages++;
        }
        while (token is not null);

        Assert.Equal(new[] { "a", "b", "c", "d", "e" }.Select(s => $"{_prefix}-{s}"), names);
        Assert.Equal(3, pages);

        var teamA = await _mlflow.OkAsync("experiments/search", new { filter = $"name LIKE '{_prefix}%' AND tags.team = 'a'", order_by = new[] { "name DESC" } });
        Assert.Equal(new[] { "e", "c", "b" }.Select(s => $"{_prefix}-{s}"), teamA.GetProperty("experiments").EnumerateArray().Select(e => e.GetProperty("name").GetString()));

        var one = await _mlflow.OkAsync("experiments/search", new { filter = $"name = '{_prefix}-d'", max_results = "5" });
        Assert.Equal($"{_prefix}-d", Assert.Single(one.GetProperty("experiments").EnumerateArray()).GetProperty("name").GetString());

        var none = await _mlflow.OkAsync("experiments/search", new { filter = $"name = '{_prefix}-zzz'" });
        Assert.Empty(none.GetProperty("experiments").EnumerateArray());
        Assert.False(none.TryGetProperty("next_page_token", out _));
    }

    [Theory]
    [InlineData("name = 'a' OR name = 'b'", "OR")]
    [InlineData("nme = 'a'", "attribute")]
    [InlineData("name > 'a'", "comparator")]
    [InlineData("creation_time > 'yesterday'", "numeric")]
    [InlineData("name = 'unclosed", "closing")]
    [InlineData("metrics.rmse < 1", "entity type")]
    public async Task SearchExperiments_BadFilter_IsInvalidParameterValueNamingIt(string filter, string names)
    {
        MlflowRest.AssertError(await _mlflow.PostAsync("experiments/search", new { filter }), HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", names);
    }

    [Fact]
    public async Task SearchExperiments_BadPageTokenOrMaxResults_IsInvalidParameterValue()
    {
        MlflowRest.AssertError(await _mlflow.PostAsync("experiments/search", new { page_token = "not-a-token" }), HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", "page token");
        MlflowRest.AssertError(await _mlflow.PostAsync("experiments/search", new { max_results = 50_001 }), HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", "max_results");
        MlflowRest.AssertError(await _mlflow.PostAsync("experiments/search", new { max_results = 0 }), HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", "max_results");
        MlflowRest.AssertError(await _mlflow.PostAsync("experiments/search", new { view_type = "SOME" }), HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", "view_type");
    }

    [Fact]
    public async Task SearchExperiments_ViewType_SeparatesDeletedFromActive()
    {
        var kept = await _mlflow.CreateExperimentAsync(_prefix + "-kept");
        var gone = await _mlflow.CreateExperimentAsync(_prefix + "-gone");
        await _mlflow.OkAsync("experiments/delete", new { experiment_id = gone });

        async Task<string[]> IdsAsync(string view) => (await _mlflow.OkAsync("experiments/search", new { filter = $"name LIKE '{_prefix}-%'", view_type = view }))
            .GetProperty("experiments").EnumerateArray().Select(e => e.GetProperty("experiment_id").GetString()!).Order().ToArray();

        Assert.Equal([kept], await IdsAsync("ACTIVE_ONLY"));
        Assert.Equal([gone], await IdsAsync("DELETED_ONLY"));
        Assert.Equal(new[] { kept, gone }.Order(), await IdsAsync("ALL"));
    }
}
