using System.Net;
using System.Text.Json;
using Azure.Storage.Blobs;
using Serverless.IntegrationTests.Support;
using Serverless.TestModels;

namespace Serverless.IntegrationTests.EndToEnd;

/// <summary>
/// Mistakes a new user makes starting a workflow, through the local runner: each is a 400 (<c>invalid_input</c>) whose
/// message starts with the field and says what is wrong, and no orchestration instance is created.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class WorkflowDoorTests
{
    private const string Model = "door-churn";
    private const string Input = "data/door/in.csv";
    private const string Dataset = "training/door/churn.csv";

    private readonly StackFixture _stack;

    public WorkflowDoorTests(StackFixture stack)
    {
        _stack = stack;
    }

    private HttpClient Client => _stack.Client;

    public static TheoryData<string, string> BatchMistakes => new()
    {
        { """{"alias":"prod"}""", "'alias': alias 'prod' of model 'door-churn' does not exist; its aliases are " },
        { """{"version":"7"}""", "'version': version '7' of model 'door-churn' does not exist; its versions are '1', '2'." },
        { """{"model":"door-nobody"}""", "'model': model 'door-nobody' does not exist (no version of it is registered)." },
        { """{"model":"churn model"}""", "'model' must be a valid model name: 1-63 letters, digits, '.', '-' or '_', starting with a letter or digit (was 'churn model')." },
        { """{"version":"1","alias":"production"}""", "'version' and 'alias' both choose a version of model 'door-churn'; give one of them." },
        {
            """{"version":"2"}""",
            "'version': model 'door-churn' version '2' has no manifest, which batch scoring needs to map rows to the model's inputs. " +
            "Register one with PUT /api/models/door-churn/versions/2/manifest."
        },
        {
            """{"alias":"bare"}""",
            "'alias': model 'door-churn' version '2' (alias 'bare') has no manifest, which batch scoring needs to map rows to the model's inputs. " +
            "Register one with PUT /api/models/door-churn/versions/2/manifest."
        },
        { """{"input":"data/door/none.csv"}""", "'input' names blob 'data/door/none.csv', which does not exist." },
        { """{"input":"file:///etc/passwd"}""", "'input' must be a blob as container/path in this app's storage account, not a URL." },
        { """{"input":"http://x/y.csv"}""", "'input' must be a blob as container/path in this app's storage account, not a URL." },
        {
            """{"input":"Data/x.csv"}""",
            "'input' names container 'Data', which is not a valid container name (3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit)."
        },
        {
            """{"output":"Scores/door"}""",
            "'output' names container 'Scores', which is not a valid container name (3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit)."
        },
    };

    public static TheoryData<string, string> SweepMistakes => new()
    {
        {
            """{"algorithms":[{"name":"lightgbm","grid":{"num_leafs":[8,16]}}]}""",
            "'algorithms': lightgbm has no hyperparameter 'num_leafs' (did you mean 'num_leaves'?); it knows num_leaves, learning_rate, num_iterations, n_estimators, min_data_in_leaf."
        },
        {
            """{"task":"regression","metric":"rmse","algorithms":[{"name":"lbfgs"}]}""",
            "'algorithms': lbfgs does not train regression tasks (it trains binary and multiclass); for regression use lightgbm, fasttree, sdca, torch_mlp, torch_ft_transformer."
        },
        { """{"task":"regression","metric":"auc"}""", "'metric' auc does not apply to regression tasks; use rmse, mae, r2." },
        { """{"model_name":"door churn"}""", "'model_name' must be a valid model name: 1-63 letters, digits, '.', '-' or '_', starting with a letter or digit (was 'door churn')." },
        {
            """{"promotion":{"policy":"promote-if-better","alias":"1st"}}""",
            "'promotion.alias' must be a valid alias: 1-63 letters, digits, '.', '-' or '_', starting with a letter (was '1st')."
        },
        { """{"dataset":"training/door/none.csv"}""", "'dataset' names blob 'training/door/none.csv', which does not exist." },
        { """{"dataset":"Training/door/churn.csv"}""", "'dataset' names container 'Training', which is not a valid container name (3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit)." },
        {
            $$$"""{"model_name":"{{{Model}}}","promotion":{"policy":"promote-if-better","alias":"bare"}}""",
            "'promotion.alias': alias 'bare' of model 'door-churn' points at version '2', which has no manifest, so the sweep could not score it to compare " +
            "with the new version. Register one with PUT /api/models/door-churn/versions/2/manifest, or name another alias (or policy 'none')."
        },
    };

    [Theory]
    [MemberData(nameof(BatchMistakes))]
    public async Task StartBatchScoring_Mistake_Is400NamingTheFieldAndStartsNothing(string change, string expected)
    {
        await ArrangeAsync();
        var body = Merge("""{"input":"data/door/in.csv","model":"door-churn","output":"scores/door"}""", change);
        var before = await TaskHubInstances.CountAsync(_stack.ConnectionString, "BatchScoring");

        var answer = await Client.PostJsonAsync("orchestrations/batch-scoring", body);

        AssertRefused(answer, expected);
        Assert.Equal(before, await TaskHubInstances.CountAsync(_stack.ConnectionString, "BatchScoring"));
    }

    [Theory]
    [MemberData(nameof(SweepMistakes))]
    public async Task StartTrainingSweep_Mistake_Is400NamingTheFieldAndStartsNothing(string change, string expected)
    {
        await ArrangeAsync();
        var body = Merge($$"""
            {"dataset":"{{Dataset}}","target":"churned","task":"binary","exclude_columns":["customer_id"],
             "algorithms":[{"name":"sdca"}],"metric":"auc","model_name":"door-sweep"}
            """, change);
        var before = await TaskHubInstances.CountAsync(_stack.ConnectionString, "TrainingSweep");

        var answer = await Client.PostJsonAsync("orchestrations/training-sweeps", body);

        AssertRefused(answer, expected);
        Assert.Equal(before, await TaskHubInstances.CountAsync(_stack.ConnectionString, "TrainingSweep"));
    }

    [Fact]
    public async Task StartBatchScoring_AfterTheMistakesAreFixed_Starts()
    {
        await ArrangeAsync();
        var before = await TaskHubInstances.CountAsync(_stack.ConnectionString, "BatchScoring");

        var answer = await Client.PostJsonAsync("orchestrations/batch-scoring", """{"input":"data/door/in.csv","model":"door-churn","alias":"production","output":"scores/door"}""");

        Assert.True(answer.Status == HttpStatusCode.Accepted, answer.Body.ToString());
        Assert.Equal(before + 1, await TaskHubInstances.CountAsync(_stack.ConnectionString, "BatchScoring"));
    }

    private static void AssertRefused(JsonAnswer answer, string expected)
    {
        Assert.True(answer.Status == HttpStatusCode.BadRequest, $"{(int)answer.Status}: {answer.Body}");
        Assert.Equal("invalid_input", answer.Json.GetProperty("code").GetString());
        if (expected.EndsWith(' '))
        {
            Assert.StartsWith(expected, answer.Error);
        }
        else
        {
            Assert.Equal(expected, answer.Error);
        }
    }

    /// <summary>Version 1 with a manifest (alias production), version 2 without one (alias bare), an input and a dataset.</summary>
    private async Task ArrangeAsync()
    {
        Expect(await Client.PutBytesAsync($"models/{Model}/versions/1", ReferenceModels.PerFeatureBinaryClassifier()), HttpStatusCode.Created, HttpStatusCode.OK);
        Expect(await Client.PutJsonAsync($"models/{Model}/versions/1/manifest", ReferenceManifests.PerFeatureBinary()), HttpStatusCode.Created, HttpStatusCode.OK);
        Expect(await Client.PutBytesAsync($"models/{Model}/versions/2", ReferenceModels.PerFeatureBinaryClassifier()), HttpStatusCode.Created, HttpStatusCode.OK);
        Expect(await Client.PutJsonAsync($"models/{Model}/aliases/production", """{"version":"1"}"""), HttpStatusCode.OK, HttpStatusCode.Created);
        Expect(await Client.PutJsonAsync($"models/{Model}/aliases/bare", """{"version":"2"}"""), HttpStatusCode.OK, HttpStatusCode.Created);
        await UploadAsync(Input, "customer_id,age,city\nc1,30,Oslo\nc2,40,Bergen\n");
        await UploadAsync(Dataset, ReferenceDatasets.ChurnCsv(200, seed: 5));
    }

    private static void Expect(JsonAnswer answer, params HttpStatusCode[] statuses) =>
        Assert.True(statuses.Contains(answer.Status), $"{(int)answer.Status}: {answer.Body}");

    private async Task UploadAsync(string path, string content)
    {
        var slash = path.IndexOf('/', StringComparison.Ordinal);
        var container = new BlobContainerClient(_stack.ConnectionString, path[..slash]);
        await container.CreateIfNotExistsAsync();
        await container.GetBlobClient(path[(slash + 1)..]).UploadAsync(BinaryData.FromString(content), overwrite: true);
    }

    /// <summary>The body with the fields of <paramref name="change"/> set (added or replaced).</summary>
    private static string Merge(string body, string change)
    {
        var fields = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(body)!;
        foreach (var (name, value) in JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(change)!)
        {
            fields[name] = value;
        }

        return JsonSerializer.Serialize(fields);
    }
}
