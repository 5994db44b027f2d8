using System.Net;
using System.Text;
using System.Text.Json;
using Serverless.IntegrationTests.Support;
using Serverless.TestModels;

namespace Serverless.IntegrationTests.EndToEnd;

/// <summary>
/// Answers that say what happened, over HTTP through the local runner: feedback says how many items match a logged
/// prediction, a monitoring run of an unknown model is a 404, JSON mistakes are said in plain words and error text
/// keeps quotes and non-ASCII characters.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class HonestAnswersTests
{
    private const string Model = "honest-lr";

    private readonly StackFixture _stack;

    public HonestAnswersTests(StackFixture stack)
    {
        _stack = stack;
    }

    private HttpClient Client => _stack.Client;

    [Fact]
    public async Task Feedback_AnswersHowManyItemsMatchALoggedPredictionAndWhichIdsDoNot()
    {
        await RegisterAsync();
        var predicted = await Client.SendAsync(HttpMethod.Post, $"models/{Model}/versions/1/predict",
            new StringContent("""{"instances": [{"f0": 0.5, "f1": 1, "f2": 2}, {"f0": 1.5, "f1": 0, "f2": 2}]}""", Encoding.UTF8, "application/json"),
            new Dictionary<string, string> { ["x-request-id"] = "honest-1" });
        Assert.Equal(HttpStatusCode.OK, predicted.Status);
        const string feedback = """
            [{"id": "honest-1", "actual": 1}, {"id": "honest-1", "row": 1, "actual": 0}, {"id": "honest-1", "row": 5, "actual": 1}, {"id": "nobody", "actual": 0}]
            """;

        // The inference log is written in the background (within about a second); posting the same feedback again replaces it.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        JsonAnswer answer;
        while (true)
        {
            answer = await Client.PostJsonAsync($"models/{Model}/feedback", feedback);
            Assert.True(answer.Status == HttpStatusCode.Accepted, answer.Body.ToString());
            if (answer.Json.GetProperty("matched").GetInt32() == 2 || DateTime.UtcNow > deadline)
            {
                break;
            }

            await Task.Delay(200);
        }

        Assert.Equal(Model, answer.Json.GetProperty("model_name").GetString());
        Assert.Equal(4, answer.Json.GetProperty("accepted").GetInt32());
        Assert.Equal(2, answer.Json.GetProperty("matched").GetInt32());
        Assert.Equal(["honest-1", "nobody"], answer.Json.GetProperty("unmatched_ids").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(0, answer.Json.GetProperty("more_unmatched_ids").GetInt32());
    }

    [Fact]
    public async Task MonitoringRun_UnknownModel_Is404ModelNotFound()
    {
        var answer = await Client.PostJsonAsync("monitoring/runs", """{"model": "never-registered"}""");

        Assert.Equal(HttpStatusCode.NotFound, answer.Status);
        Assert.Equal("model_not_found", answer.Json.GetProperty("code").GetString());
        Assert.Equal("Model 'never-registered' has no versions.", answer.Error);
    }

    [Theory]
    [InlineData("models/honest-lr/feedback", """[{"id": x}]""", "The body is not valid JSON: line 1, column 9: 'x' cannot start a value.")]
    [InlineData("models/honest-lr/feedback", """[{"id": "a", "actual": 1}""", "The body is not valid JSON: the body ends before the JSON is complete (an object or array is not closed).")]
    [InlineData("orchestrations/batch-scoring", """{"input": "data/a.csv", "model": "honest-lr", "output": "scores/p", "chunk_rows": [1]}""",
        "Field 'chunk_rows' must be an integer, not an array.")]
    [InlineData("orchestrations/batch-scoring", """{"input": "data/a.csv", "model": "honest-lr", "output": "scores/p", "chunk_row": 100}""",
        "Unknown field 'chunk_row' (known fields: input, model, version, alias, output, format, id_column, chunk_rows, ")]
    [InlineData("v2/models/honest-lr/versions/1/infer", "{\"inputs\": [{\"name\": \"input\",\n \"shape\": [1, 3]]}", "The body is not valid JSON: line 2, column 17: ']' does not match an open bracket.")]
    public async Task JsonMistake_ThroughHttp_IsA400SayingWhereAndWhat(string path, string body, string expected)
    {
        await RegisterAsync();

        var answer = await Client.PostJsonAsync(path, body);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal("invalid_input", answer.Json.GetProperty("code").GetString());
        Assert.StartsWith(expected, answer.Error);
    }

    [Fact]
    public async Task ErrorText_QuotesAndNonAsciiNames_ComeBackAsTheyAre()
    {
        await RegisterAsync();

        using var response = await Client.PostAsync($"v2/models/{Model}/versions/1/infer", new StringContent(
            """{"inputs": [{"name": "größe", "datatype": "FP32", "shape": [1, 3], "data": [1, 2, 3]}]}""", Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Unknown input 'größe'. The model's inputs are: 'input'", text);
        Assert.DoesNotContain("\\u", text);
        using var json = JsonDocument.Parse(text);
        Assert.StartsWith("Unknown input 'größe'.", json.RootElement.GetProperty("error").GetString());
    }

    private async Task RegisterAsync()
    {
        var registered = await Client.PutBytesAsync($"models/{Model}/versions/1", ReferenceModels.LogisticRegression(features: 3));
        Assert.True(registered.Status is HttpStatusCode.Created or HttpStatusCode.OK, registered.Body.ToString());
        var manifest = await Client.PutJsonAsync($"models/{Model}/versions/1/manifest", ReferenceManifests.LogisticRegression(features: 3));
        Assert.True(manifest.Status is HttpStatusCode.Created or HttpStatusCode.OK, manifest.Body.ToString());
    }
}
