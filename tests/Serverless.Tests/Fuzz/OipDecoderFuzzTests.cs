using System.Text.Json;
using Serverless.Core.Buffers;
using Serverless.Core.Serving;
using Serverless.Tests.Support;
using Serverless.TestModels;

namespace Serverless.Tests.Fuzz;

/// <summary>
/// Thousands of malformed OIP infer bodies, from a fixed seed, through the whole in-process serving path (parse, run,
/// write) of real models: each is answered (with a well-formed JSON response) or refused with a 4xx, never a server error.
/// </summary>
public sealed class OipDecoderFuzzTests : IDisposable
{
    private const int Cases = 4_000;

    private readonly List<(TestModel Model, string[] Bodies)> _models = [];

    public OipDecoderFuzzTests()
    {
        var fp32Row = InferJson.Input("x", "FP32", [1, 4], "[1,2,3,4]");
        Add(ReferenceModels.AllDatatypesIdentity(),
            IdentityRequests.Build(),
            IdentityRequests.Only("FP32"),
            IdentityRequests.Only("BYTES"),
            IdentityRequests.Only("INT64"),
            "{\"id\":\"req-1\"," + IdentityRequests.Only("BOOL")[1..]);
        Add(ReferenceModels.AddAndMultiply(),
            InferJson.Request(InferJson.Input("a", "FP32", [2, 3], "[[1,2,3],[4,5,6]]"), InferJson.Input("b", "FP32", [2, 3], "[1,2,3,4,5,6]")),
            InferJson.RequestWithOutputs(["sum"], InferJson.Input("a", "FP32", [1, 3], "[1,2,3]"), InferJson.Input("b", "FP32", [1, 3], "[\"NaN\",\"Infinity\",3]")),
            """{"id":"x","parameters":{"content_type":"pb"},"inputs":[{"name":"b","datatype":"FP32","shape":[1,3],"parameters":{"k":[1]},"data":[1,2,3]},{"name":"a","datatype":"FP32","shape":[1,3],"data":[[1,2,3]]}]}""");
        Add(ReferenceModels.ReshapeModel(),
            InferJson.Request(InferJson.Input("x", "FP32", [1, 6], "[1,2,3,4,5,6]"), InferJson.Input("shape", "INT64", [2], "[2,3]")),
            InferJson.Request(InferJson.Input("x", "FP32", [2, 6], "[1,2,3,4,5,6,7,8,9,10,11,12]"), InferJson.Input("shape", "INT64", [2], "[3,4]")));
        Add(ReferenceModels.FixedShape(), InferJson.Request(fp32Row), "{\"id\":null," + InferJson.Request(fp32Row)[1..]);
        Add(ReferenceModels.ZipMapClassifier(),
            InferJson.Request(InferJson.Input("input", "FP32", [2, 3], "[[1,2,3],[3,2,1]]")),
            InferJson.RequestWithOutputs(["output_probability"], InferJson.Input("input", "FP32", [1, 3], "[0.1,0.2,0.3]")));
    }

    public void Dispose()
    {
        foreach (var (model, _) in _models)
        {
            model.Dispose();
        }
    }

    [Fact]
    public void Infer_ThousandsOfMalformedBodies_AreAnsweredOrRefusedWithA4xx()
    {
        var seed = FuzzRun.Seed;
        var random = new Random(seed);
        var generators = _models.Select(m => (m.Model, Generator: new MalformedJson(random, m.Bodies, Words(m.Model)))).ToList();

        FuzzRun.Run("OIP infer", seed, Cases, () =>
        {
            var (model, generator) = generators[random.Next(generators.Count)];
            var (kind, body) = generator.Next();
            return new FuzzCase($"infer, inputs {string.Join(",", model.Model.Inputs.Select(i => i.Name).Take(3))}", b => Infer(model, b), kind, body);
        });
    }

    [Fact]
    public void Infer_ValidSeedBodies_AreAnswered()
    {
        foreach (var (model, bodies) in _models)
        {
            foreach (var body in bodies)
            {
                Assert.True(model.Infer(body).TryGetProperty("outputs", out _), body);
            }
        }
    }

    private static void Infer(TestModel model, byte[] body)
    {
        using var output = new PooledBufferWriter();
        InferenceService.Infer(model.Model, body, output);
        using var response = JsonDocument.Parse(output.WrittenMemory);
    }

    private static string[] Words(TestModel model) =>
    [
        .. model.Model.Inputs.Select(i => i.Name), .. model.Model.OutputNames, .. ReferenceModels.OipDatatypes.Select(d => d.Datatype),
        "inputs", "outputs", "name", "datatype", "shape", "data", "parameters", "binary_data_size", "id", "FP8", "",
    ];

    private void Add(byte[] onnx, params string[] bodies) => _models.Add((TestModel.Load(onnx), bodies));
}
