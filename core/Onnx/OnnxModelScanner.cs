using System.Text;
using Serverless.Core.Errors;

namespace Serverless.Core.Onnx;

/// <summary>
/// Reads ONNX ModelProto bytes with a small protobuf reader, before ONNX Runtime sees them, and refuses what
/// a served model must not have: tensors stored as external data anywhere ONNX allows one (initializers, sparse
/// initializers, tensor attributes such as a Constant node's value, subgraphs of If/Loop/Scan, model-local
/// functions, training info), ORT-format bytes, and nesting deeper than <see cref="MaxDepth"/> messages. It also
/// estimates the memory the model takes (see <see cref="OnnxModelScan"/>). Hostile bytes only ever end in a
/// <see cref="ServingException"/> (BadRequest); time is linear in the bytes, memory bounded by
/// <see cref="MaxKnownTensors"/> small records. Thread-safe (stateless).
/// </summary>
public static partial class OnnxModelScanner
{
    /// <summary>The deepest message nesting accepted (protobuf's own default limit, which ONNX Runtime parses with).</summary>
    public const int MaxDepth = 100;

    /// <summary>How many constant tensors the estimate remembers by name.</summary>
    public const int MaxKnownTensors = 100_000;

    /// <summary>Longest tensor name the estimate remembers or looks up, in UTF-8 bytes.</summary>
    private const int MaxNameBytes = 1024;

    public static OnnxModelScan Scan(ReadOnlySpan<byte> model)
    {
        if (model.Length == 0)
        {
            throw ServingException.BadRequest("The request body is empty: send the ONNX model's bytes as the body.");
        }

        if (model.Length >= 8 && model.Slice(4, 4).SequenceEqual("ORTM"u8))
        {
            throw ServingException.BadRequest("The body is an ORT-format model; register the ONNX (.onnx, protobuf) model instead.");
        }

        var walker = new Walker();
        walker.ScanModel(model);
        return walker.Result();
    }

    /// <summary>A name from the model made safe to quote: UTF-8 decoded, control characters replaced, at most 40 characters.</summary>
    internal static string Display(ReadOnlySpan<byte> name)
    {
        if (name.IsEmpty)
        {
            return "(unnamed)";
        }

        var text = Encoding.UTF8.GetString(name.Length > 160 ? name[..160] : name);
        var builder = new StringBuilder(Math.Min(text.Length, 41));
        foreach (var c in text)
        {
            if (builder.Length == 40)
            {
                builder.Append('…');
                break;
            }

            builder.Append(char.IsControl(c) ? '?' : c);
        }

        return builder.ToString();
    }

    private sealed partial class Walker
    {
        private readonly Dictionary<string, KnownTensor> _known = new(StringComparer.Ordinal);
        private long _initializerBytes;
        private long _generatorBytes;
        private long _largestBytes;
        private string? _largest;

        public OnnxModelScan Result() => new(_initializerBytes, _generatorBytes, _largest, _largestBytes);

        public void ScanModel(ReadOnlySpan<byte> model)
        {
            var reader = new ProtoReader(model);
            while (reader.TryReadTag(out var field, out var wire))
            {
                switch (field)
                {
                    case 7: // graph
                        ScanGraph(Message(ref reader, wire, "graph"), 1, "the main graph");
                        break;
                    case 20: // training_info
                        ScanTrainingInfo(Message(ref reader, wire, "training_info"), 1);
                        break;
                    case 25: // functions
                        ScanFunction(Message(ref reader, wire, "functions"), 1);
                        break;
                    default:
                        reader.Skip(wire);
                        break;
                }
            }
        }

        private void ScanTrainingInfo(ReadOnlySpan<byte> training, int depth)
        {
            Enter(depth);
            var reader = new ProtoReader(training);
            while (reader.TryReadTag(out var field, out var wire))
            {
                if (field is 1 or 2) // initialization, algorithm
                {
                    var where = field == 1 ? "the training_info initialization graph" : "the training_info algorithm graph";
                    ScanGraph(Message(ref reader, wire, "training graph"), depth + 1, where);
                }
                else
                {
                    reader.Skip(wire);
                }
            }
        }

        private void ScanFunction(ReadOnlySpan<byte> function, int depth)
        {
            Enter(depth);
            ReadOnlySpan<byte> name = default, domain = default;
            var reader = new ProtoReader(function);
            while (reader.TryReadTag(out var field, out var wire))
            {
                switch (field)
                {
                    case 1:
                        name = Message(ref reader, wire, "function name");
                        break;
                    case 10:
                        domain = Message(ref reader, wire, "function domain");
                        break;
                    default:
                        reader.Skip(wire);
                        break;
                }
            }

            var where = $"function '{Display(name)}' of domain '{Display(domain)}'";
            reader = new ProtoReader(function);
            while (reader.TryReadTag(out var field, out var wire))
            {
                switch (field)
                {
                    case 7: // node
                        ScanNode(Message(ref reader, wire, "function node"), depth + 1, where);
                        break;
                    case 11: // attribute_proto: default values of the function's attributes
                        _ = ScanAttribute(Message(ref reader, wire, "function attribute"), depth + 1, default, default, where);
                        break;
                    default:
                        reader.Skip(wire);
                        break;
                }
            }
        }

        private void ScanGraph(ReadOnlySpan<byte> graph, int depth, string where)
        {
            Enter(depth);
            var reader = new ProtoReader(graph);
            while (reader.TryReadTag(out var field, out var wire))
            {
                switch (field)
                {
                    case 5: // initializer
                        var tensor = OnnxTensorReader.Read(Message(ref reader, wire, "initializer"));
                        ThrowIfExternal(tensor, tensor.Name, "an initializer of ", where);
                        _initializerBytes = SaturatingMath.Add(_initializerBytes, tensor.Bytes);
                        Remember(tensor.Name, tensor.ToKnown());
                        break;
                    case 15: // sparse_initializer
                        var dense = ScanSparse(Message(ref reader, wire, "sparse initializer"), depth + 1, "a sparse initializer of ", where, out var name);
                        _initializerBytes = SaturatingMath.Add(_initializerBytes, Bytes(dense));
                        Remember(name, dense);
                        break;
                    default:
                        reader.Skip(wire);
                        break;
                }
            }

            reader = new ProtoReader(graph);
            while (reader.TryReadTag(out var field, out var wire))
            {
                if (field == 1)
                {
                    ScanNode(Message(ref reader, wire, "node"), depth + 1, where);
                }
                else
                {
                    reader.Skip(wire);
                }
            }
        }
    }
}
