using System.Text;
using System.Text.Json;
using Serverless.Core.Buffers;
using Serverless.Core.Models;
using Serverless.Core.Monitoring.Logging;
using Serverless.Core.Monitoring.Logging.Blocks;
using Serverless.Core.Serving;
using Serverless.Core.Tabular;
using Serverless.Tests.Support;
using Serverless.Tests.Tabular;
using Serverless.TestModels;

namespace Serverless.Tests.Monitoring.Logging;

/// <summary>Requests served in-process with a capture, packed into blocks and read back as records.</summary>
public sealed class InferenceLogBlockRecordsTests
{
    [Fact]
    public void Tabular_EachRowCarriesTheBatchsFeatureValuesAndItsPrediction()
    {
        using var model = TabularTestModel.Load(ReferenceModels.PerFeatureBinaryClassifier(), ReferenceManifests.PerFeatureBinary());
        using var harness = new LoggingHarness();
        var capture = harness.Logger.Begin(InferenceLogSource.Predict, TestModel.Name, null, "req-7");
        using var output = new PooledBufferWriter();

        TabularPredictionService.Predict(model.Tabular, model.Model.Model,
            Encoding.UTF8.GetBytes("""{"instances": [{"age": 25, "city": "Oslo"}, {"age": 61.5, "city": "Bergen"}]}"""), output, capture);
        harness.Logger.Complete(capture);
        var records = ReadBack(harness, capture);

        using var response = JsonDocument.Parse(output.WrittenMemory);
        var predictions = response.RootElement.GetProperty("predictions");
        Assert.Equal(2, records.Count);
        Assert.Equal([0, 1], records.Select(r => r.Row));
        Assert.All(records, r => Assert.Equal("req-7", r.RequestId));
        Assert.All(records, r => Assert.Equal(TestModel.VersionName, r.Version));
        Assert.All(records, r => Assert.Equal(InferenceLogStatus.Ok, r.Status));
        Assert.All(records, r => Assert.Equal(InferenceLogSource.Predict, r.Source));
        Assert.Equal(25, records[0].Features["age"].GetDouble());
        Assert.Equal("Oslo", records[0].Features["city"].GetString());
        Assert.Equal(61.5, records[1].Features["age"].GetDouble());
        Assert.Equal("Bergen", records[1].Features["city"].GetString());
        for (var r = 0; r < 2; r++)
        {
            Assert.Equal(predictions[r].GetProperty("label").GetString(), records[r].Label);
            Assert.Equal(predictions[r].GetProperty("probability").GetDouble(), records[r].Probability);
            Assert.Equal(predictions[r].GetProperty("scores").EnumerateArray().Select(s => s.GetDouble()),
                records[r].Outputs!["scores"].EnumerateArray().Select(s => s.GetDouble()));
        }
    }

    [Fact]
    public void MirrorCopy_ReadsBackMarkedUnderThePrimarysRequestId_AndAPrimaryUnmarked()
    {
        using var model = TabularTestModel.Load(ReferenceModels.PerFeatureBinaryClassifier(), ReferenceManifests.PerFeatureBinary());
        using var harness = new LoggingHarness();
        var body = Encoding.UTF8.GetBytes("""{"instances": [{"age": 25, "city": "Oslo"}]}""");
        var primary = harness.Logger.Begin(InferenceLogSource.Predict, TestModel.Name, null, "req-9");
        var mirror = harness.Logger.Begin(InferenceLogSource.Predict, TestModel.Name, null, "req-9", mirror: true);
        foreach (var capture in new[] { primary, mirror })
        {
            using var output = new PooledBufferWriter();
            TabularPredictionService.Predict(model.Tabular, model.Model.Model, body, output, capture);
            harness.Logger.Complete(capture);
        }

        var blocks = new InferenceLogBlocks(harness.Options.TablePrefix, harness.Options.Shards);
        while (harness.Buffer.TryRead(out var completed))
        {
            blocks.Add(completed);
        }

        var records = blocks.TakeAll().SelectMany(b => InferenceLogBlockFormat.ReadRecords(b.Entity)).ToList();

        Assert.Equal(2, records.Count);
        Assert.All(records, r => Assert.Equal("req-9", r.RequestId));
        Assert.Equal([false, true], records.Select(r => r.Mirror).Order());
    }

    [Fact]
    public void Tabular_MissingValuesAreNull()
    {
        using var harness = new LoggingHarness();
        var capture = Captures.Tabular(harness.Logger, "m", 2, city: null);
        harness.Logger.Complete(capture);

        var records = ReadBack(harness, capture);

        Assert.Equal(JsonValueKind.Null, records[1].Features["age"].ValueKind);
        Assert.Equal(JsonValueKind.Null, records[0].Features["city"].ValueKind);
        Assert.Equal(20, records[0].Features["age"].GetDouble());
    }

    [Fact]
    public void Oip_TwoDimensionalInput_LogsX0ToXfPerRowAndTheFirstOutput()
    {
        using var model = TestModel.Load(ReferenceModels.LogisticRegression(features: 3));
        using var harness = new LoggingHarness();
        var capture = harness.Logger.Begin(InferenceLogSource.Infer, TestModel.Name, null, "header-id");
        using var output = new PooledBufferWriter();

        InferenceService.Infer(model.Model, Encoding.UTF8.GetBytes(
            InferJson.Request(InferJson.Input("input", "FP32", [2, 3], "[[0.5, -1, 2], [0.1, 0.2, 0.3]]"))), output, capture);
        harness.Logger.Complete(capture);
        var records = ReadBack(harness, capture);

        using var response = JsonDocument.Parse(output.WrittenMemory);
        var probabilities = ResponseJson.Floats(ResponseJson.Output(response.RootElement, "probability"));
        Assert.Equal("header-id", response.RootElement.GetProperty("id").GetString());
        Assert.Equal(2, records.Count);
        Assert.Equal(["x0", "x1", "x2"], records[0].Features.Keys);
        Assert.Equal([0.5f, -1f, 2f], records[0].Features.Values.Select(v => v.GetSingle()));
        Assert.Equal([0.1f, 0.2f, 0.3f], records[1].Features.Values.Select(v => v.GetSingle()));
        for (var r = 0; r < 2; r++)
        {
            Assert.Equal(probabilities[r], (float)records[r].Value!.Value);
            Assert.Equal(probabilities[r], records[r].Outputs!["probability"].GetSingle());
            Assert.Equal("header-id", records[r].RequestId);
            Assert.Equal(InferenceLogSource.Infer, records[r].Source);
        }
    }

    [Fact]
    public void Oip_BinaryRequestAndBinaryOutput_LogTheSameRecordsAsJson()
    {
        using var model = TestModel.Load(ReferenceModels.PerFeatureBinaryClassifier());
        using var harness = new LoggingHarness();
        var json = InferJson.Request(InferJson.Input("age", "FP32", [2, 1], "[[18],[64.5]]"), InferJson.Input("city", "BYTES", [2, 1], """[["Bergen"],["Oslo"]]"""));
        var binary = BinaryInfer.Body(
            """{"id":"req-b","parameters":{"binary_data_output":true},"inputs":[""" + BinaryInfer.Input("age", "FP32", [2, 1], 8) + "," +
            BinaryInfer.Input("city", "BYTES", [2, 1], 18) + "]}", BinaryInfer.Floats(18, 64.5f), BinaryInfer.Strings("Bergen", "Oslo"));

        var records = new List<List<InferenceLogRecord>>();
        foreach (var (body, headerLength, id) in new[] { (Encoding.UTF8.GetBytes(json.Insert(1, "\"id\":\"req-b\",")), -1L, "j"), (binary.Body, binary.HeaderLength, "b") })
        {
            var capture = harness.Logger.Begin(InferenceLogSource.Infer, TestModel.Name, null, id);
            using var output = new PooledBufferWriter();
            InferenceService.Infer(model.Model, body, output, capture, headerLength: headerLength);
            harness.Logger.Complete(capture);
            records.Add(ReadBack(harness, capture));
        }

        Assert.Equal(2, records[1].Count);
        Assert.All(records[1], r => Assert.Equal("req-b", r.RequestId));
        Assert.Equal(records[0].Select(Describe), records[1].Select(Describe));
    }

    [Fact]
    public void Oip_PerFeatureInputs_AreNamedByInputAndTheBodyIdIsTheRequestId()
    {
        using var model = TestModel.Load(ReferenceModels.PerFeatureBinaryClassifier());
        using var harness = new LoggingHarness();
        var capture = harness.Logger.Begin(InferenceLogSource.Infer, TestModel.Name, null, "header-id");
        using var output = new PooledBufferWriter();

        var request = InferJson.Request(
            InferJson.Input("age", "FP32", [2, 1], "[[18],[64.5]]"),
            InferJson.Input("city", "BYTES", [2, 1], """[["Bergen"],["Oslo"]]"""));
        InferenceService.Infer(model.Model, Encoding.UTF8.GetBytes(request.Insert(1, "\"id\":\"body-id\",")), output, capture);
        harness.Logger.Complete(capture);
        var records = ReadBack(harness, capture);

        Assert.All(records, r => Assert.Equal("body-id", r.RequestId));
        Assert.Equal(["age", "city"], records[0].Features.Keys);
        Assert.Equal(64.5, records[1].Features["age"].GetDouble());
        Assert.Equal("Bergen", records[0].Features["city"].GetString());
    }

    [Fact]
    public void Oip_InputsThatAreNotRowAligned_AreSummarisedInOneRecord()
    {
        using var model = TestModel.Load(ReferenceModels.ReshapeModel());
        using var harness = new LoggingHarness();
        var capture = harness.Logger.Begin(InferenceLogSource.Infer, TestModel.Name, null, null);
        using var output = new PooledBufferWriter();

        InferenceService.Infer(model.Model, Encoding.UTF8.GetBytes(InferJson.Request(
            InferJson.Input("x", "FP32", [1, 6], "[[1, 2, 3, 4, 5, 6]]"),
            InferJson.Input("shape", "INT64", [2], "[2, 3]"))), output, capture);
        harness.Logger.Complete(capture);
        var record = Assert.Single(ReadBack(harness, capture));

        Assert.Equal(0, record.Row);
        Assert.Equal("[1,6]", record.Features["x.shape"].GetString());
        Assert.Equal("FP32", record.Features["x.dtype"].GetString());
        Assert.Equal(1, record.Features["x.min"].GetDouble());
        Assert.Equal(6, record.Features["x.max"].GetDouble());
        Assert.Equal(3.5, record.Features["x.mean"].GetDouble());
        Assert.Equal("[2]", record.Features["shape.shape"].GetString());
        Assert.Equal("y", record.Outputs!["name"].GetString());
        Assert.Equal("[2,3]", record.Outputs["shape"].GetString());
        Assert.Equal(6, record.Outputs["count"].GetDouble());
    }

    [Fact]
    public void Features_PastThePropertyBudget_AreCutToValidJsonAndFlagged()
    {
        var schema = new FeatureSchema(Enumerable.Range(0, 40).Select(i => new FeatureSpec($"text{i}", FeatureType.Categorical)).ToList());
        var batch = new FeatureBatch(schema, 1);
        Assert.True(batch.AddRow(Enumerable.Range(0, 40).ToDictionary(i => $"text{i}", i => (string?)new string((char)('a' + (i % 26)), 1_000))));
        using var harness = new LoggingHarness();
        var capture = harness.Logger.Begin(InferenceLogSource.Predict, "wide", null, null);
        capture.EnsureRequestId();
        capture.RecordTabular(Captures.Version("wide"), batch, [new TabularPrediction { Value = 1.5 }]);
        harness.Logger.Complete(capture);

        var record = Assert.Single(ReadBack(harness, capture));

        var json = JsonSerializer.Serialize(record.Features);
        Assert.True(Encoding.UTF8.GetByteCount(json) <= InferenceLogRecordJson.MaxJsonBytes);
        Assert.True(record.Truncated);
        Assert.InRange(record.Features.Count, 25, 39);
        Assert.Equal(Enumerable.Range(0, record.Features.Count).Select(i => $"text{i}"), record.Features.Keys);
        Assert.Equal(1.5, record.Value);
    }

    [Fact]
    public void ErrorRecord_IsRowMinusOneWithTheMessageAndTheVersionAskedFor()
    {
        using var harness = new LoggingHarness();
        var capture = harness.Logger.Begin(InferenceLogSource.Predict, "m", "4", "r-1");
        harness.Logger.Fail(capture, new InvalidOperationException("boom"));

        var record = Assert.Single(ReadBack(harness, capture));

        Assert.Equal(-1, record.Row);
        Assert.True(record.IsError);
        Assert.Equal("InvalidOperationException: boom", record.Error);
        Assert.Equal("4", record.Version);
        Assert.Equal("r-1", record.RequestId);
        Assert.Empty(record.Features);
    }

    /// <summary>A record's row, request id, features and outputs as text.</summary>
    private static string Describe(InferenceLogRecord record) =>
        $"{record.Row} {record.RequestId} {JsonSerializer.Serialize(record.Features)} {JsonSerializer.Serialize(record.Outputs)} {record.Value} {record.Status}";

    private static List<InferenceLogRecord> ReadBack(LoggingHarness harness, InferenceLogCapture capture)
    {
        var blocks = new InferenceLogBlocks(harness.Options.TablePrefix, harness.Options.Shards);
        while (harness.Buffer.TryRead(out var completed))
        {
            Assert.Equal((0, null), blocks.Add(completed));
        }

        var written = blocks.TakeAll();
        Assert.All(written, b => Assert.Equal(InferenceLogKeys.TableName(harness.Options.TablePrefix, capture.TimestampUtc), b.Table));
        var records = written.SelectMany(b => InferenceLogBlockFormat.ReadRecords(b.Entity)).ToList();
        Assert.All(records, r => Assert.Equal(capture.TimestampUtc, r.TimestampUtc));
        Assert.All(records, r => Assert.Equal(capture.Model, r.Model));
        Assert.All(records, r => Assert.True(r.LatencyMs >= 0));
        return records;
    }

    [Fact]
    public void RecordsWithDifferentFeaturesInOneBlock_EachReadBackWithTheirOwnNames()
    {
        using var harness = new LoggingHarness();
        Captures.Complete(harness.Logger, "m", 2, "two-features");
        var schema = new FeatureSchema([new FeatureSpec("height", FeatureType.Numeric)]);
        var batch = new FeatureBatch(schema, 1);
        Assert.True(batch.AddRow(new Dictionary<string, string?> { ["height"] = "1.8" }));
        var other = harness.Logger.Begin(InferenceLogSource.Predict, "m", null, "one-feature");
        other.RecordTabular(Captures.Version("m"), batch, [new TabularPrediction { Value = 3 }]);
        harness.Logger.Complete(other);
        Captures.Complete(harness.Logger, "m", 1, "two-features-again");

        var blocks = new InferenceLogBlocks(harness.Options.TablePrefix, shards: 1);
        while (harness.Buffer.TryRead(out var completed))
        {
            blocks.Add(completed);
        }

        var records = InferenceLogBlockFormat.ReadRecords(Assert.Single(blocks.TakeAll()).Entity);

        Assert.Equal(["two-features", "two-features", "one-feature", "two-features-again"], records.Select(r => r.RequestId));
        Assert.Equal(["age", "city"], records[1].Features.Keys);
        Assert.Equal(["height"], records[2].Features.Keys);
        Assert.Equal(1.8, records[2].Features["height"].GetDouble());
        Assert.False(records[2].Features.ContainsKey("age"));
        Assert.Equal(["age", "city"], records[3].Features.Keys);
        Assert.Equal("Oslo", records[3].Features["city"].GetString());
    }

    [Fact]
    public void ErrorTextWithALoneSurrogate_IsWrittenReplacedAndTheBlockStaysReadable()
    {
        using var harness = new LoggingHarness();
        Captures.Complete(harness.Logger, "m", 2, "good-1");
        harness.Logger.Fail(harness.Logger.Begin(InferenceLogSource.Predict, "m", null, "bad"), new InvalidOperationException("x" + '\ud800'));
        Captures.Complete(harness.Logger, "m", 1, "good-2");
        var blocks = new InferenceLogBlocks(harness.Options.TablePrefix, shards: 1);

        var failures = new List<int>();
        while (harness.Buffer.TryRead(out var completed))
        {
            failures.Add(blocks.Add(completed).Failed);
        }

        var records = blocks.TakeAll().SelectMany(b => InferenceLogBlockFormat.ReadRecords(b.Entity)).ToList();
        Assert.Equal([0, 0, 0], failures);
        Assert.Equal(["good-1", "good-1", "bad", "good-2"], records.Select(r => r.RequestId));
        Assert.Equal("InvalidOperationException: x\ufffd", records[2].Error);
    }
}
