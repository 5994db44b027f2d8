using Microsoft.ML.OnnxRuntime.Tensors;

namespace Serverless.Core.Protocol;

/// <summary>
/// What a loaded model expects of one input: its element type, OIP datatype and dimensions (-1 where the
/// model leaves the dimension free). Immutable.
/// </summary>
public sealed record ModelInput(string Name, int Index, bool IsTensor, TensorElementType ElementType, string Datatype, long[] Dimensions)
{
    /// <summary>The dimensions as "[-1,10]" for error messages.</summary>
    public string ShapeText => "[" + string.Join(",", Dimensions) + "]";
}
