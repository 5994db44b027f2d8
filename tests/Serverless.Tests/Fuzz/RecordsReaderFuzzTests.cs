using System.Text;
using System.Text.Json;
using Serverless.Core.Buffers;
using Serverless.Core.Errors;
using Serverless.Core.Serving;
using Serverless.Core.Tabular;
using Serverless.Tests.Tabular;
using Serverless.TestModels;

namespace Serverless.Tests.Fuzz;

/// <summary>
/// Thousands of malformed records bodies, from a fixed seed, through the records API's in-process path (read rows, run,
/// write) of real tabular models: each is answered or refused with a 4xx. The same mutations of single rows go
/// through the JSON Lines row reader, which must refuse a bad row and never throw.
/// </summary>
public sealed class RecordsReaderFuzzTests : IDisposable
{
    private const int Cases = 4_000;

    private readonly List<(TabularTestModel Model, string[] Requests, string[] Rows)> _models = [];

    public RecordsReaderFuzzTests()
    {
        Add(ReferenceModels.PerFeatureBinaryClassifier(), ReferenceManifests.PerFeatureBinary(),
            ["""{"instances":[{"age":42,"city":"Oslo"},{"age":7.5,"city":"Bergen"}]}""",
             """{"dataframe_split":{"index":[0,1],"columns":["city","age"],"data":[["Trondheim",30],["Oslo",0]]}}""",
             """{"dataframe_records":[{"city":"Oslo","age":120}],"params":{"x":1}}"""],
            ["""{"age":42,"city":"Oslo"}""", """{"city":"Bergen","age":1e2}"""]);
        Add(ReferenceModels.PerFeatureBinaryClassifier(), ReferenceManifests.PerFeatureBinary()
                .Replace("\"type\":\"numeric\"", "\"type\":\"numeric\",\"allow_missing\":true")
                .Replace("\"type\":\"categorical\"", "\"type\":\"categorical\",\"allow_missing\":true"),
            ["""{"instances":[{},{"age":null,"city":null},{"age":3}]}""", """{"dataframe_split":{"columns":["age","city"],"data":[[null,null],[1,"Oslo"]]}}"""],
            ["""{}""", """{"age":null}"""]);
        Add(ReferenceModels.PerFeatureRegression(), ReferenceManifests.PerFeatureRegression(),
            ["""{"instances":[{"rooms":3,"area":70.5,"district":"south"},{"district":"north","area":30,"rooms":1}]}""",
             """{"dataframe_split":{"columns":["area","district","rooms"],"data":[[70.5,"south",3],[30,"north",1]]}}"""],
            ["""{"rooms":3,"area":70.5,"district":"south"}"""]);
        Add(ReferenceModels.ZipMapMulticlassClassifier(), ReferenceManifests.ZipMapMulticlass(),
            ["""{"instances":[{"x0":1,"x1":2,"x2":3}]}""", """{"dataframe_split":{"columns":["x0","x1","x2"],"data":[[1,2,3],[0.5,-1,1e10]]}}"""],
            ["""{"x0":1,"x1":2,"x2":3}"""]);
        Add(ReferenceModels.LogisticRegression(features: 3), ReferenceManifests.LogisticRegression(features: 3),
            ["""{"instances":[{"f0":1,"f1":2,"f2":3},{"f2":0,"f1":0,"f0":0}]}"""],
            ["""{"f0":1,"f1":2,"f2":3}"""]);
    }

    public void Dispose()
    {
        foreach (var (model, _, _) in _models)
        {
            model.Dispose();
        }
    }

    [Fact]
    public void Predict_ThousandsOfMalformedBodies_AreAnsweredOrRefusedWithA4xx()
    {
        var seed = FuzzRun.Seed;
        var random = new Random(seed);
        var generators = _models.Select(m => (m.Model, Requests: new MalformedJson(random, m.Requests, Words(m.Model)), Rows: new MalformedJson(random, m.Rows, Words(m.Model)))).ToList();

        FuzzRun.Run("records", seed, Cases, () =>
        {
            var (model, requests, rows) = generators[random.Next(generators.Count)];
            if (random.Next(4) == 0)
            {
                var (rowKind, row) = rows.Next();
                return new FuzzCase($"JSON Lines row, features {string.Join(",", model.Tabular.Schema.Features.Select(f => f.Name))}", b => AddJsonRow(model, b), rowKind, row);
            }

            var (kind, body) = requests.Next();
            return new FuzzCase($"predict, features {string.Join(",", model.Tabular.Schema.Features.Select(f => f.Name))}", b => Predict(model, b), kind, body);
        });
    }

    [Fact]
    public void Predict_ValidSeedBodies_AreAnswered()
    {
        foreach (var (model, requests, rows) in _models)
        {
            foreach (var body in requests)
            {
                Assert.NotEmpty(model.Predict(body));
            }

            foreach (var row in rows)
            {
                Assert.True(model.Tabular.CreateBatch().AddJsonRow(Encoding.UTF8.GetBytes(row)), row);
            }
        }
    }

    private static void Predict(TabularTestModel model, byte[] body)
    {
        using var output = new PooledBufferWriter();
        TabularPredictionService.Predict(model.Tabular, model.Model.Model, body, output);
        using var response = JsonDocument.Parse(output.WrittenMemory);
    }

    private static void AddJsonRow(TabularTestModel model, byte[] row)
    {
        var batch = model.Tabular.CreateBatch(unknownFeatures: UnknownFeatures.Ignore);
        try
        {
            batch.AddJsonRow(row);
        }
        catch (ServingException e)
        {
            throw new InvalidOperationException($"AddJsonRow threw instead of refusing the row: {e.Message}", e);
        }
    }

    private static string[] Words(TabularTestModel model) =>
    [
        .. model.Tabular.Schema.Features.Select(f => f.Name), .. ReferenceModels.Cities, .. ReferenceModels.Districts,
        "instances", "dataframe_split", "dataframe_records", "columns", "data", "index", "",
    ];

    private void Add(byte[] onnx, string manifest, string[] requests, string[] rows) => _models.Add((TabularTestModel.Load(onnx, manifest), requests, rows));
}
