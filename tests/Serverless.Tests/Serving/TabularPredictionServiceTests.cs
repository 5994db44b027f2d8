using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Moq;
using Serverless.Core.Buffers;
using Serverless.Core.Errors;
using Serverless.Core.Models;
using Serverless.Core.Registry;
using Serverless.Core.Serving;
using Serverless.Core.Serving.Batching;
using Serverless.Tests.Support;
using Serverless.Tests.Tabular;
using Serverless.TestModels;

namespace Serverless.Tests.Serving;

public sealed class TabularPredictionServiceTests
{
    [Fact]
    public void Predict_LogisticRegression_ProbabilitiesEqualADirectInferOnTheSameRows()
    {
        using var model = TabularTestModel.Load(ReferenceModels.LogisticRegression(), ReferenceManifests.LogisticRegression());
        var random = new Random(7);
        var rows = Enumerable.Range(0, 5).Select(_ => Enumerable.Range(0, 10).Select(_ => MathF.Round((random.NextSingle() * 6) - 3, 3)).ToArray()).ToArray();
        var instances = rows.Select(r => Enumerable.Range(0, 10).ToDictionary(ReferenceManifests.FeatureName, i => r[i]));

        var response = Predict(model, JsonSerializer.Serialize(new { instances }));
        var infer = model.Model.Infer(InferJson.Request(InferJson.Input("input", "FP32", [5, 10], JsonSerializer.Serialize(rows))));

        var expected = ResponseJson.Floats(ResponseJson.Output(infer, "probability"));
        var predictions = response.GetProperty("predictions").EnumerateArray().ToList();
        Assert.Equal(5, predictions.Count);
        for (var r = 0; r < 5; r++)
        {
            var scores = predictions[r].GetProperty("scores").EnumerateArray().Select(s => s.GetSingle()).ToArray();
            Assert.Equal(expected[r], scores[1]);
            Assert.Equal(expected[r] >= 0.5f ? 1 : 0, predictions[r].GetProperty("label").GetInt32());
        }

        Assert.True(expected.Distinct().Count() > 1);
        Assert.Equal(TestModel.Name, response.GetProperty("model_name").GetString());
        Assert.Equal(TestModel.VersionName, response.GetProperty("model_version").GetString());
    }

    [Fact]
    public void Predict_PerFeatureBinary_ProbabilitiesEqualADirectInferWithStringInputs()
    {
        using var model = TabularTestModel.Load(ReferenceModels.PerFeatureBinaryClassifier(), ReferenceManifests.PerFeatureBinary());

        var response = Predict(model, """
            {"dataframe_split": {"columns": ["age", "city"], "data": [[18, "Bergen"], [64.5, "Oslo"], [90, "Trondheim"]]}}
            """);
        var infer = model.Model.Infer(InferJson.Request(
            InferJson.Input("age", "FP32", [3, 1], "[[18],[64.5],[90]]"),
            InferJson.Input("city", "BYTES", [3, 1], """[["Bergen"],["Oslo"],["Trondheim"]]""")));

        var expected = ResponseJson.Floats(ResponseJson.Output(infer, "probabilities"));
        var predictions = response.GetProperty("predictions").EnumerateArray().ToList();
        for (var r = 0; r < 3; r++)
        {
            Assert.Equal([expected[r * 2], expected[(r * 2) + 1]], predictions[r].GetProperty("scores").EnumerateArray().Select(s => s.GetSingle()));
            Assert.Equal(expected[(r * 2) + 1] >= 0.5f ? "yes" : "no", predictions[r].GetProperty("label").GetString());
        }
    }

    [Fact]
    public async Task PredictAsync_VersionWithoutManifest_ThrowsBadRequestPointingAtTheManifestRoute()
    {
        using var model = TestModel.Load(ReferenceModels.LogisticRegression());
        var stack = new ServiceStack(model.Model, manifestSha256: null, manifest: null);

        var error = await Assert.ThrowsAsync<ServingException>(() => stack.PredictAsync("{\"instances\": []}"));

        Assert.Equal(ServingErrorKind.BadRequest, error.Kind);
        Assert.Contains($"PUT /api/models/{TestModel.Name}/versions/{TestModel.VersionName}/manifest", error.Message);
        Assert.Contains("infer", error.Message);
        stack.Loader.Verify(l => l.LoadAsync(It.IsAny<ModelVersion>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Fact]
    public async Task PredictAsync_RepeatedRequests_ReadTheManifestOnceAndAnswerEachTime()
    {
        using var model = TestModel.Load(ReferenceModels.LogisticRegression(features: 2));
        var manifest = TabularTestModel.Manifest(ReferenceManifests.LogisticRegression(features: 2));
        var stack = new ServiceStack(model.Model, manifest.ComputeSha256(), manifest);

        var first = await stack.PredictAsync("""{"instances": [{"f0": 1, "f1": 2}]}""");
        var second = await stack.PredictAsync("""{"instances": [{"f0": 1, "f1": 2}, {"f0": -1, "f1": 0}]}""");

        Assert.Equal(1, first.GetProperty("predictions").GetArrayLength());
        Assert.Equal(2, second.GetProperty("predictions").GetArrayLength());
        Assert.Equal(first.GetProperty("predictions")[0].GetRawText(), second.GetProperty("predictions")[0].GetRawText());
        stack.Registry.Verify(r => r.GetManifestAsync(It.IsAny<ModelVersion>(), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task PredictAsync_ManifestReplacedAfterReRegistration_IsReadAgain()
    {
        using var model = TestModel.Load(ReferenceModels.LogisticRegression(features: 2));
        var lenient = TabularTestModel.Manifest(ReferenceManifests.LogisticRegression(features: 2));
        var bounded = TabularTestModel.Manifest(ReferenceManifests.LogisticRegression(features: 2).Replace("{\"name\":\"f0\",\"type\":\"numeric\"}", "{\"name\":\"f0\",\"type\":\"numeric\",\"max\":0}"));
        var stack = new ServiceStack(model.Model, lenient.ComputeSha256(), lenient);
        await stack.PredictAsync("""{"instances": [{"f0": 1, "f1": 2}]}""");

        stack.Replace(bounded.ComputeSha256(), bounded);
        var error = await Assert.ThrowsAsync<ServingException>(() => stack.PredictAsync("""{"instances": [{"f0": 1, "f1": 2}]}"""));

        Assert.Contains("row 0, feature 'f0': 1 is above the maximum 0", error.Message);
    }

    [Fact]
    public async Task PredictAsync_BatchedVersion_ConcurrentRequestsShareOneRun_AnswerByteForByteAsUnbatched_AndABadOneNeverJoins()
    {
        using var model = TestModel.Load(ReferenceModels.LogisticRegression(features: 2));
        var manifest = TabularTestModel.Manifest(ReferenceManifests.LogisticRegression(features: 2));
        using var tabular = TabularTestModel.Load(ReferenceModels.LogisticRegression(features: 2), ReferenceManifests.LogisticRegression(features: 2));
        using var batcher = DynamicBatcher.TryCreate(model.Model, new ModelBatching { MaxBatchSize = 6, MaxQueueDelayMicroseconds = 1_000_000 })!;
        model.Model.Batcher = batcher;
        var stack = new ServiceStack(model.Model, manifest.ComputeSha256(), manifest);
        var bodies = new[] { Records(rows: 1, seed: 1), Records(rows: 3, seed: 2), Records(rows: 2, seed: 3) };
        var expected = bodies.Select(b => PredictBytes(tabular, b)).ToArray();

        var bad = stack.PredictBytesAsync("""{"instances": [{"f0": 1, "f1": 2}, {"f0": "x", "f1": 2}]}""");
        var answers = await Task.WhenAll(bodies.Select(stack.PredictBytesAsync));

        var error = await Assert.ThrowsAsync<ServingException>(() => bad);
        Assert.Equal(ServingErrorKind.BadRequest, error.Kind);
        Assert.Contains("row 1", error.Message);
        Assert.Equal((1L, 3L), batcher.Counts);
        for (var i = 0; i < bodies.Length; i++)
        {
            Assert.Equal(Encoding.UTF8.GetString(expected[i]), Encoding.UTF8.GetString(answers[i]));
        }
    }

    private static string Records(int rows, int seed)
    {
        var random = new Random(seed);
        var instances = Enumerable.Range(0, rows).Select(_ => new { f0 = MathF.Round((random.NextSingle() * 6) - 3, 3), f1 = MathF.Round((random.NextSingle() * 6) - 3, 3) });
        return JsonSerializer.Serialize(new { instances });
    }

    private static byte[] PredictBytes(TabularTestModel model, string body)
    {
        using var output = new PooledBufferWriter();
        TabularPredictionService.Predict(model.Tabular, model.Model.Model, Encoding.UTF8.GetBytes(body), output);
        return output.WrittenSpan.ToArray();
    }

    private static JsonElement Predict(TabularTestModel model, string body)
    {
        using var output = new PooledBufferWriter();
        TabularPredictionService.Predict(model.Tabular, model.Model.Model, Encoding.UTF8.GetBytes(body), output);
        using var document = JsonDocument.Parse(output.WrittenMemory);
        return document.RootElement.Clone();
    }

    /// <summary>The service over a mocked registry and loader that serve one in-process model.</summary>
    private sealed class ServiceStack
    {
        private readonly TabularPredictionService _service;
        private readonly LoadedModel _model;

        public ServiceStack(LoadedModel model, string? manifestSha256, ModelManifest? manifest)
        {
            _model = model;
            Loader.Setup(l => l.LoadAsync(It.IsAny<ModelVersion>(), It.IsAny<CancellationToken>())).ReturnsAsync(model);
            Replace(manifestSha256, manifest);
            var options = Options.Create(new ServingOptions { ResolutionCacheSeconds = 0 });
            var sessions = new ModelSessionCache(Loader.Object, options, TimeProvider.System, NullLogger<ModelSessionCache>.Instance);
            _service = new TabularPredictionService(new TabularModelLeaser(new ModelResolver(Registry.Object, options, TimeProvider.System), sessions, Registry.Object));
        }

        public Mock<IModelRegistry> Registry { get; } = new();

        public Mock<IModelLoader> Loader { get; } = new();

        /// <summary>Serves the version with another manifest, as after a delete and re-register of the same bytes.</summary>
        public void Replace(string? manifestSha256, ModelManifest? manifest)
        {
            var version = _model.Version with { ManifestSha256 = manifestSha256 };
            Registry.Setup(r => r.GetVersionAsync(TestModel.Name, TestModel.VersionName, It.IsAny<CancellationToken>())).ReturnsAsync(version);
            Registry.Setup(r => r.GetManifestAsync(It.Is<ModelVersion>(v => v.ManifestSha256 == manifestSha256), It.IsAny<CancellationToken>())).ReturnsAsync(manifest);
        }

        public async Task<JsonElement> PredictAsync(string body)
        {
            using var document = JsonDocument.Parse(await PredictBytesAsync(body));
            return document.RootElement.Clone();
        }

        public async Task<byte[]> PredictBytesAsync(string body)
        {
            using var output = new PooledBufferWriter();
            await _service.PredictAsync(TestModel.Name, TestModel.VersionName, Encoding.UTF8.GetBytes(body), output, CancellationToken.None);
            return output.WrittenSpan.ToArray();
        }
    }
}
