using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using Serverless.IntegrationTests.Support;
using Serverless.TestModels;

namespace Serverless.IntegrationTests.EndToEnd;

/// <summary>
/// A manifest's pre and post steps through the runner: a rule overrides a prediction as declared (and the host's
/// example code step annotates it), a bad step is a 400 naming it, and batch scoring answers each row as the records API does.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class BusinessRulesTests
{
    /// <summary>
    /// For <see cref="ReferenceModels.PerFeatureBinaryClassifier"/> (p = σ(0.04·age + 0.9·city code − 2.5)): city defaults to
    /// Oslo, age is clipped to [5, 100]; Bergen decides at 0.7; seniors likely to say yes go to review; yes/no are renamed;
    /// the app's confidence_band step annotates every row.
    /// </summary>
    private const string Manifest = """
        {"task": "binary",
         "features": [{"name": "age", "type": "numeric", "min": 0, "max": 120}, {"name": "city", "type": "categorical", "values": ["Oslo", "Bergen", "Trondheim"]}],
         "inputs": {"layout": "per_feature"}, "outputs": {"probability": "probabilities"}, "class_labels": ["no", "yes"],
         "pre": [{"kind": "default", "feature": "city", "value": "Oslo"}, {"kind": "clip", "feature": "age", "min": 5, "max": 100}],
         "post": [
           {"kind": "threshold", "segment": "city", "thresholds": {"Bergen": 0.7}, "default": 0.5},
           {"kind": "rule", "name": "senior_review", "when": "age > 60 and probability > 0.3", "label": "review", "annotation": "refer to review"},
           {"kind": "label_map", "map": {"yes": "churn", "no": "stay"}},
           {"kind": "code", "step": "confidence_band"}]}
        """;

    private readonly StackFixture _stack;

    public BusinessRulesTests(StackFixture stack)
    {
        _stack = stack;
    }

    private HttpClient Client => _stack.Client;

    [Fact]
    public async Task Predict_RuleOverridesAPrediction_AsDeclared()
    {
        await RegisterAsync("rules-churn");

        var answer = await Client.PostJsonAsync("models/rules-churn/predict", """
            {"instances": [{"age": 70, "city": "Oslo"}, {"age": 30, "city": "Oslo"}, {"age": 50, "city": "Bergen"}, {"age": 300}]}
            """);

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        var rows = answer.Json.GetProperty("predictions").EnumerateArray().ToList();
        Assert.Equal("review", rows[0].GetProperty("label").GetString());
        Assert.Equal("yes", rows[0].GetProperty("model_label").GetString());
        Assert.Equal(["refer to review", "confidence: low"], rows[0].GetProperty("annotations").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(["senior_review"], rows[0].GetProperty("rules").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(Probability(70, 0), rows[0].GetProperty("probability").GetDouble(), 5);
        Assert.Equal("stay", rows[1].GetProperty("label").GetString());
        Assert.False(rows[1].TryGetProperty("rules", out _));
        Assert.Equal("stay", rows[2].GetProperty("label").GetString());
        Assert.Equal("yes", rows[2].GetProperty("model_label").GetString());
        Assert.Equal(1 - Probability(50, 1), rows[2].GetProperty("probability").GetDouble(), 5);
        Assert.Equal("review", rows[3].GetProperty("label").GetString());
        Assert.Equal(Probability(100, 0), rows[3].GetProperty("probability").GetDouble(), 5);
    }

    [Fact]
    public async Task SetManifest_BadStepOrUnknownCodeStep_Is400NamingTheStep()
    {
        await Client.PutBytesAsync("models/rules-bad/versions/1", ReferenceModels.PerFeatureBinaryClassifier());

        var badWhen = await Client.PutJsonAsync("models/rules-bad/versions/1/manifest", Manifest.Replace("age > 60 and probability > 0.3", "amount > 10000"));
        var unknownStep = await Client.PutJsonAsync("models/rules-bad/versions/1/manifest", Manifest.Replace("confidence_band", "fraud_score"));

        Assert.Equal(HttpStatusCode.BadRequest, badWhen.Status);
        Assert.StartsWith("Manifest field 'post[1].when' reads 'amount'", badWhen.Error);
        Assert.Equal(HttpStatusCode.BadRequest, unknownStep.Status);
        Assert.StartsWith("Manifest field 'post[3].step': no code step named 'fraud_score'", unknownStep.Error);
    }

    [Fact]
    public async Task BatchScoring_ModelWithSteps_EqualsOnlineAnswersRowByRow()
    {
        await RegisterAsync("rules-batch");
        var rows = Enumerable.Range(1, 600).Select(r => (Id: "c" + r, Age: (r * 7 % 130) - 5, City: r % 7 == 0 ? "" : ReferenceModels.Cities[r % 3])).ToList();
        var csv = new StringBuilder("customer_id,age,city\n");
        foreach (var row in rows)
        {
            csv.Append(row.Id).Append(',').Append(row.Age.ToString(CultureInfo.InvariantCulture)).Append(',').Append(row.City).Append('\n');
        }

        var container = new BlobContainerClient(_stack.ConnectionString, "data");
        await container.CreateIfNotExistsAsync();
        await container.GetBlobClient("rules/customers.csv").UploadAsync(BinaryData.FromString(csv.ToString()), overwrite: true);

        var status = await RunAsync("""
            {"input":"data/rules/customers.csv","model":"rules-batch","output":"scores/rules/run","id_column":"customer_id","chunk_rows":250,"merge":true}
            """);

        Assert.True(status.GetProperty("runtime_status").GetString() == "Completed", status.ToString());
        Assert.Equal(rows.Count, status.GetProperty("output").GetProperty("rows_out").GetInt64());
        var merged = (await new BlobContainerClient(_stack.ConnectionString, "scores").GetBlobClient("rules/run/predictions.csv").DownloadContentAsync()).Value.Content.ToString();
        var lines = merged.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("customer_id,label,probability,score_no,score_yes,model_label,annotations", lines[0]);
        var batch = lines.Skip(1).Select(l => l.Split(',')).ToDictionary(f => f[0]);

        var instances = string.Join(",", rows.Select(r => $$"""{"age": {{r.Age}}, "city": {{(r.City.Length == 0 ? "null" : $"\"{r.City}\"")}}}"""));
        var online = await Client.PostJsonAsync("models/rules-batch/predict", $$"""{"instances": [{{instances}}]}""");
        Assert.Equal(HttpStatusCode.OK, online.Status);
        var predictions = online.Json.GetProperty("predictions").EnumerateArray().ToList();
        for (var i = 0; i < rows.Count; i++)
        {
            var cells = batch[rows[i].Id];
            var answer = predictions[i];
            Assert.Equal(answer.GetProperty("label").GetString(), cells[1]);
            Assert.Equal(answer.GetProperty("probability").GetDouble(), double.Parse(cells[2], CultureInfo.InvariantCulture), 1e-6);
            Assert.Equal(answer.TryGetProperty("model_label", out var model) ? model.GetString() : "", cells[5]);
            Assert.Equal(string.Join("; ", answer.GetProperty("annotations").EnumerateArray().Select(a => a.GetString())), cells[6]);
        }

        Assert.Contains(predictions, p => p.GetProperty("label").GetString() == "review");
        Assert.Contains(predictions, p => p.GetProperty("label").GetString() == "churn");
        Assert.Contains(predictions, p => p.GetProperty("label").GetString() == "stay");
    }

    private static double Probability(double age, int city) => 1 / (1 + Math.Exp(-((0.04 * age) + (0.9 * city) - 2.5)));

    private async Task RegisterAsync(string model)
    {
        await Client.PutBytesAsync($"models/{model}/versions/1", ReferenceModels.PerFeatureBinaryClassifier());
        var manifest = await Client.PutJsonAsync($"models/{model}/versions/1/manifest", Manifest);
        Assert.True(manifest.Status is HttpStatusCode.Created or HttpStatusCode.OK, $"manifest: {manifest.Status} {manifest.Body}");
    }

    private async Task<JsonElement> RunAsync(string body)
    {
        var start = await Client.PostJsonAsync("orchestrations/batch-scoring", body);
        Assert.Equal(HttpStatusCode.Accepted, start.Status);
        var id = start.Json.GetProperty("id").GetString()!;
        var deadline = DateTime.UtcNow.AddMinutes(4);
        while (true)
        {
            var status = await Client.GetJsonAsync($"orchestrations/{id}");
            var runtime = status.Json.GetProperty("runtime_status").GetString();
            if (runtime is "Completed" or "Failed" or "Terminated")
            {
                return status.Json;
            }

            Assert.True(DateTime.UtcNow < deadline, $"orchestration {id} still {runtime}: {status.Json}");
            await Task.Delay(250);
        }
    }
}
