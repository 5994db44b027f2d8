using System.Net;
using System.Text;
using Serverless.IntegrationTests.Support;
using Serverless.TestModels;

namespace Serverless.IntegrationTests.EndToEnd;

/// <summary>Uploading a baseline as CSV and posting ground-truth feedback, through the local runner on Azurite.</summary>
[Collection(StackCollection.Name)]
public sealed class MonitoringEndpointTests
{
    private readonly StackFixture _stack;

    public MonitoringEndpointTests(StackFixture stack)
    {
        _stack = stack;
    }

    private HttpClient Client => _stack.Client;

    [Fact]
    public async Task PutBaseline_Csv_SummarisesEachManifestFeatureAndReadsBack()
    {
        var model = await RegisterAsync();
        var csv = new StringBuilder("id,age,city\n");
        for (var i = 0; i < 500; i++)
        {
            csv.Append($"r{i},{20 + (i % 50)},{ReferenceModels.Cities[i % 3]}\n");
        }

        var put = await PutCsvAsync($"models/{model}/versions/1/baseline", csv.ToString());
        var get = await Client.GetJsonAsync($"models/{model}/versions/1/baseline");

        Assert.Equal(HttpStatusCode.OK, put.Status);
        Assert.Equal(500, get.Json.GetProperty("rows").GetInt64());
        var age = get.Json.GetProperty("features")[0];
        Assert.Equal(("age", "numeric", 20.0, 69.0), (age.GetProperty("name").GetString(), age.GetProperty("type").GetString(),
            age.GetProperty("min").GetDouble(), age.GetProperty("max").GetDouble()));
        Assert.Equal(500, age.GetProperty("histogram_counts").EnumerateArray().Sum(c => c.GetInt64()));
        Assert.Equal(3, get.Json.GetProperty("features")[1].GetProperty("categories").EnumerateObject().Count());
    }

    [Theory]
    [InlineData("id,age\nr1,3\n", "'city'")]
    [InlineData("", "empty")]
    [InlineData("age,city\n3,Oslo,extra\n", "row 1")]
    public async Task PutBaseline_BadCsv_Returns400NamingTheProblem(string csv, string mentions)
    {
        var model = await RegisterAsync();

        var answer = await PutCsvAsync($"models/{model}/versions/1/baseline", csv);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Contains(mentions, answer.Error);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetJsonAsync($"models/{model}/versions/1/baseline")).Status);
    }

    [Fact]
    public async Task PostFeedback_ValidItems_Accepted()
    {
        var model = await RegisterAsync();

        var answer = await Client.PostJsonAsync($"models/{model}/feedback", """[{"id":"req-1","actual":"yes"},{"id":"req-2","actual":0,"row":3}]""");

        Assert.Equal(HttpStatusCode.Accepted, answer.Status);
        Assert.Equal(2, answer.Json.GetProperty("accepted").GetInt32());
    }

    [Theory]
    [InlineData("""{"id":"a","actual":1}""", "JSON array")]
    [InlineData("""[{"actual":1}]""", "item 0: 'id' is required")]
    [InlineData("""[{"id":"a","actual":1},{"id":"b"}]""", "item 1: 'actual' is required")]
    [InlineData("""[{"id":"a","actual":1,"colour":"red"}]""", "unknown field 'colour'")]
    [InlineData("""[]""", "1 to 10000 items")]
    public async Task PostFeedback_BadBody_Returns400NamingTheItem(string body, string mentions)
    {
        var model = await RegisterAsync();

        var answer = await Client.PostJsonAsync($"models/{model}/feedback", body);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Contains(mentions, answer.Error);
    }

    [Fact]
    public async Task PostFeedback_UnknownModel_Returns404()
    {
        var answer = await Client.PostJsonAsync("models/no-such-model/feedback", """[{"id":"a","actual":1}]""");

        Assert.Equal(HttpStatusCode.NotFound, answer.Status);
    }

    private async Task<string> RegisterAsync()
    {
        var model = "monitored-" + Guid.NewGuid().ToString("N")[..6];
        await Client.PutBytesAsync($"models/{model}/versions/1", ReferenceModels.PerFeatureBinaryClassifier());
        await Client.PutJsonAsync($"models/{model}/versions/1/manifest", ReferenceManifests.PerFeatureBinary());
        return model;
    }

    private Task<JsonAnswer> PutCsvAsync(string path, string csv) =>
        Client.SendAsync(HttpMethod.Put, path, new StringContent(csv, Encoding.UTF8, "text/csv"));
}
