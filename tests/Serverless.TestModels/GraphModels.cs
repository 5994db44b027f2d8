namespace Serverless.TestModels;

/// <summary>Small models to build inference graphs from, whose answers are easy to compute by hand.</summary>
public static class GraphModels
{
    /// <summary>"x" FP32 ["N", width] → "y" = x × factor, same shape.</summary>
    public static byte[] Scale(float factor, int width = 2) => new OnnxGraphBuilder("scale")
        .Input("x", OnnxElementType.Float, "N", (long)width)
        .Initializer("factor", [factor], 1)
        .Node("Mul", ["x", "factor"], ["y"])
        .Output("y", OnnxElementType.Float, "N", (long)width)
        .Build();

    /// <summary>"x" FP32 ["N", width] → "y" = x + offset, same shape.</summary>
    public static byte[] Shift(float offset, int width = 2) => new OnnxGraphBuilder("shift")
        .Input("x", OnnxElementType.Float, "N", (long)width)
        .Initializer("offset", [offset], 1)
        .Node("Add", ["x", "offset"], ["y"])
        .Output("y", OnnxElementType.Float, "N", (long)width)
        .Build();

    /// <summary>"features" FP32 ["N", width] → "total" FP32 ["N", 1], each row's sum (a featurizer's consumer).</summary>
    public static byte[] RowSum(int width = 2) => new OnnxGraphBuilder("row_sum")
        .Input("features", OnnxElementType.Float, "N", (long)width)
        .Initializer("ones", Enumerable.Repeat(1f, width).ToArray(), width, 1)
        .Node("MatMul", ["features", "ones"], ["total"])
        .Output("total", OnnxElementType.Float, "N", 1L)
        .Build();

    /// <summary>"x" FP32 ["N", width] → "label" INT64 ["N"], the index of each row's largest value after adding <paramref name="bias"/> per column.</summary>
    public static byte[] ArgMaxLabel(float[] bias) => new OnnxGraphBuilder("argmax_label")
        .Input("x", OnnxElementType.Float, "N", (long)bias.Length)
        .Initializer("bias", bias, bias.Length)
        .Node("Add", ["x", "bias"], ["biased"])
        .Node("ArgMax", ["biased"], ["label"], attributes: [("axis", 1L), ("keepdims", 0L)])
        .Output("label", OnnxElementType.Int64, "N")
        .Build();
}
