using Microsoft.ML.OnnxRuntime;
using Serverless.Core.Models;

namespace Serverless.Core.Onnx;

/// <summary>Turns ONNX Runtime's node metadata into protocol-level tensor specs.</summary>
public static class SignatureReader
{
    /// <summary>Reads the signature of a loaded session.</summary>
    public static ModelSignature Read(InferenceSession session) =>
        new(ToSpecs(session.InputNames, session.InputMetadata), ToSpecs(session.OutputNames, session.OutputMetadata));

    private static TensorSpec[] ToSpecs(IReadOnlyList<string> names, IReadOnlyDictionary<string, NodeMetadata> metadata)
    {
        var specs = new TensorSpec[names.Count];
        for (var i = 0; i < names.Count; i++)
        {
            specs[i] = ToSpec(names[i], metadata[names[i]]);
        }

        return specs;
    }

    private static TensorSpec ToSpec(string name, NodeMetadata node)
    {
        if (!node.IsTensor)
        {
            // Sequences and maps (e.g. a ZipMap classifier output) travel as JSON text, one element per entry.
            return new TensorSpec(name, OipDatatypes.Bytes, [-1]);
        }

        var datatype = OipDatatypes.FromElementType(node.ElementDataType) ?? node.ElementDataType.ToString().ToUpperInvariant();
        var shape = new long[node.Dimensions.Length];
        for (var i = 0; i < shape.Length; i++)
        {
            shape[i] = node.Dimensions[i] < 0 ? -1 : node.Dimensions[i];
        }

        return new TensorSpec(name, datatype, shape);
    }
}
