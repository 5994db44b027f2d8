using System.Text;
using System.Text.Json;
using Serverless.Core.Buffers;
using Serverless.Core.Errors;
using Serverless.Core.Monitoring.Logging;
using Serverless.Core.Monitoring.Logging.Blocks;
using Serverless.Core.Serving;
using Serverless.Core.Tabular;
using Serverless.Tests.Monitoring.Logging;
using Serverless.Tests.Support;
using Serverless.TestModels;

namespace Serverless.Tests.Tabular;

/// <summary>The records API reuses a model's feature batches; a batch goes back once, after the answer and the log's copy.</summary>
public sealed class FeatureBatchPoolTests
{
    [Fact]
    public void Rent_AfterReturn_GivesTheSameBatchEmpty()
    {
        using var model = TabularTestModel.Load(ReferenceModels.LogisticRegression(features: 3), ReferenceManifests.LogisticRegression(features: 3));
        var pool = FeatureBatchPool.For(model.Tabular);
        var batch = pool.Rent();
        batch.AddRecordsJson("""{"instances": [{"f0": 1, "f1": 2, "f2": 3}]}"""u8);

        pool.Return(batch);
        var again = pool.Rent();

        Assert.Same(batch, again);
        Assert.Equal(0, again.RowCount);
        Assert.Empty(again.Errors);
        Assert.Same(pool, FeatureBatchPool.For(model.Tabular));
    }

    [Fact]
    public void Return_BatchThatHeldManyRows_IsNotKept()
    {
        using var model = TabularTestModel.Load(ReferenceModels.LogisticRegression(features: 3), ReferenceManifests.LogisticRegression(features: 3));
        var pool = FeatureBatchPool.For(model.Tabular);
        var batch = pool.Rent();
        var rows = string.Join(",", Enumerable.Repeat("""{"f0": 1, "f1": 2, "f2": 3}""", FeatureBatchPool.MaxPooledRows + 1));
        batch.AddRecordsJson(Encoding.UTF8.GetBytes($$"""{"instances": [{{rows}}]}"""));

        pool.Return(batch);

        Assert.Equal(0, pool.Count);
        Assert.NotSame(batch, pool.Rent());
    }

    [Fact]
    public void Predict_RefusedRequest_DoesNotReturnItsBatch()
    {
        using var model = TabularTestModel.Load(ReferenceModels.LogisticRegression(features: 3), ReferenceManifests.LogisticRegression(features: 3));
        using var output = new PooledBufferWriter();

        Assert.Throws<ServingException>(() => TabularPredictionService.Predict(model.Tabular, model.Model.Model,
            """{"instances": [{"f0": 1, "f1": "x", "f2": 3}]}"""u8, output));

        Assert.Equal(0, FeatureBatchPool.For(model.Tabular).Count);
    }

    [Fact]
    public void Predict_ReusedBatch_EachLoggedRequestKeepsItsOwnRowsAndAnswer()
    {
        using var model = TabularTestModel.Load(ReferenceModels.LogisticRegression(features: 3), ReferenceManifests.LogisticRegression(features: 3));
        using var harness = new LoggingHarness();
        var answers = new List<string>();
        foreach (var (id, body) in new[]
                 {
                     ("a", """{"instances": [{"f0": 0.5, "f1": -1, "f2": 2}, {"f0": 1, "f1": 1, "f2": 1}]}"""),
                     ("b", """{"instances": [{"f0": 3, "f1": 4, "f2": 5}]}"""),
                 })
        {
            var log = harness.Logger.Begin(InferenceLogSource.Predict, TestModel.Name, null, id);
            using var output = new PooledBufferWriter();
            TabularPredictionService.Predict(model.Tabular, model.Model.Model, Encoding.UTF8.GetBytes(body), output, log);
            harness.Logger.Complete(log);
            answers.Add(Encoding.UTF8.GetString(output.WrittenSpan));
        }

        var blocks = new InferenceLogBlocks(harness.Options.TablePrefix, shards: 1);
        while (harness.Buffer.TryRead(out var completed))
        {
            Assert.Equal((0, null), blocks.Add(completed));
        }

        var records = blocks.TakeAll().SelectMany(b => InferenceLogBlockFormat.ReadRecords(b.Entity)).ToList();
        Assert.Equal(1, FeatureBatchPool.For(model.Tabular).Count);
        var a = records.Where(r => r.RequestId == "a").OrderBy(r => r.Row).ToList();
        var b = Assert.Single(records, r => r.RequestId == "b");
        Assert.Equal([0.5, -1, 2], a[0].Features.Values.Select(v => v.GetDouble()));
        Assert.Equal([1.0, 1, 1], a[1].Features.Values.Select(v => v.GetDouble()));
        Assert.Equal([3.0, 4, 5], b.Features.Values.Select(v => v.GetDouble()));
        Assert.Equal(2, JsonDocument.Parse(answers[0]).RootElement.GetProperty("predictions").GetArrayLength());
        Assert.Equal(1, JsonDocument.Parse(answers[1]).RootElement.GetProperty("predictions").GetArrayLength());
    }
}
