using System.Text;
using System.Text.Json;
using Serverless.Core.Buffers;
using Serverless.Core.Errors;
using Serverless.Core.Monitoring.Logging;
using Serverless.Core.Monitoring.Logging.Blocks;
using Serverless.Core.Monitoring.Logging.Blocks.Columns;
using Serverless.Core.Serving;
using Serverless.Tests.Support;
using Serverless.Tests.Tabular;
using Serverless.TestModels;

namespace Serverless.Tests.Monitoring.Logging;

/// <summary>
/// Open Inference Protocol requests to a tabular model are logged like its records-API rows (the manifest's feature
/// names, the predictions as /predict reads them); non-tabular tensors are summarised with spread and non-finite counts;
/// failures carry their HTTP status.
/// </summary>
public sealed class OipTabularLoggingTests
{
    [Fact]
    public void Oip_TensorLayoutWithManifest_LogsTheManifestsFeaturesAndThePredictionsPredictWouldLog()
    {
        using var model = TabularTestModel.Load(ReferenceModels.LogisticRegression(features: 3), ReferenceManifests.LogisticRegression(features: 3));
        using var harness = new LoggingHarness();
        var oip = harness.Logger.Begin(InferenceLogSource.Infer, TestModel.Name, null, "oip");
        using (var output = new PooledBufferWriter())
        {
            InferenceService.Infer(model.Model.Model, Encoding.UTF8.GetBytes(
                InferJson.Request(InferJson.Input("input", "FP32", [3, 3], """[[0.5, -1, 2], [0.1, 0.2, 0.3], [1, "NaN", 1]]"""))), output, oip, model.Tabular);
        }

        harness.Logger.Complete(oip);
        var predict = harness.Logger.Begin(InferenceLogSource.Predict, TestModel.Name, null, "predict");
        using (var output = new PooledBufferWriter())
        {
            TabularPredictionService.Predict(model.Tabular, model.Model.Model,
                Encoding.UTF8.GetBytes("""{"instances": [{"f0": 0.5, "f1": -1, "f2": 2}, {"f0": 0.1, "f1": 0.2, "f2": 0.3}]}"""), output, predict);
        }

        harness.Logger.Complete(predict);
        var records = ReadBack(harness);

        var fromOip = records.Where(r => r.RequestId == "oip").ToList();
        var fromPredict = records.Where(r => r.RequestId == "predict").ToList();
        Assert.Equal(3, fromOip.Count);
        Assert.All(fromOip, r => Assert.Equal(InferenceLogSource.Infer, r.Source));
        Assert.Equal(["f0", "f1", "f2"], fromOip[0].Features.Keys);
        Assert.Equal(JsonValueKind.Null, fromOip[2].Features["f1"].ValueKind);
        for (var r = 0; r < 2; r++)
        {
            Assert.Equal(fromPredict[r].Features.Keys, fromOip[r].Features.Keys);
            Assert.Equal(fromPredict[r].Features.Values.Select(v => v.GetRawText()), fromOip[r].Features.Values.Select(v => v.GetRawText()));
            Assert.Equal(fromPredict[r].Label, fromOip[r].Label);
            Assert.NotNull(fromOip[r].Probability);
            Assert.Equal(fromPredict[r].Probability, fromOip[r].Probability);
            Assert.Equal(fromPredict[r].Value, fromOip[r].Value);
        }
    }

    [Fact]
    public void Oip_TensorLayoutWithManifest_RowsGoStraightIntoTheColumnsAsPredictsDo()
    {
        using var model = TabularTestModel.Load(ReferenceModels.LogisticRegression(features: 3), ReferenceManifests.LogisticRegression(features: 3));
        using var harness = new LoggingHarness();
        var oip = harness.Logger.Begin(InferenceLogSource.Infer, TestModel.Name, null, "oip");
        using (var output = new PooledBufferWriter())
        {
            InferenceService.Infer(model.Model.Model, Encoding.UTF8.GetBytes(
                InferJson.Request(InferJson.Input("input", "FP32", [2, 3], """[[0.5, -1, 2], [0.25, 3, 4]]"""))), output, oip, model.Tabular);
        }

        harness.Logger.Complete(oip);
        Assert.True(harness.Buffer.TryRead(out var captured));

        Assert.True(TabularRows.TryMeasure(captured, 0, out _));
        Assert.True(TabularRows.TryMeasure(captured, 1, out _));
    }

    [Fact]
    public void Oip_PerFeatureWithManifest_LogsLabelsProbabilitiesAndScores()
    {
        using var model = TabularTestModel.Load(ReferenceModels.PerFeatureBinaryClassifier(), ReferenceManifests.PerFeatureBinary());
        using var harness = new LoggingHarness();
        var capture = harness.Logger.Begin(InferenceLogSource.Infer, TestModel.Name, null, "per-feature");
        using var output = new PooledBufferWriter();

        InferenceService.Infer(model.Model.Model, Encoding.UTF8.GetBytes(InferJson.Request(
            InferJson.Input("age", "FP32", [2, 1], "[[18],[64.5]]"),
            InferJson.Input("city", "BYTES", [2, 1], """[["Bergen"],["Oslo"]]"""))), output, capture, model.Tabular);
        harness.Logger.Complete(capture);
        var records = ReadBack(harness);

        Assert.Equal(["age", "city"], records[0].Features.Keys);
        Assert.All(records, r => Assert.Contains(r.Label, new[] { "no", "yes" }));
        Assert.All(records, r => Assert.Equal(2, r.Outputs!["scores"].GetArrayLength()));
        Assert.All(records, r => Assert.InRange(r.Probability!.Value, 0.5, 1.0));
    }

    [Fact]
    public void Oip_SummarisedInput_CarriesStandardDeviationAndNonFiniteCounts()
    {
        using var model = TestModel.Load(ReferenceModels.ReshapeModel());
        using var harness = new LoggingHarness();
        var capture = harness.Logger.Begin(InferenceLogSource.Infer, TestModel.Name, null, null);
        using var output = new PooledBufferWriter();

        InferenceService.Infer(model.Model, Encoding.UTF8.GetBytes(InferJson.Request(
            InferJson.Input("x", "FP32", [1, 6], """[[1, 3, "NaN", "Infinity", 5, 7]]"""),
            InferJson.Input("shape", "INT64", [2], "[2, 3]"))), output, capture);
        harness.Logger.Complete(capture);
        var record = Assert.Single(ReadBack(harness));

        Assert.Equal(4, record.Features["x.mean"].GetDouble());
        Assert.Equal(Math.Sqrt(5), record.Features["x.std"].GetDouble(), 6);
        Assert.Equal(1, record.Features["x.nan"].GetDouble());
        Assert.Equal(1, record.Features["x.inf"].GetDouble());
        Assert.Equal(0, record.Features["shape.nan"].GetDouble());
    }

    [Theory]
    [InlineData(400)]
    [InlineData(404)]
    [InlineData(500)]
    public void ErrorRecord_CarriesTheHttpStatusOfTheAnswer(int status)
    {
        using var harness = new LoggingHarness();
        Exception error = status switch
        {
            400 => ServingException.BadRequest("bad"),
            404 => ServingException.ModelNotFound("gone"),
            _ => new InvalidOperationException("boom"),
        };
        harness.Logger.Fail(harness.Logger.Begin(InferenceLogSource.Infer, "m", null, "r"), error);

        Assert.Equal(status, Assert.Single(ReadBack(harness)).StatusCode);
    }

    private static List<InferenceLogRecord> ReadBack(LoggingHarness harness)
    {
        var blocks = new InferenceLogBlocks(harness.Options.TablePrefix, shards: 1);
        while (harness.Buffer.TryRead(out var completed))
        {
            Assert.Equal((0, null), blocks.Add(completed));
        }

        return blocks.TakeAll().SelectMany(b => InferenceLogBlockFormat.ReadRecords(b.Entity)).OrderBy(r => r.TimestampUtc).ThenBy(r => r.Row).ToList();
    }
}
