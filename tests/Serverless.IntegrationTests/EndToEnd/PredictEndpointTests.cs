using System.Globalization;
using System.Net;
using System.Text.Json;
using Serverless.IntegrationTests.Support;
using Serverless.TestModels;

namespace Serverless.IntegrationTests.EndToEnd;

/// <summary>Manifests and the records API through the local runner over HTTP, against Azurite.</summary>
[Collection(StackCollection.Name)]
public sealed class PredictEndpointTests
{
    private readonly StackFixture _stack;

    public PredictEndpointTests(StackFixture stack)
    {
        _stack = stack;
    }

    private HttpClient Client => _stack.Client;

    [Fact]
    public async Task Manifest_RegisteredOverHttp_IsImmutableLikeVersions()
    {
        await RegisterAsync("pred-manifest", "1", ReferenceModels.LogisticRegression());
        await RegisterAsync("pred-manifest", "2", ReferenceModels.LogisticRegression(seed: 2));
        var manifest = ReferenceManifests.LogisticRegression();
        var reformatted = JsonSerializer.Serialize(JsonDocument.Parse(manifest).RootElement, new JsonSerializerOptions { WriteIndented = true });

        var created = await Client.PutJsonAsync("models/pred-manifest/versions/1/manifest", manifest);
        var same = await Client.PutJsonAsync("models/pred-manifest/versions/1/manifest", reformatted);
        var different = await Client.PutJsonAsync("models/pred-manifest/versions/1/manifest", ReferenceManifests.LogisticRegression(threshold: 0.7));
        var invalid = await Client.PutJsonAsync("models/pred-manifest/versions/2/manifest", ReferenceManifests.LogisticRegression(features: 9));
        var malformed = await Client.PutJsonAsync("models/pred-manifest/versions/2/manifest", """{"task": "binary",""");
        var unknownVersion = await Client.PutJsonAsync("models/pred-manifest/versions/9/manifest", manifest);
        var read = await Client.GetJsonAsync("models/pred-manifest/versions/1/manifest");
        var readMissing = await Client.GetJsonAsync("models/pred-manifest/versions/2/manifest");

        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal("/api/models/pred-manifest/versions/1/manifest", created.Response.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.OK, same.Status);
        Assert.Equal(HttpStatusCode.Conflict, different.Status);
        Assert.Contains("already has a different manifest", different.Error);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.Status);
        Assert.Contains("'features' lists 9 feature(s)", invalid.Error);
        Assert.Equal(HttpStatusCode.BadRequest, malformed.Status);
        Assert.Equal(HttpStatusCode.NotFound, unknownVersion.Status);
        Assert.Equal(HttpStatusCode.OK, read.Status);
        Assert.True(JsonElement.DeepEquals(JsonDocument.Parse(manifest).RootElement, read.Json), read.Json.GetRawText());
        Assert.Equal(HttpStatusCode.NotFound, readMissing.Status);
    }

    [Fact]
    public async Task VersionListing_ShowsWhichVersionsHaveAManifest()
    {
        await RegisterAsync("pred-listing", "1", ReferenceModels.LogisticRegression());
        await RegisterAsync("pred-listing", "2", ReferenceModels.LogisticRegression(seed: 2));
        await PutManifestAsync("pred-listing", "2", ReferenceManifests.LogisticRegression());

        var listing = await Client.GetJsonAsync("models/pred-listing/versions");
        var single = await Client.GetJsonAsync("models/pred-listing/versions/2");

        var versions = listing.Json.GetProperty("versions").EnumerateArray().ToDictionary(v => v.GetProperty("version").GetString()!);
        Assert.False(versions["1"].GetProperty("has_manifest").GetBoolean());
        Assert.True(versions["2"].GetProperty("has_manifest").GetBoolean());
        Assert.True(single.Json.GetProperty("has_manifest").GetBoolean());
        Assert.Equal(64, single.Json.GetProperty("manifest_sha256").GetString()!.Length);
    }

    [Fact]
    public async Task Predict_TensorLayout_ReturnsTheSameProbabilitiesAsInferForInstancesAndDataframeSplit()
    {
        await RegisterAsync("pred-lr", "1", ReferenceModels.LogisticRegression());
        await PutManifestAsync("pred-lr", "1", ReferenceManifests.LogisticRegression());
        var rows = Enumerable.Range(0, 4)
            .Select(r => Enumerable.Range(0, 10).Select(f => Math.Round(Math.Sin((r * 10) + f) * 3, 3)).ToArray())
            .ToArray();
        var columns = Enumerable.Range(0, 10).Select(ReferenceManifests.FeatureName).ToArray();
        var instances = JsonSerializer.Serialize(new { instances = rows.Select(r => columns.Select((c, i) => (c, r[i])).ToDictionary(p => p.c, p => p.Item2)) });
        var split = JsonSerializer.Serialize(new { dataframe_split = new { columns, data = rows } });

        var fromInstances = await Client.PostJsonAsync("models/pred-lr/predict", instances);
        var fromSplit = await Client.PostJsonAsync("models/pred-lr/versions/1/predict", split);
        var infer = await Client.PostJsonAsync("v2/models/pred-lr/infer",
            $$"""{"inputs":[{"name":"input","datatype":"FP32","shape":[4,10],"data":{{JsonSerializer.Serialize(rows)}}}]}""");

        Assert.Equal(HttpStatusCode.OK, fromInstances.Status);
        Assert.Equal(HttpStatusCode.OK, fromSplit.Status);
        Assert.Equal("pred-lr", fromInstances.Json.GetProperty("model_name").GetString());
        Assert.Equal("1", fromInstances.Json.GetProperty("model_version").GetString());
        var expected = infer.Json.GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        var predictions = fromInstances.Json.GetProperty("predictions").EnumerateArray().ToArray();
        Assert.Equal(4, predictions.Length);
        for (var r = 0; r < 4; r++)
        {
            Assert.Equal(expected[r], predictions[r].GetProperty("scores")[1].GetSingle());
            Assert.Equal(expected[r] >= 0.5f ? 1 : 0, predictions[r].GetProperty("label").GetInt32());
        }

        Assert.Equal(fromInstances.Json.GetProperty("predictions").GetRawText(), fromSplit.Json.GetProperty("predictions").GetRawText());
        Assert.True(expected.Distinct().Count() > 1);
    }

    [Fact]
    public async Task Predict_PerFeatureWithCategoricalStrings_MatchesInferWithBytesInputs()
    {
        await RegisterAsync("pred-city", "1", ReferenceModels.PerFeatureBinaryClassifier());
        await PutManifestAsync("pred-city", "1", ReferenceManifests.PerFeatureBinary());

        var predict = await Client.PostJsonAsync("models/pred-city/predict",
            """{"instances": [{"age": 25, "city": "Oslo"}, {"age": 61, "city": "Bergen"}, {"city": "Trondheim", "age": 80}]}""");
        var infer = await Client.PostJsonAsync("v2/models/pred-city/infer", """
            {"inputs": [{"name": "age", "datatype": "FP32", "shape": [3, 1], "data": [25, 61, 80]},
                        {"name": "city", "datatype": "BYTES", "shape": [3, 1], "data": ["Oslo", "Bergen", "Trondheim"]}],
             "outputs": [{"name": "probabilities"}]}
            """);

        Assert.Equal(HttpStatusCode.OK, predict.Status);
        var expected = infer.Json.GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        var predictions = predict.Json.GetProperty("predictions").EnumerateArray().ToArray();
        for (var r = 0; r < 3; r++)
        {
            var scores = predictions[r].GetProperty("scores").EnumerateArray().Select(s => s.GetSingle()).ToArray();
            Assert.Equal([expected[r * 2], expected[(r * 2) + 1]], scores);
            var yes = expected[(r * 2) + 1] >= 0.5f;
            Assert.Equal(yes ? "yes" : "no", predictions[r].GetProperty("label").GetString());
            Assert.Equal(yes ? expected[(r * 2) + 1] : expected[r * 2], predictions[r].GetProperty("probability").GetSingle());
        }

        Assert.Equal(2, predictions.Select(p => p.GetProperty("label").GetString()).Distinct().Count());
    }

    [Fact]
    public async Task Predict_MulticlassZipMapAndRegression_AnswerLabelsAndValues()
    {
        await RegisterAsync("pred-animals", "1", ReferenceModels.ZipMapMulticlassClassifier());
        await PutManifestAsync("pred-animals", "1", ReferenceManifests.ZipMapMulticlass());
        await RegisterAsync("pred-prices", "1", ReferenceModels.PerFeatureRegression());
        await PutManifestAsync("pred-prices", "1", ReferenceManifests.PerFeatureRegression());

        var animals = await Client.PostJsonAsync("models/pred-animals/predict", """{"instances": [{"x0": 1, "x1": 0, "x2": 0}, {"x0": 0, "x1": 1, "x2": 0}]}""");
        var prices = await Client.PostJsonAsync("models/pred-prices/predict",
            """{"dataframe_split": {"columns": ["rooms", "area", "district"], "data": [[3, 70.5, "south"], [1, 30, "north"]]}}""");

        Assert.Equal(HttpStatusCode.OK, animals.Status);
        var classified = animals.Json.GetProperty("predictions").EnumerateArray().ToArray();
        Assert.Equal(["cat", "ant"], classified.Select(p => p.GetProperty("label").GetString()));
        Assert.All(classified, p => Assert.Equal(3, p.GetProperty("scores").GetArrayLength()));
        Assert.All(classified, p => Assert.InRange(p.GetProperty("scores").EnumerateArray().Sum(s => s.GetDouble()), 0.9999, 1.0001));
        Assert.Equal(HttpStatusCode.OK, prices.Status);
        Assert.Equal([286.25, 135.0], prices.Json.GetProperty("predictions").EnumerateArray().Select(p => p.GetProperty("value").GetDouble()));
    }

    [Fact]
    public async Task Predict_BadRows_Returns400NamingEachRowAndFeatureAndScoresNothing()
    {
        await RegisterAsync("pred-bad", "1", ReferenceModels.PerFeatureBinaryClassifier());
        await PutManifestAsync("pred-bad", "1", ReferenceManifests.PerFeatureBinary());

        var answer = await Client.PostJsonAsync("models/pred-bad/predict", """
            {"instances": [{"age": 30, "city": "Oslo"}, {"age": "thirty", "city": "Oslo"}, {"age": 40, "city": "Paris"}, {"age": 50}, {"age": 20, "city": "Oslo", "zip": "0150"}]}
            """);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Contains("row 1, feature 'age': expected a number", answer.Error);
        Assert.Contains("row 2, feature 'city': 'Paris' is not one of the known categories", answer.Error);
        Assert.Contains("row 3, feature 'city': missing", answer.Error);
        Assert.Contains("row 4, feature 'zip': unknown feature", answer.Error);
        Assert.DoesNotContain("row 0", answer.Error);
        Assert.False(answer.Json.TryGetProperty("predictions", out _));
    }

    [Fact]
    public async Task Predict_ModelWithoutManifest_Returns400UntilOneIsRegistered()
    {
        await RegisterAsync("pred-bare", "1", ReferenceModels.LogisticRegression(features: 2));
        const string body = """{"instances": [{"f0": 0.5, "f1": -1}]}""";

        var refused = await Client.PostJsonAsync("models/pred-bare/predict", body);
        await Client.PostJsonAsync("v2/models/pred-bare/infer", """{"inputs":[{"name":"input","datatype":"FP32","shape":[1,2],"data":[0.5,-1]}]}""");
        await PutManifestAsync("pred-bare", "1", ReferenceManifests.LogisticRegression(features: 2));
        var served = await Client.PostJsonAsync("models/pred-bare/predict", body);

        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Contains("PUT /api/models/pred-bare/versions/1/manifest", refused.Error);
        Assert.Contains("/infer", refused.Error);
        Assert.Equal(HttpStatusCode.OK, served.Status);
        Assert.Equal(1, served.Json.GetProperty("predictions").GetArrayLength());
    }

    [Fact]
    public async Task Predict_UnversionedRoute_ServesTheProductionAlias()
    {
        await RegisterAsync("pred-routing", "1", ReferenceModels.LogisticRegression(features: 2, seed: 1));
        await RegisterAsync("pred-routing", "2", ReferenceModels.LogisticRegression(features: 2, seed: 2));
        await PutManifestAsync("pred-routing", "1", ReferenceManifests.LogisticRegression(features: 2));
        await PutManifestAsync("pred-routing", "2", ReferenceManifests.LogisticRegression(features: 2));
        const string body = """{"instances": [{"f0": 1, "f1": 1}]}""";

        var latest = await Client.PostJsonAsync("models/pred-routing/predict", body);
        await Client.PutJsonAsync("models/pred-routing/aliases/production", """{"version": "1"}""");
        var production = await Client.PostJsonAsync("models/pred-routing/predict", body);

        Assert.Equal("2", latest.Json.GetProperty("model_version").GetString());
        Assert.Equal("1", production.Json.GetProperty("model_version").GetString());
    }

    [Fact]
    public async Task Predict_UnknownModelOrOversizedBody_Returns404Or413()
    {
        await RegisterAsync("pred-big", "1", ReferenceModels.LogisticRegression(features: 2));
        await PutManifestAsync("pred-big", "1", ReferenceManifests.LogisticRegression(features: 2));
        var padding = new string(' ', (int)StackFixture.MaxRequestBodyBytes);

        var unknown = await Client.PostJsonAsync("models/pred-nobody/predict", """{"instances": [{"f0": 1}]}""");
        var tooLarge = await Client.PostJsonAsync("models/pred-big/predict", """{"instances": [{"f0": 1, "f1": 1}]}""" + padding);

        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.Status);
        Assert.Contains("limit", tooLarge.Error);
    }

    private async Task RegisterAsync(string name, string version, byte[] model)
    {
        var answer = await Client.PutBytesAsync($"models/{name}/versions/{version}", model);
        Assert.True(answer.Status is HttpStatusCode.Created or HttpStatusCode.OK, $"registration failed: {answer.Status} {answer.Body}");
    }

    private async Task PutManifestAsync(string name, string version, string manifest)
    {
        var answer = await Client.PutJsonAsync($"models/{name}/versions/{version}/manifest", manifest);
        Assert.True(answer.Status is HttpStatusCode.Created or HttpStatusCode.OK,
            string.Create(CultureInfo.InvariantCulture, $"manifest registration failed: {answer.Status} {answer.Body}"));
    }
}
