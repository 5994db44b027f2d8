using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Serverless.Core.Errors;
using Serverless.Core.Models;
using Serverless.Core.Tabular;
using Serverless.Tests.Support;
using Serverless.TestModels;

namespace Serverless.Tests.Tabular;

public sealed class PredictionDecodingTests
{
    private const string TwoPeople = """{"instances": [{"age": 30, "city": "Oslo"}, {"age": 70, "city": "Trondheim"}]}""";

    [Fact]
    public void Binary_ProbabilityMatrix_LabelsByThresholdWithTheChosenLabelsProbability()
    {
        using var model = TabularTestModel.Load(ReferenceModels.PerFeatureBinaryClassifier(), ReferenceManifests.PerFeatureBinary("probabilities"));

        var predictions = model.Predict(TwoPeople);

        var expected = DirectProbabilities(model, [30, 70], ["Oslo", "Trondheim"], "probabilities");
        Assert.Equal(["no", "yes"], predictions.Select(p => p.Label));
        Assert.All(predictions, p => Assert.False(p.LabelIsNumber));
        Assert.Equal([(double)expected[0], expected[1]], predictions[0].Scores!);
        Assert.Equal([(double)expected[2], expected[3]], predictions[1].Scores!);
        Assert.Equal((double)expected[0], predictions[0].Probability);
        Assert.Equal((double)expected[3], predictions[1].Probability);
        Assert.True(expected[0] > 0.5f && expected[3] > 0.5f);
    }

    [Fact]
    public void Binary_PositiveClassColumn_GivesTheSameScoresAsTheMatrixAndHonoursTheThreshold()
    {
        using var matrix = TabularTestModel.Load(ReferenceModels.PerFeatureBinaryClassifier(), ReferenceManifests.PerFeatureBinary("probabilities"));
        using var column = TabularTestModel.Load(ReferenceModels.PerFeatureBinaryClassifier(), ReferenceManifests.PerFeatureBinary("probability"));
        using var strict = TabularTestModel.Load(ReferenceModels.PerFeatureBinaryClassifier(), ReferenceManifests.PerFeatureBinary("probability", threshold: 0.95));

        var fromMatrix = matrix.Predict(TwoPeople);
        var fromColumn = column.Predict(TwoPeople);
        var fromStrict = strict.Predict(TwoPeople);

        for (var r = 0; r < 2; r++)
        {
            Assert.Equal(fromMatrix[r].Label, fromColumn[r].Label);
            Assert.Equal(fromMatrix[r].Scores!, fromColumn[r].Scores!);
        }

        Assert.Equal(["no", "no"], fromStrict.Select(p => p.Label));
        Assert.Equal(fromColumn[1].Scores![0], fromStrict[1].Probability);
    }

    [Fact]
    public void Binary_WithoutClassLabels_LabelsAreTheClassIndexesAsNumbers()
    {
        using var model = TabularTestModel.Load(ReferenceModels.LogisticRegression(features: 2), ReferenceManifests.LogisticRegression(features: 2));

        var predictions = model.Predict("""{"instances": [{"f0": 5, "f1": 5}, {"f0": -5, "f1": -5}]}""");

        Assert.All(predictions, p => Assert.True(p.LabelIsNumber));
        Assert.Equal(2, predictions.Select(p => p.Label).Distinct().Count());
        Assert.All(predictions, p => Assert.Contains(p.Label, new[] { "0", "1" }));
        Assert.All(predictions, p => Assert.Equal(p.Scores![p.Label == "1" ? 1 : 0], p.Probability));
    }

    [Fact]
    public void Multiclass_ZipMapOutput_ScoresFollowClassLabelsNotTheMapsAlphabeticalOrder()
    {
        using var zipMap = TabularTestModel.Load(ReferenceModels.ZipMapMulticlassClassifier(), ReferenceManifests.ZipMapMulticlass("output_probability"));
        const string body = """{"instances": [{"x0": 1, "x1": 0, "x2": 0}, {"x0": 0, "x1": 1, "x2": 0}, {"x0": 0, "x1": 0, "x2": 1}]}""";

        var predictions = zipMap.Predict(body);

        var tensor = DirectOutput(zipMap.Model, "input", "FP64", [3, 3], "[[1,0,0],[0,1,0],[0,0,1]]", "probabilities");
        for (var r = 0; r < 3; r++)
        {
            var row = tensor.Skip(r * 3).Take(3).Select(v => (double)v).ToArray();
            Assert.Equal(row, predictions[r].Scores!);
            var best = Array.IndexOf(row, row.Max());
            Assert.Equal(ReferenceModels.Animals[best], predictions[r].Label);
            Assert.Equal(row[best], predictions[r].Probability);
        }

        Assert.True(predictions.Select(p => p.Label).Distinct().Count() > 1);
    }

    [Fact]
    public void Multiclass_LabelOutputOnly_NamesTheClassIndexWithClassLabels()
    {
        using var withProbabilities = TabularTestModel.Load(ReferenceModels.ZipMapMulticlassClassifier(), ReferenceManifests.ZipMapMulticlass("probabilities"));
        using var labelOnly = TabularTestModel.Load(ReferenceModels.ZipMapMulticlassClassifier(), ReferenceManifests.ZipMapMulticlass(probabilityOutput: null));
        const string body = """{"instances": [{"x0": 1, "x1": 0, "x2": 0}, {"x0": 0, "x1": 1, "x2": 0}, {"x0": 0.5, "x1": 2, "x2": -1}]}""";

        var expected = withProbabilities.Predict(body);
        var actual = labelOnly.Predict(body);

        Assert.Equal(expected.Select(p => p.Label), actual.Select(p => p.Label));
        Assert.All(actual, p => Assert.Null(p.Probability));
        Assert.All(actual, p => Assert.Null(p.Scores));
    }

    [Fact]
    public void ZipMapWithIntegerKeys_WithoutClassLabels_LabelsAreTheKeysAsNumbers()
    {
        var manifest = TabularTestModel.Manifest("""
            {"task": "multiclass", "features": [{"name": "a", "type": "numeric"}], "inputs": {"layout": "tensor", "name": "x"},
             "outputs": {"probability": "zipmap"}}
            """);
        var tabular = TabularModel.Bind(manifest, [new TensorSpec("x", "FP32", [-1, 1])], [new TensorSpec("zipmap", "BYTES", [-1])]);
        using var zipMap = Sequence(
            OrtValue.CreateMap(new long[] { 3, 7, 9 }, new[] { 0.2f, 0.5f, 0.3f }),
            OrtValue.CreateMap(new long[] { 3, 7, 9 }, new[] { 0.6f, 0.1f, 0.3f }));

        var predictions = tabular.ReadPredictions(["zipmap"], [zipMap], rowCount: 2);

        Assert.Equal(["7", "3"], predictions.Select(p => p.Label));
        Assert.All(predictions, p => Assert.True(p.LabelIsNumber));
        Assert.Equal([0.2f, 0.5f, 0.3f], predictions[0].Scores!.Select(s => (float)s));
        Assert.Equal(0.6f, (float)predictions[1].Probability!.Value);
    }

    [Fact]
    public void ZipMapWithIntegerKeys_WithClassLabels_NamesKeysByPosition()
    {
        var manifest = TabularTestModel.Manifest("""
            {"task": "binary", "features": [{"name": "a", "type": "numeric"}], "inputs": {"layout": "tensor", "name": "x"},
             "outputs": {"probability": "zipmap"}, "class_labels": ["stay", "churn"], "threshold": 0.3}
            """);
        var tabular = TabularModel.Bind(manifest, [new TensorSpec("x", "FP32", [-1, 1])], [new TensorSpec("zipmap", "BYTES", [-1])]);
        using var zipMap = Sequence(OrtValue.CreateMap(new long[] { 0, 1 }, new[] { 0.65f, 0.35f }));

        var prediction = Assert.Single(tabular.ReadPredictions(["zipmap"], [zipMap], rowCount: 1));

        Assert.Equal("churn", prediction.Label);
        Assert.Equal(0.35f, (float)prediction.Probability!.Value);
    }

    [Fact]
    public void Regression_ValueOutput_MatchesTheModelsFormula()
    {
        using var model = TabularTestModel.Load(ReferenceModels.PerFeatureRegression(), ReferenceManifests.PerFeatureRegression());

        var predictions = model.Predict("""{"instances": [{"rooms": 3, "area": 70.5, "district": "south"}, {"rooms": 1, "area": 30, "district": "north"}]}""");

        Assert.Equal([(10 * 3) + (2.5 * 70.5) + 30 + 50, (10 * 1) + (2.5 * 30) + 50], predictions.Select(p => p.Value!.Value));
        Assert.All(predictions, p => Assert.Null(p.Label));
    }

    [Fact]
    public void ReadPredictions_OutputWithOtherRowCount_ThrowsBadRequestNamingTheOutput()
    {
        using var model = TabularTestModel.Load(ReferenceModels.PerFeatureRegression(), ReferenceManifests.PerFeatureRegression());
        using var value = OrtValue.CreateTensorValueFromMemory(new[] { 1f, 2f, 3f }, [3, 1]);

        var error = Assert.Throws<ServingException>(() => model.Tabular.ReadPredictions(["variable"], [value], rowCount: 2));

        Assert.Contains("'variable'", error.Message);
        Assert.Contains("3 rows for 2", error.Message);
    }

    [Fact]
    public void ResponseWriter_Fp32Values_AreWrittenAtFp32Precision()
    {
        using var output = new Serverless.Core.Buffers.PooledBufferWriter();
        TabularPrediction[] predictions =
        [
            new() { Label = "yes", Probability = 0.7f, Scores = [0.3f, 0.7f] },
            new() { Label = "2", LabelIsNumber = true },
            new() { Value = 0.1 },
        ];

        TabularResponseWriter.Write(output, "m", "1", predictions);

        using var json = JsonDocument.Parse(output.WrittenMemory);
        Assert.Equal("""{"label":"yes","probability":0.7,"scores":[0.3,0.7]}""", json.RootElement.GetProperty("predictions")[0].GetRawText());
        Assert.Equal(JsonValueKind.Number, json.RootElement.GetProperty("predictions")[1].GetProperty("label").ValueKind);
        Assert.Equal(0.1, json.RootElement.GetProperty("predictions")[2].GetProperty("value").GetDouble());
    }

    private static float[] DirectProbabilities(TabularTestModel model, float[] ages, string[] cities, string output)
    {
        var request = InferJson.Request(
            InferJson.Input("age", "FP32", [ages.Length, 1], JsonSerializer.Serialize(ages)),
            InferJson.Input("city", "BYTES", [cities.Length, 1], JsonSerializer.Serialize(cities)));
        return ResponseJson.Floats(ResponseJson.Output(model.Model.Infer(request), output));
    }

    private static float[] DirectOutput(TestModel model, string input, string datatype, long[] shape, string data, string output) =>
        ResponseJson.Floats(ResponseJson.Output(model.Infer(InferJson.Request(InferJson.Input(input, datatype, shape, data))), output));

    private static OrtValue Sequence(params OrtValue[] maps) => OrtValue.CreateSequence(maps.ToList());
}
