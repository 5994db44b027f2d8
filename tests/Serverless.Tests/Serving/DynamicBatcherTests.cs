using System.Globalization;
using System.Text;
using Serverless.Core.Errors;
using Serverless.Core.Protocol;
using Serverless.Core.Serving.Batching;
using Serverless.Tests.Support;
using Serverless.TestModels;

namespace Serverless.Tests.Serving;

/// <summary>Dynamic batching on real sessions: merged runs answer exactly what single runs do, and one bad request harms no batch-mate.</summary>
public sealed class DynamicBatcherTests
{
    private static readonly ModelBatching WaitForFour = new() { MaxBatchSize = 4, MaxQueueDelayMicroseconds = 1_000_000 };

    [Fact]
    public async Task FourConcurrentRequests_RunAsOneBatch_AndEachGetsExactlyItsSingleRunAnswer()
    {
        using var model = TestModel.Load(ReferenceModels.Mlp(inputs: 8, hidden1: 16, hidden2: 16, outputs: 2));
        using var batcher = DynamicBatcher.TryCreate(model.Model, WaitForFour)!;
        var bodies = Enumerable.Range(0, 4).Select(i => MlpBody(rows: 1, seed: i)).ToArray();
        var expected = bodies.Select(b => RunAlone(model, b)).ToArray();

        var requests = bodies.Select(b => InferRequestParser.Parse(b, model.Model)).ToArray();
        var answers = await Task.WhenAll(requests.Select(r => batcher.RunAsync(r, model.Model.OutputNames).AsTask()));

        Assert.Equal((1L, 4L), batcher.Counts);
        for (var i = 0; i < answers.Length; i++)
        {
            using var answer = answers[i];
            Assert.Equal([1L, 2L], answer.Single().GetTensorTypeAndShape().Shape);
            Assert.Equal(expected[i], answer.Single().GetTensorDataAsSpan<float>().ToArray());
            requests[i].Dispose();
        }
    }

    [Fact]
    public async Task RequestsOfSeveralRows_AreCutBackAtTheirOwnRows()
    {
        using var model = TestModel.Load(ReferenceModels.Mlp(inputs: 8, hidden1: 16, hidden2: 16, outputs: 2));
        using var batcher = DynamicBatcher.TryCreate(model.Model, new ModelBatching { MaxBatchSize = 6, MaxQueueDelayMicroseconds = 1_000_000 })!;
        var bodies = new[] { MlpBody(rows: 1, seed: 10), MlpBody(rows: 3, seed: 11), MlpBody(rows: 2, seed: 12) };
        var expected = bodies.Select(b => RunAlone(model, b)).ToArray();

        var requests = bodies.Select(b => InferRequestParser.Parse(b, model.Model)).ToArray();
        var answers = await Task.WhenAll(requests.Select(r => batcher.RunAsync(r, model.Model.OutputNames).AsTask()));

        Assert.Equal((1L, 3L), batcher.Counts);
        Assert.Equal([1L, 3L, 2L], answers.Select(a => a.Single().GetTensorTypeAndShape().Shape[0]));
        for (var i = 0; i < answers.Length; i++)
        {
            Assert.Equal(expected[i], answers[i].Single().GetTensorDataAsSpan<float>().ToArray());
            answers[i].Dispose();
            requests[i].Dispose();
        }
    }

    [Fact]
    public async Task ARequestLargerThanTheMaximum_RunsAloneAtOnce()
    {
        using var model = TestModel.Load(ReferenceModels.Mlp(inputs: 8, hidden1: 16, hidden2: 16, outputs: 2));
        using var batcher = DynamicBatcher.TryCreate(model.Model, WaitForFour)!;
        var body = MlpBody(rows: 5, seed: 3);
        using var request = InferRequestParser.Parse(body, model.Model);

        using var answer = await batcher.RunAsync(request, model.Model.OutputNames);

        Assert.Equal((0L, 0L), batcher.Counts);
        Assert.Equal(RunAlone(model, body), answer.Single().GetTensorDataAsSpan<float>().ToArray());
    }

    [Fact]
    public async Task ARequestTheGraphRejectsAtRunTime_FailsAlone_ItsBatchMatesGetTheirAnswers()
    {
        using var model = TestModel.Load(GatherModel());
        using var batcher = DynamicBatcher.TryCreate(model.Model, WaitForFour)!;
        var bodies = new[] { GatherBody(1), GatherBody(4), GatherBody(7), GatherBody(0) };
        var requests = bodies.Select(b => InferRequestParser.Parse(b, model.Model)).ToArray();

        var runs = requests.Select(r => batcher.RunAsync(r, model.Model.OutputNames).AsTask()).ToArray();
        var failure = await Assert.ThrowsAsync<ServingException>(() => runs[2]);

        Assert.Equal(400, failure.StatusCode);
        foreach (var (run, index) in new[] { (runs[0], 1), (runs[1], 4), (runs[3], 0) })
        {
            using var answer = await run;
            Assert.Equal(new[] { index * 10f, (index * 10f) + 1 }, answer.Single().GetTensorDataAsSpan<float>().ToArray());
        }

        Assert.Equal(1L, batcher.Counts.Batches);
        foreach (var request in requests)
        {
            request.Dispose();
        }
    }

    [Fact]
    public async Task RequestsOfDifferentTrailingShapes_NeverShareARun_AndAreAllAnswered()
    {
        using var model = TestModel.Load(ReferenceModels.ReshapeModel());
        Assert.Null(DynamicBatcher.TryCreate(model.Model, WaitForFour));
        using var free = TestModel.Load(new OnnxGraphBuilder("free").Input("x", OnnxElementType.Float, "N", "M")
            .Node("Identity", ["x"], ["y"]).Output("y", OnnxElementType.Float, "N", "M").Build());
        using var batcher = DynamicBatcher.TryCreate(free.Model, new ModelBatching { MaxBatchSize = 4, MaxQueueDelayMicroseconds = 200_000 })!;
        var narrow = Encoding.UTF8.GetBytes(InferJson.Request(InferJson.Input("x", "FP32", [1, 2], "[1, 2]")));
        var wide = Encoding.UTF8.GetBytes(InferJson.Request(InferJson.Input("x", "FP32", [1, 3], "[3, 4, 5]")));
        using var a = InferRequestParser.Parse(narrow, free.Model);
        using var b = InferRequestParser.Parse(wide, free.Model);

        var runs = new[] { batcher.RunAsync(a, free.Model.OutputNames).AsTask(), batcher.RunAsync(b, free.Model.OutputNames).AsTask() };
        var answers = await Task.WhenAll(runs);

        Assert.Equal(2L, batcher.Counts.Batches);
        Assert.Equal([1f, 2f], answers[0].Single().GetTensorDataAsSpan<float>().ToArray());
        Assert.Equal([3f, 4f, 5f], answers[1].Single().GetTensorDataAsSpan<float>().ToArray());
        foreach (var answer in answers)
        {
            answer.Dispose();
        }
    }

    [Fact]
    public void AModelWithoutAFreeFirstDimension_OrNotNamed_IsNotBatched()
    {
        using var fixedShape = TestModel.Load(ReferenceModels.FixedShape());
        using var mlp = TestModel.Load(ReferenceModels.Mlp(inputs: 8, hidden1: 16, hidden2: 16, outputs: 2));

        Assert.Null(DynamicBatcher.TryCreate(fixedShape.Model, WaitForFour));
        Assert.Null(DynamicBatcher.TryCreate(mlp.Model, null));
        Assert.Null(new BatchingOptions().For("mlp"));
    }

    private static byte[] MlpBody(int rows, int seed)
    {
        var random = new Random(seed);
        var data = string.Join(",", Enumerable.Range(0, rows * 8).Select(_ => (random.NextSingle() - 0.5f).ToString("R", CultureInfo.InvariantCulture)));
        return Encoding.UTF8.GetBytes(InferJson.Request(InferJson.Input("input", "FP32", [rows, 8], $"[{data}]")));
    }

    private static float[] RunAlone(TestModel model, byte[] body)
    {
        using var request = InferRequestParser.Parse(body, model.Model);
        using var outputs = model.Model.Run(request, model.Model.OutputNames);
        return outputs.Single().GetTensorDataAsSpan<float>().ToArray();
    }

    /// <summary>"indices" INT64 ["N"] → Gather over a [5, 2] table (row i is [10i, 10i + 1]) → "rows" FP32 ["N", 2]; an index past 4 fails at run time.</summary>
    private static byte[] GatherModel() => new OnnxGraphBuilder("gather")
        .Input("indices", OnnxElementType.Int64, "N")
        .Initializer("table", Enumerable.Range(0, 5).SelectMany(i => new[] { i * 10f, (i * 10f) + 1 }).ToArray(), 5, 2)
        .Node("Gather", ["table", "indices"], ["rows"])
        .Output("rows", OnnxElementType.Float, "N", 2L)
        .Build();

    private static byte[] GatherBody(long index) =>
        Encoding.UTF8.GetBytes(InferJson.Request(InferJson.Input("indices", "INT64", [1], $"[{index}]")));
}
