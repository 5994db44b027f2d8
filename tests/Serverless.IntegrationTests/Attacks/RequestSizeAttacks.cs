using System.Net;
using System.Text;
using Serverless.IntegrationTests.Attacks.Support;
using Serverless.IntegrationTests.Support;

namespace Serverless.IntegrationTests.Attacks;

/// <summary>
/// Small requests that ask for a lot: shapes the data does not fill, ids and nesting without end, sweep grids that
/// multiply out to millions of trials, hyperparameters at 2^31. Each is refused with a 400 naming what was wrong,
/// and the runner's memory stays flat.
/// </summary>
[Collection(AttackCollection.Name)]
public sealed class RequestSizeAttacks
{
    private const long SmallGrowth = 32L * 1024 * 1024;
    private readonly AttackFixture _target;

    public RequestSizeAttacks(AttackFixture target)
    {
        _target = target;
    }

    [Theory]
    [InlineData("[333333333, 3]")]
    [InlineData("[4611686018427387904, 3]")]
    [InlineData("[0, 3, 9223372036854775807]")]
    public async Task Infer_ShapeFarLargerThanItsData_Is400WithoutAllocatingIt(string shape)
    {
        var body = $$"""{"inputs": [{"name": "input", "datatype": "FP32", "shape": {{shape}}, "data": [1, 2, 3]}]}""";

        await Attack.RefusedAsync(_target, () => _target.Client.PostJsonAsync($"v2/models/{AttackFixture.Model}/infer", body),
            HttpStatusCode.BadRequest, "input", SmallGrowth);
    }

    [Fact]
    public async Task Infer_BodyOverTheLimit_Is413()
    {
        var body = """{"inputs": [{"name": "input", "datatype": "FP32", "shape": [1, 3], "data": [1, 2, 3]}], "pad": """ + "\"" + new string('x', 2 * 1024 * 1024) + "\"}";

        await Attack.RefusedAsync(_target, () => _target.Client.PostJsonAsync($"v2/models/{AttackFixture.Model}/infer", body),
            HttpStatusCode.RequestEntityTooLarge, "limit", SmallGrowth);
    }

    [Fact]
    public async Task Infer_DeeplyNestedData_Is400()
    {
        var body = """{"inputs": [{"name": "input", "datatype": "FP32", "shape": [1, 3], "data": """ + new string('[', 100_000) + new string(']', 100_000) + "}]}";

        await Attack.RefusedAsync(_target, () => _target.Client.PostJsonAsync($"v2/models/{AttackFixture.Model}/infer", body),
            HttpStatusCode.BadRequest, "JSON", SmallGrowth);
    }

    [Fact]
    public async Task Infer_OverlongId_Is400NamingIt()
    {
        var body = $$"""{"id": "{{new string('i', 100_000)}}", "inputs": [{"name": "input", "datatype": "FP32", "shape": [1, 3], "data": [1, 2, 3]}]}""";

        await Attack.RefusedAsync(_target, () => _target.Client.PostJsonAsync($"v2/models/{AttackFixture.Model}/infer", body),
            HttpStatusCode.BadRequest, "'id'", SmallGrowth);
    }

    [Fact]
    public async Task Predict_OverlongRequestIdHeader_Is400NamingIt()
    {
        await Attack.RefusedAsync(_target, () => _target.Client.SendAsync(HttpMethod.Post, $"models/{AttackFixture.Model}/predict",
                new StringContent("""{"instances": [{"f0": 1, "f1": 2, "f2": 3}]}""", Encoding.UTF8, "application/json"),
                new Dictionary<string, string> { ["x-request-id"] = new string('r', 8_000) }),
            HttpStatusCode.BadRequest, "x-request-id", SmallGrowth);
    }

    [Fact]
    public async Task Predict_HundredThousandEmptyRows_Is400NamingTheFirstAndBounded()
    {
        var body = "{\"instances\": [" + string.Join(",", Enumerable.Repeat("{}", 100_000)) + "]}";

        await Attack.RefusedAsync(_target, () => _target.Client.PostJsonAsync($"models/{AttackFixture.Model}/predict", body),
            HttpStatusCode.BadRequest, "row 0", SmallGrowth);
    }

    [Fact]
    public async Task Feedback_TensOfThousandsOfItems_Is400()
    {
        var body = "[" + string.Join(",", Enumerable.Range(0, 20_000).Select(i => $$"""{"id": "r{{i}}", "actual": 1}""")) + "]";

        await Attack.RefusedAsync(_target, () => _target.Operator.PostJsonAsync($"models/{AttackFixture.Model}/feedback", body),
            HttpStatusCode.BadRequest, "10000", SmallGrowth);
    }

    [Fact]
    public async Task Sweep_GridOfABillionTrials_Is400BeforeItIsExpanded()
    {
        var values = "[" + string.Join(",", Enumerable.Range(2, 1000)) + "]";
        var grid = string.Join(",", new[] { "num_leaves", "min_data_in_leaf", "num_iterations" }
            .Select(p => $"\"{p}\": {values}"));
        var body = """{"dataset": "training/attack/train.csv", "target": "y", "task": "binary", "metric": "auc", "model_name": "attack-sweep", "algorithms": [{"name": "lightgbm", "grid": {"""
            + grid + "}}]}";

        await Attack.RefusedAsync(_target, () => _target.Operator.PostJsonAsync("orchestrations/training-sweeps", body),
            HttpStatusCode.BadRequest, "trials", SmallGrowth);
    }

    [Fact]
    public async Task Sweep_HyperparameterAtTwoToThe31_Is400NamingIt()
    {
        const string body = """{"dataset": "training/attack/train.csv", "target": "y", "task": "binary", "metric": "auc", "model_name": "attack-sweep", "algorithms": [{"name": "fasttree", "grid": {"num_trees": [2147483648]}}]}""";

        await Attack.RefusedAsync(_target, () => _target.Operator.PostJsonAsync("orchestrations/training-sweeps", body),
            HttpStatusCode.BadRequest, "num_trees", SmallGrowth);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("121")]
    [InlineData("99999999999999999999")]
    [InlineData("-5")]
    [InlineData("1e3")]
    [InlineData("ten")]
    public async Task OrchestrationStatus_WaitOutOfRange_Is400NamingIt(string wait)
    {
        await Attack.RefusedAsync(_target, () => _target.Operator.GetJsonAsync($"orchestrations/any-instance?wait={Uri.EscapeDataString(wait)}"),
            HttpStatusCode.BadRequest, "'wait'", SmallGrowth);
    }

    [Fact]
    public async Task OrchestrationStatus_WaitOnAnUnknownInstance_Is404AtOnce()
    {
        var answer = await Attack.RefusedAsync(_target, () => _target.Operator.GetJsonAsync("orchestrations/no-such-instance?wait=120"),
            HttpStatusCode.NotFound, "no-such-instance", SmallGrowth);

        Assert.Equal("not_found", answer.Json.GetProperty("code").GetString());
    }
}
