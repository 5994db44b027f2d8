using System.Globalization;
using System.Text;
using Serverless.TestModels;

namespace Serverless.Bench.Batching;

/// <summary>The models the batching benchmark loads: the serving bench's MLP and a small convolutional network, each with one deterministic row.</summary>
public sealed record BatchingModel(string Name, string Description, byte[] Onnx, long[] RowShape)
{
    public static IReadOnlyList<BatchingModel> All { get; } =
    [
        new("mlp", "MLP 64-256-256-1", ReferenceModels.Mlp(64, 256, 256, 1), [64]),
        new("cnn", "CNN: 3×32×32 → conv 3×3×16 → ReLU → conv 3×3×32 (stride 2) → ReLU → global average pool → dense 32→10", SmallCnn(), [3, 32, 32]),
    ];

    /// <summary>An OIP infer body of one row (seeded values in [-1, 1]).</summary>
    public byte[] Body()
    {
        var random = new Random(7);
        var count = RowShape.Aggregate(1L, (a, b) => a * b);
        var data = string.Join(",", Enumerable.Range(0, (int)count).Select(_ => Math.Round((random.NextDouble() * 2) - 1, 3).ToString(CultureInfo.InvariantCulture)));
        var shape = string.Join(",", new long[] { 1 }.Concat(RowShape));
        return Encoding.UTF8.GetBytes($$"""{"id":"bench","inputs":[{"name":"input","shape":[{{shape}}],"datatype":"FP32","data":[{{data}}]}]}""");
    }

    private static byte[] SmallCnn()
    {
        var random = new Random(3);
        float[] Weights(int count, float scale) => Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2) - 1) * scale).ToArray();
        return new OnnxGraphBuilder("small_cnn")
            .Input("input", OnnxElementType.Float, "N", 3L, 32L, 32L)
            .Initializer("w1", Weights(16 * 3 * 3 * 3, 0.2f), 16, 3, 3, 3)
            .Initializer("b1", Weights(16, 0.1f), 16)
            .Initializer("w2", Weights(32 * 16 * 3 * 3, 0.1f), 32, 16, 3, 3)
            .Initializer("b2", Weights(32, 0.1f), 32)
            .Initializer("w3", Weights(32 * 10, 0.2f), 32, 10)
            .Initializer("b3", Weights(10, 0.1f), 10)
            .Node("Conv", ["input", "w1", "b1"], ["c1"], attributes: [("kernel_shape", new long[] { 3, 3 }), ("pads", new long[] { 1, 1, 1, 1 })])
            .Node("Relu", ["c1"], ["r1"])
            .Node("Conv", ["r1", "w2", "b2"], ["c2"], attributes: [("kernel_shape", new long[] { 3, 3 }), ("pads", new long[] { 1, 1, 1, 1 }), ("strides", new long[] { 2, 2 })])
            .Node("Relu", ["c2"], ["r2"])
            .Node("GlobalAveragePool", ["r2"], ["pooled"])
            .Node("Flatten", ["pooled"], ["flat"])
            .Node("MatMul", ["flat", "w3"], ["logits_raw"])
            .Node("Add", ["logits_raw", "b3"], ["output"])
            .Output("output", OnnxElementType.Float, "N", 10L)
            .Build();
    }
}
