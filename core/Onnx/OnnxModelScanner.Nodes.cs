using System.Text;
using Serverless.Core.Errors;

namespace Serverless.Core.Onnx;

/// <summary>Nodes, attributes and sparse tensors: where tensors hide below a graph, and what generator nodes allocate.</summary>
public static partial class OnnxModelScanner
{
    private sealed partial class Walker
    {
        private void ScanNode(ReadOnlySpan<byte> node, int depth, string where)
        {
            Enter(depth);
            ReadOnlySpan<byte> name = default, opType = default, domain = default, output = default;
            Span<(int Start, int Length)> inputs = stackalloc (int, int)[KnownTensor.MaxRank];
            var inputCount = 0;
            var reader = new ProtoReader(node);
            while (reader.TryReadTag(out var field, out var wire))
            {
                switch (field)
                {
                    case 1:
                        var input = Message(ref reader, wire, "node input");
                        if (inputCount < inputs.Length)
                        {
                            inputs[inputCount] = (reader.Position - input.Length, input.Length);
                        }

                        inputCount++;
                        break;
                    case 2:
                        var produced = Message(ref reader, wire, "node output");
                        output = output.IsEmpty ? produced : output;
                        break;
                    case 3:
                        name = Message(ref reader, wire, "node name");
                        break;
                    case 4:
                        opType = Message(ref reader, wire, "node op_type");
                        break;
                    case 7:
                        domain = Message(ref reader, wire, "node domain");
                        break;
                    default:
                        reader.Skip(wire);
                        break;
                }
            }

            var constant = default(KnownTensor);
            var valueDataType = 0;
            var castTo = 0L;
            reader = new ProtoReader(node);
            while (reader.TryReadTag(out var field, out var wire))
            {
                if (field != 5)
                {
                    reader.Skip(wire);
                    continue;
                }

                var attribute = ScanAttribute(Message(ref reader, wire, "attribute"), depth + 1, name, opType, where);
                constant ??= attribute.Constant;
                valueDataType = attribute.ValueDataType != 0 ? attribute.ValueDataType : valueDataType;
                castTo = attribute.IsCastTo ? attribute.Int : castTo;
            }

            var isDefaultDomain = domain.IsEmpty || domain.SequenceEqual("ai.onnx"u8);
            if (!isDefaultDomain || output.IsEmpty)
            {
                return;
            }

            if (opType.SequenceEqual("Constant"u8))
            {
                if (constant is not null)
                {
                    Remember(output, constant);
                }

                return;
            }

            var op = Encoding.UTF8.GetString(opType);
            if (!GeneratorEstimator.Follows(op))
            {
                return;
            }

            // One slot past the inputs read stays null when there are more, so a longer Concat is not mistaken for a shorter one.
            var known = new KnownTensor?[Math.Min(inputCount, inputs.Length + 1)];
            for (var i = 0; i < known.Length && i < inputs.Length; i++)
            {
                known[i] = Lookup(node.Slice(inputs[i].Start, inputs[i].Length));
            }

            var (bytes, result) = GeneratorEstimator.Estimate(op, known, valueDataType, castTo);
            if (result is not null)
            {
                Remember(output, result);
            }

            _generatorBytes = SaturatingMath.Add(_generatorBytes, bytes);
            if (bytes > _largestBytes)
            {
                _largestBytes = bytes;
                _largest = $"node '{Display(name.IsEmpty ? output : name)}' ({op})";
            }
        }

        private AttributeFacts ScanAttribute(ReadOnlySpan<byte> attribute, int depth, ReadOnlySpan<byte> nodeName, ReadOnlySpan<byte> opType, string where)
        {
            Enter(depth);
            ReadOnlySpan<byte> name = default;
            var reader = new ProtoReader(attribute);
            while (reader.TryReadTag(out var field, out var wire))
            {
                if (field == 1)
                {
                    name = Message(ref reader, wire, "attribute name");
                }
                else
                {
                    reader.Skip(wire);
                }
            }

            var facts = new AttributeFacts { IsCastTo = name.SequenceEqual("to"u8) };
            var isConstant = opType.SequenceEqual("Constant"u8);
            reader = new ProtoReader(attribute);
            while (reader.TryReadTag(out var field, out var wire))
            {
                switch (field)
                {
                    case 2 when wire == ProtoReader.Fixed32: // f (Constant's value_float)
                        var f = BitConverter.Int32BitsToSingle((int)reader.ReadFixed32());
                        facts.Constant = isConstant ? new KnownTensor(1, 1, [], [f]) : null;
                        break;
                    case 3 when wire == ProtoReader.Varint: // i (Constant's value_int, Cast's to)
                        facts.Int = reader.ReadInt64();
                        facts.Constant = isConstant ? new KnownTensor(7, 1, [], [facts.Int]) : null;
                        break;
                    case 5 or 10: // t, tensors
                        var tensor = OnnxTensorReader.Read(Message(ref reader, wire, "attribute tensor"));
                        ThrowIfExternal(tensor, tensor.Name, "", AttributeOwner(tensor.IsExternal, name, nodeName, opType, where));
                        _initializerBytes = SaturatingMath.Add(_initializerBytes, tensor.Bytes);
                        facts.Constant = isConstant ? tensor.ToKnown() : null;
                        facts.ValueDataType = field == 5 ? tensor.DataType : 0;
                        break;
                    case 6 or 11: // g, graphs
                        ScanGraph(Message(ref reader, wire, "subgraph"), depth + 1, "the subgraph in " + AttributeOwner(true, name, nodeName, opType, where));
                        break;
                    case 22 or 23: // sparse_tensor, sparse_tensors: loaded as dense tensors
                        var dense = ScanSparse(Message(ref reader, wire, "attribute sparse tensor"), depth + 1, "",
                            AttributeOwner(true, name, nodeName, opType, where), out _);
                        _initializerBytes = SaturatingMath.Add(_initializerBytes, Bytes(dense));
                        facts.Constant = isConstant ? dense : null;
                        break;
                    case 7 or 8 when isConstant: // floats, ints (Constant's value_floats, value_ints)
                        facts.Constant = ReadVector(ref reader, wire, field == 7);
                        break;
                    default:
                        reader.Skip(wire);
                        break;
                }
            }

            return facts;
        }

        /// <summary>Refuses external values or indices; returns the dense tensor ONNX Runtime would make and the values' name.</summary>
        private KnownTensor ScanSparse(ReadOnlySpan<byte> sparse, int depth, string kind, string where, out ReadOnlySpan<byte> name)
        {
            Enter(depth);
            name = default;
            var dataType = 0;
            var elements = 1L;
            var rank = 0;
            var reader = new ProtoReader(sparse);
            while (reader.TryReadTag(out var field, out var wire))
            {
                switch (field)
                {
                    case 1 or 2: // values, indices
                        var tensor = OnnxTensorReader.Read(Message(ref reader, wire, "sparse tensor part"));
                        ThrowIfExternal(tensor, tensor.Name.IsEmpty ? name : tensor.Name, kind, where);
                        if (field == 1)
                        {
                            name = tensor.Name;
                            dataType = tensor.DataType;
                        }

                        break;
                    case 3 when wire == ProtoReader.Varint: // dims of the dense tensor
                        elements = SaturatingMath.Multiply(elements, Math.Max(reader.ReadInt64(), 0));
                        rank++;
                        break;
                    case 3:
                        for (var packed = OnnxTensorReader.Packed(ref reader, wire); !packed.AtEnd; rank++)
                        {
                            elements = SaturatingMath.Multiply(elements, Math.Max(packed.ReadInt64(), 0));
                        }

                        break;
                    default:
                        reader.Skip(wire);
                        break;
                }
            }

            return new KnownTensor(dataType, rank == 0 ? 0 : elements, null, null);
        }

        private static KnownTensor ReadVector(scoped ref ProtoReader reader, int wire, bool floats)
        {
            var values = new List<double>();
            var count = 0L;
            if (wire != ProtoReader.LengthDelimited)
            {
                values.Add(floats ? BitConverter.Int32BitsToSingle((int)reader.ReadFixed32()) : reader.ReadInt64());
                count = 1;
            }
            else
            {
                for (var packed = new ProtoReader(reader.ReadBytes()); !packed.AtEnd; count++)
                {
                    var value = floats ? BitConverter.Int32BitsToSingle((int)packed.ReadFixed32()) : (double)packed.ReadInt64();
                    if (values.Count < KnownTensor.MaxValues)
                    {
                        values.Add(value);
                    }
                }
            }

            return new KnownTensor(floats ? 1 : 7, count, [count], count <= KnownTensor.MaxValues ? values.ToArray() : null);
        }

        private void Remember(ReadOnlySpan<byte> name, KnownTensor tensor)
        {
            if (!name.IsEmpty && name.Length <= MaxNameBytes && _known.Count < MaxKnownTensors)
            {
                _known[Encoding.UTF8.GetString(name)] = tensor;
            }
        }

        private KnownTensor? Lookup(ReadOnlySpan<byte> name) =>
            name.IsEmpty || name.Length > MaxNameBytes ? null : _known.GetValueOrDefault(Encoding.UTF8.GetString(name));

        private static long Bytes(KnownTensor tensor) => SaturatingMath.Multiply(tensor.Elements, KnownTensor.ElementSize(tensor.DataType));

        /// <summary>"attribute 'value' of node 'c0' (Constant) in the main graph", built only when <paramref name="needed"/>.</summary>
        private static string AttributeOwner(bool needed, ReadOnlySpan<byte> name, ReadOnlySpan<byte> nodeName, ReadOnlySpan<byte> opType, string where) =>
            !needed ? where
            : opType.IsEmpty ? $"attribute '{Display(name)}' of {where}"
            : $"attribute '{Display(name)}' of node '{Display(nodeName)}' ({Display(opType)}) in {where}";

        private static void ThrowIfExternal(in TensorFacts tensor, ReadOnlySpan<byte> name, string kind, string where)
        {
            if (tensor.IsExternal)
            {
                throw ServingException.BadRequest(
                    $"The model keeps tensor '{Display(name)}' ({kind}{where}) as external data, in a file outside the model. Only self-contained " +
                    "models are accepted, since ONNX Runtime would otherwise read files of this server: save the model with every tensor inside " +
                    "the .onnx file (onnx.save_model(model, path, save_as_external_data=False)) and register it again.");
            }
        }

        private static ReadOnlySpan<byte> Message(scoped ref ProtoReader reader, int wire, string field)
        {
            ProtoReader.Expect(wire, ProtoReader.LengthDelimited, field);
            return reader.ReadBytes();
        }

        private static void Enter(int depth)
        {
            if (depth > MaxDepth)
            {
                throw ServingException.BadRequest($"The model nests messages (subgraphs) more than {MaxDepth} levels deep; ONNX Runtime would refuse it.");
            }
        }
    }

    /// <summary>What a node needs from one of its attributes.</summary>
    private struct AttributeFacts
    {
        public bool IsCastTo;
        public long Int;
        public int ValueDataType;
        public KnownTensor? Constant;
    }
}
