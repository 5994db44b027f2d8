using System.Net;
using Serverless.IntegrationTests.Support;

namespace Serverless.IntegrationTests.Mlflow;

/// <summary>How MLflow's client reaches the server: experiments/search by GET with query parameters, and MLflow's own 404 for an endpoint the app does not serve.</summary>
[Collection(StackCollection.Name)]
public sealed class MlflowEndpointTests
{
    private readonly MlflowRest _mlflow;
    private readonly string _prefix = "ends-" + Guid.NewGuid().ToString("N")[..8];

    public MlflowEndpointTests(StackFixture stack)
    {
        _mlflow = new MlflowRest(stack.Client);
    }

    [Fact]
    public async Task SearchExperiments_ByGet_ReadsFilterRepeatedOrderByAndPageTokenFromTheQuery()
    {
        foreach (var suffix in new[] { "b", "c", "a" })
        {
            await _mlflow.CreateExperimentAsync($"{_prefix}-{suffix}");
        }

        var first = await _mlflow.OkGetAsync("experiments/search", ("filter", $"name LIKE '{_prefix}-%'"), ("order_by", "name DESC"), ("order_by", "experiment_id"),
            ("max_results", "2"), ("view_type", "ACTIVE_ONLY"));
        Assert.Equal([$"{_prefix}-c", $"{_prefix}-b"], first.GetProperty("experiments").EnumerateArray().Select(e => e.GetProperty("name").GetString()));
        var second = await _mlflow.OkGetAsync("experiments/search", ("filter", $"name LIKE '{_prefix}-%'"), ("order_by", "name DESC"), ("max_results", "2"),
            ("page_token", first.GetProperty("next_page_token").GetString()!));
        Assert.Equal($"{_prefix}-a", Assert.Single(second.GetProperty("experiments").EnumerateArray()).GetProperty("name").GetString());
        Assert.False(second.TryGetProperty("next_page_token", out _));

        MlflowRest.AssertError(await _mlflow.GetAsync("experiments/search", ("max_results", "0")), HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", "max_results");
        MlflowRest.AssertError(await _mlflow.GetAsync("experiments/search", ("filter", "name = 'a' OR name = 'b'")), HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", "OR");
    }

    [Theory]
    [InlineData("GET", "runs/no-such-thing")]
    [InlineData("POST", "logged-models/search")]
    [InlineData("PATCH", "experiments/nothing/here")]
    [InlineData("DELETE", "runs/delete")]
    [InlineData("GET", "runs/create")]
    public async Task UnknownMlflowEndpoint_IsEndpointNotFoundInMlflowsShape(string method, string endpoint)
    {
        var answer = await _mlflow.SendAsync(new HttpMethod(method), endpoint, new { });

        MlflowRest.AssertError(answer, HttpStatusCode.NotFound, "ENDPOINT_NOT_FOUND", $"'{method} /mlflow/{endpoint}'");
    }

    [Fact]
    public async Task KnownMlflowEndpoints_StillWinOverTheCatchAll()
    {
        var experiment = (await _mlflow.OkGetAsync("experiments/get", ("experiment_id", "0"))).GetProperty("experiment");

        Assert.Equal("Default", experiment.GetProperty("name").GetString());
        MlflowRest.AssertError(await _mlflow.GetAsync("runs/get", ("run_id", "0123456789abcdef0123456789abcdef")), HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
    }
}
