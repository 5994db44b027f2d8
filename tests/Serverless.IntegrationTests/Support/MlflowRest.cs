using System.Net;
using System.Text;
using System.Text.Json;

namespace Serverless.IntegrationTests.Support;

/// <summary>
/// Calls MLflow's REST API as its Python client does (mlflow/utils/rest_utils.py): GETs with the fields in the query string,
/// everything else a JSON body, under <c>api/2.0/mlflow/</c> of the client's base address (which ends in <c>api/</c>).
/// </summary>
public sealed class MlflowRest
{
    private readonly HttpClient _client;

    public MlflowRest(HttpClient client)
    {
        _client = client;
    }

    public Task<JsonAnswer> PostAsync(string endpoint, object body) =>
        _client.SendAsync(HttpMethod.Post, "2.0/mlflow/" + endpoint, new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"));

    public Task<JsonAnswer> SendAsync(HttpMethod method, string endpoint, object body) =>
        _client.SendAsync(method, "2.0/mlflow/" + endpoint, new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"));

    public Task<JsonAnswer> GetAsync(string endpoint, params (string Name, string Value)[] query) =>
        _client.GetJsonAsync("2.0/mlflow/" + endpoint + (query.Length == 0 ? "" : "?" + string.Join("&", query.Select(q => $"{q.Name}={Uri.EscapeDataString(q.Value)}"))));

    /// <summary>Posts and asserts a 200, answering the body.</summary>
    public async Task<JsonElement> OkAsync(string endpoint, object body)
    {
        var answer = await PostAsync(endpoint, body);
        Assert.True(answer.Status == HttpStatusCode.OK, $"{endpoint}: {(int)answer.Status} {answer.Body}");
        return answer.Json;
    }

    public async Task<JsonElement> OkGetAsync(string endpoint, params (string Name, string Value)[] query)
    {
        var answer = await GetAsync(endpoint, query);
        Assert.True(answer.Status == HttpStatusCode.OK, $"{endpoint}: {(int)answer.Status} {answer.Body}");
        return answer.Json;
    }

    public async Task<string> CreateExperimentAsync(string name, object? tags = null) =>
        (await OkAsync("experiments/create", new { name, tags = tags ?? Array.Empty<object>() })).GetProperty("experiment_id").GetString()!;

    public async Task<JsonElement> CreateRunAsync(string experimentId, string? runName = null, object? tags = null) =>
        (await OkAsync("runs/create", new { experiment_id = experimentId, run_name = runName, start_time = 1_700_000_000_000L, tags = tags ?? Array.Empty<object>(), user_id = "tester" }))
        .GetProperty("run");

    /// <summary>Asserts an error in MLflow's shape: the status, the error_code, a message naming <paramref name="names"/>.</summary>
    public static void AssertError(JsonAnswer answer, HttpStatusCode status, string errorCode, string? names = null)
    {
        Assert.True(answer.Status == status, $"expected {(int)status}, got {(int)answer.Status}: {answer.Body}");
        Assert.Equal("application/json", answer.Response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(errorCode, answer.Json.GetProperty("error_code").GetString());
        Assert.Equal(2, answer.Json.EnumerateObject().Count());
        if (names is not null)
        {
            Assert.Contains(names, answer.Json.GetProperty("message").GetString(), StringComparison.OrdinalIgnoreCase);
        }
    }
}
