using System.Net;
using System.Text.Json;
using Serverless.IntegrationTests.Attacks.Support;
using Serverless.IntegrationTests.Support;
using Serverless.TestModels;

namespace Serverless.IntegrationTests.Attacks;

/// <summary>
/// Workflow starts that name what does not exist or does not fit — another model's versions, aliases that are not
/// there, a version without a manifest, blobs that are not there, URLs, names storage refuses, hyperparameters and
/// algorithms the trainer does not take — are refused at the door with a 400 naming the field, and nothing is stored.
/// </summary>
[Collection(AttackCollection.Name)]
public sealed class WorkflowDoorAttacks
{
    /// <summary>A model whose only version has no manifest, aliased production.</summary>
    private const string Bare = "victim-bare";

    private readonly AttackFixture _target;

    public WorkflowDoorAttacks(AttackFixture target)
    {
        _target = target;
    }

    public static TheoryData<string, string> BatchAttacks => new()
    {
        { """{"alias":"admin"}""", "'alias': alias 'admin' of model 'victim' does not exist" },
        { """{"version":"999999"}""", "'version': version '999999' of model 'victim' does not exist" },
        { """{"model":"victim-nobody"}""", "'model': model 'victim-nobody' does not exist" },
        { """{"model":"../models/victim"}""", "'model' must be a valid model name" },
        { """{"version":"1","alias":"production"}""", "'version' and 'alias' both choose" },
        { $$"""{"model":"{{Bare}}"}""", "'model': model 'victim-bare' version '1' has no manifest" },
        { $$"""{"model":"{{Bare}}","version":"1"}""", "'version': model 'victim-bare' version '1' has no manifest" },
        { $$"""{"model":"{{Bare}}","alias":"production"}""", "'alias': model 'victim-bare' version '1' (alias 'production') has no manifest" },
        { """{"input":"data/attack/missing.csv"}""", "'input' names blob 'data/attack/missing.csv', which does not exist." },
        { """{"input":"file:///etc/passwd"}""", "'input' must be a blob as container/path in this app's storage account, not a URL." },
        { """{"input":"http://169.254.169.254/metadata.csv"}""", "'input' must be a blob" },
        { """{"input":"Data/attack/in.csv"}""", "'input' names container 'Data', which is not a valid container name" },
        { """{"output":"SCORES/attack"}""", "'output' names container 'SCORES', which is not a valid container name" },
    };

    public static TheoryData<string, string> SweepAttacks => new()
    {
        { """{"algorithms":[{"name":"lightgbm","grid":{"num_leafs":[8]}}]}""", "'algorithms': lightgbm has no hyperparameter 'num_leafs'" },
        { """{"task":"regression","metric":"rmse","algorithms":[{"name":"lbfgs"}]}""", "'algorithms': lbfgs does not train regression tasks" },
        { """{"task":"regression","metric":"auc"}""", "'metric' auc does not apply to regression tasks" },
        { """{"model_name":"../models/victim"}""", "'model_name' must be a valid model name" },
        { """{"promotion":{"policy":"promote-if-better","alias":"$root"}}""", "'promotion.alias' must be a valid alias" },
        { """{"dataset":"training/attack/missing.csv"}""", "'dataset' names blob 'training/attack/missing.csv', which does not exist." },
        { """{"dataset":"file:///etc/passwd"}""", "'dataset' must be a blob" },
        { """{"dataset":"TRAINING/attack/train.csv"}""", "'dataset' names container 'TRAINING', which is not a valid container name" },
        { $$$"""{"model_name":"{{{Bare}}}","promotion":{"policy":"promote-if-better"}}""", "'promotion.alias': alias 'production' of model 'victim-bare' points at version '1', which has no manifest" },
        { """{"feature_sets":[{"name":"../sets/x","version":"1"}]}""", "'feature_sets[0].name' must be a valid model name" },
        { """{"feature_sets":[{"name":"customers","version":"1","features":[]}]}""", "'feature_sets[0].features' must list feature names" },
        { """{"feature_sets":[{"name":"customers","version":"1"}],"event_time_column":"when"}""", "'event_time_column' names column 'when', which is not in the dataset's header" },
    };

    [Theory]
    [MemberData(nameof(BatchAttacks))]
    public async Task BatchScoring_WhatTheStartCanKnow_Is400NamingTheField(string change, string expected)
    {
        await ArrangeBareModelAsync();
        var body = Merge($$"""{"input":"data/{{AttackFixture.InputCsv}}","model":"{{AttackFixture.Model}}","output":"scores/door-attack"}""", change);

        var answer = await Attack.RefusedAsync(_target, () => _target.Operator.PostJsonAsync("orchestrations/batch-scoring", body), HttpStatusCode.BadRequest, expected);

        Assert.StartsWith(expected.Split(' ')[0], answer.Error, StringComparison.Ordinal);
        Assert.Equal("invalid_input", answer.Json.GetProperty("code").GetString());
    }

    [Theory]
    [MemberData(nameof(SweepAttacks))]
    public async Task TrainingSweep_WhatTheStartCanKnow_Is400NamingTheField(string change, string expected)
    {
        await ArrangeBareModelAsync();
        var body = Merge("""{"dataset":"training/attack/train.csv","target":"y","task":"binary","metric":"auc","model_name":"attack-sweep","algorithms":[{"name":"sdca"}]}""",
            change);

        var answer = await Attack.RefusedAsync(_target, () => _target.Operator.PostJsonAsync("orchestrations/training-sweeps", body), HttpStatusCode.BadRequest, expected);

        Assert.StartsWith(expected.Split(' ')[0], answer.Error, StringComparison.Ordinal);
        Assert.Equal("invalid_input", answer.Json.GetProperty("code").GetString());
    }

    /// <summary>Registered before the attack's snapshot (idempotent: the same bytes and alias again change nothing).</summary>
    private async Task ArrangeBareModelAsync()
    {
        var version = await _target.Operator.PutBytesAsync($"models/{Bare}/versions/1", ReferenceModels.LogisticRegression(features: 3));
        Assert.True(version.Status is HttpStatusCode.Created or HttpStatusCode.OK, $"{(int)version.Status}: {version.Body}");
        var alias = await _target.Operator.PutJsonAsync($"models/{Bare}/aliases/production", """{"version": "1"}""");
        Assert.True(alias.Status is HttpStatusCode.Created or HttpStatusCode.OK, $"{(int)alias.Status}: {alias.Body}");
    }

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
