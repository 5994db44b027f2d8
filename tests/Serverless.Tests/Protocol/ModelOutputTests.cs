using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Serverless.Tests.Support;
using Serverless.TestModels;

namespace Serverless.Tests.Protocol;

public sealed class ModelOutputTests
{
    [Fact]
    public void Infer_LogisticRegression_MatchesADirectOnnxRuntimeRun()
    {
        const int features = 10;
        const int rows = 4;
        using var model = TestModel.Load(ReferenceModels.LogisticRegression(features));
        var random = new Random(42);
        var input = Enumerable.Range(0, rows * features).Select(_ => (random.NextSingle() * 4) - 2).ToArray();

        var response = model.Infer(InferJson.Request(InferJson.Input("input", "FP32", [rows, features], FloatsJson(input))));

        var expected = RunDirectly(model.Model.Session, input, [rows, features], "input", "probability");
        var output = ResponseJson.Output(response, "probability");
        Assert.Equal([(long)rows, 1L], ResponseJson.Shape(output));
        var actual = ResponseJson.Floats(output);
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.InRange(actual[i], expected[i] - 1e-6f, expected[i] + 1e-6f);
            Assert.InRange(actual[i], 0f, 1f);
        }

        // Different rows give different probabilities, so the comparison is not vacuous.
        Assert.True(expected.Distinct().Count() > 1);
    }

    [Fact]
    public void Infer_Mlp_ReturnsOneFiniteValueMatchingADirectRun()
    {
        using var model = TestModel.Load(ReferenceModels.Mlp(inputs: 8, hidden1: 16, hidden2: 16, outputs: 2));
        var input = Enumerable.Range(0, 3 * 8).Select(i => (i % 5) - 2f).ToArray();

        var response = model.Infer(InferJson.Request(InferJson.Input("input", "FP32", [3, 8], FloatsJson(input))));

        var output = ResponseJson.Output(response, "output");
        Assert.Equal([3L, 2L], ResponseJson.Shape(output));
        var expected = RunDirectly(model.Model.Session, input, [3, 8], "input", "output");
        var actual = ResponseJson.Floats(output);
        Assert.All(actual, v => Assert.True(float.IsFinite(v)));
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.InRange(actual[i], expected[i] - 1e-6f, expected[i] + 1e-6f);
        }
    }

    [Fact]
    public void Infer_ZipMapOutput_ReturnsOneJsonObjectPerRowKeyedByClassLabel()
    {
        using var model = TestModel.Load(ReferenceModels.ZipMapClassifier(classes: 3));

        var response = model.Infer(InferJson.RequestWithOutputs(["output_probability"],
            InferJson.Input("input", "FP32", [2, 3], "[[1,2,3],[0,0,5]]")));

        Assert.Equal(["output_probability"], ResponseJson.OutputNames(response));
        var output = ResponseJson.Output(response, "output_probability");
        Assert.Equal("BYTES", output.GetProperty("datatype").GetString());
        Assert.Equal([2L], ResponseJson.Shape(output));
        var rows = ResponseJson.Strings(output);
        Assert.Equal(2, rows.Length);
        float[][] logits = [[1, 2, 3], [0, 0, 5]];
        for (var row = 0; row < rows.Length; row++)
        {
            using var map = System.Text.Json.JsonDocument.Parse(rows[row]);
            var entries = map.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetSingle());
            Assert.Equal(["0", "1", "2"], entries.Keys.Order());
            Assert.InRange(entries.Values.Sum(), 0.9999f, 1.0001f);
            var softmax = Softmax(logits[row]);
            for (var c = 0; c < 3; c++)
            {
                Assert.InRange(entries[c.ToString(CultureInfo.InvariantCulture)], softmax[c] - 1e-6f, softmax[c] + 1e-6f);
            }
        }
    }

    [Fact]
    public void Infer_ZipMapModelWithoutRequestedOutputs_ReturnsTensorAndMapOutputs()
    {
        using var model = TestModel.Load(ReferenceModels.ZipMapClassifier(classes: 4));

        var response = model.Infer(InferJson.Request(InferJson.Input("input", "FP32", [1, 4], "[0,0,0,0]")));

        Assert.Equal(["probabilities", "output_probability"], ResponseJson.OutputNames(response));
        Assert.Equal([0.25f, 0.25f, 0.25f, 0.25f], ResponseJson.Floats(ResponseJson.Output(response, "probabilities")));
        var row = Assert.Single(ResponseJson.Strings(ResponseJson.Output(response, "output_probability")));
        using var map = System.Text.Json.JsonDocument.Parse(row);
        Assert.Equal(4, map.RootElement.EnumerateObject().Count());
    }

    private static float[] RunDirectly(InferenceSession session, float[] input, long[] shape, string inputName, string outputName)
    {
        using var value = OrtValue.CreateTensorValueFromMemory(input, shape);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, [inputName], [value], [outputName]);
        return results[0].GetTensorDataAsSpan<float>().ToArray();
    }

    private static float[] Softmax(float[] logits)
    {
        var max = logits.Max();
        var exps = logits.Select(l => MathF.Exp(l - max)).ToArray();
        var total = exps.Sum();
        return exps.Select(e => e / total).ToArray();
    }

    private static string FloatsJson(float[] values) => "[" + string.Join(",", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture))) + "]";
}
