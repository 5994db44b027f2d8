using System.Buffers.Binary;

namespace Serverless.Core.Onnx;

/// <summary>The facts read from one TensorProto (see <see cref="OnnxTensorReader"/>).</summary>
internal ref struct TensorFacts
{
    public ReadOnlySpan<byte> Name;
    public int DataType;
    public long Elements;
    public long[]? Dims;
    public double[]? Values;
    public bool IsExternal;

    public readonly long Bytes => SaturatingMath.Multiply(Elements, KnownTensor.ElementSize(DataType));

    public readonly KnownTensor ToKnown() => new(DataType, Elements, Dims, Values);
}

/// <summary>Reads a TensorProto's shape, type, storage and (few) values from its bytes. Stateless.</summary>
internal static class OnnxTensorReader
{
    public static TensorFacts Read(ReadOnlySpan<byte> tensor)
    {
        var facts = new TensorFacts { Elements = 1 };
        Span<long> dims = stackalloc long[KnownTensor.MaxRank];
        var rank = 0;
        ReadOnlySpan<byte> raw = default;
        var hasRaw = false;
        var typed = new TypedValues();
        var reader = new ProtoReader(tensor);
        while (reader.TryReadTag(out var field, out var wire))
        {
            switch (field)
            {
                case 1: // dims
                    if (wire == ProtoReader.Varint)
                    {
                        AddDim(reader.ReadInt64(), ref facts.Elements, dims, ref rank);
                        break;
                    }

                    for (var packed = Packed(ref reader, wire); !packed.AtEnd;)
                    {
                        AddDim(packed.ReadInt64(), ref facts.Elements, dims, ref rank);
                    }

                    break;
                case 2 when wire == ProtoReader.Varint: // data_type
                    facts.DataType = (int)Math.Clamp(reader.ReadInt64(), 0, int.MaxValue);
                    break;
                case 4: // float_data
                    if (wire == ProtoReader.Fixed32)
                    {
                        typed.Add(BitConverter.Int32BitsToSingle((int)reader.ReadFixed32()));
                        break;
                    }

                    for (var packed = Packed(ref reader, wire); !packed.AtEnd;)
                    {
                        typed.Add(BitConverter.Int32BitsToSingle((int)packed.ReadFixed32()));
                    }

                    break;
                case 5 or 7: // int32_data, int64_data
                    if (wire == ProtoReader.Varint)
                    {
                        typed.Add(reader.ReadInt64());
                        break;
                    }

                    for (var packed = Packed(ref reader, wire); !packed.AtEnd;)
                    {
                        typed.Add(packed.ReadInt64());
                    }

                    break;
                case 8 when wire == ProtoReader.LengthDelimited: // name
                    facts.Name = reader.ReadBytes();
                    break;
                case 9 when wire == ProtoReader.LengthDelimited: // raw_data
                    raw = reader.ReadBytes();
                    hasRaw = true;
                    break;
                case 10: // double_data
                    if (wire == ProtoReader.Fixed64)
                    {
                        typed.Add(BitConverter.Int64BitsToDouble((long)reader.ReadFixed64()));
                        break;
                    }

                    for (var packed = Packed(ref reader, wire); !packed.AtEnd;)
                    {
                        typed.Add(BitConverter.Int64BitsToDouble((long)packed.ReadFixed64()));
                    }

                    break;
                case 13: // external_data: present at all means the tensor points outside the model
                    facts.IsExternal = true;
                    reader.Skip(wire);
                    break;
                case 14 when wire == ProtoReader.Varint: // data_location: 1 = EXTERNAL
                    facts.IsExternal |= reader.ReadVarint() != 0;
                    break;
                case 2 or 8 or 9 or 14:
                    throw ProtoReader.Malformed($"tensor field {field} with wire type {wire}");
                default:
                    reader.Skip(wire);
                    break;
            }
        }

        facts.Dims = rank <= dims.Length ? dims[..rank].ToArray() : null;
        if (facts.Elements <= KnownTensor.MaxValues)
        {
            facts.Values = hasRaw ? DecodeRaw(raw, facts.DataType, facts.Elements) : typed.ToArray(facts.Elements);
        }

        return facts;
    }

    /// <summary>A reader over a packed repeated field's bytes (wire type 2).</summary>
    public static ProtoReader Packed(scoped ref ProtoReader reader, int wire)
    {
        ProtoReader.Expect(wire, ProtoReader.LengthDelimited, "of packed numbers");
        return new ProtoReader(reader.ReadBytes());
    }

    private static void AddDim(long dim, ref long elements, Span<long> dims, ref int rank)
    {
        elements = SaturatingMath.Multiply(elements, Math.Max(dim, 0));
        if (rank < dims.Length)
        {
            dims[rank] = dim;
        }

        rank = Math.Min(rank + 1, int.MaxValue - 1);
    }

    private static double[]? DecodeRaw(ReadOnlySpan<byte> raw, int dataType, long elements)
    {
        var size = dataType switch
        {
            1 or 6 or 12 => 4,
            7 or 11 or 13 => 8,
            2 or 3 or 9 => 1,
            4 or 5 => 2,
            _ => 0,
        };
        if (size == 0 || raw.Length != elements * size)
        {
            return null;
        }

        var values = new double[elements];
        for (var i = 0; i < values.Length; i++)
        {
            var at = raw[(i * size)..];
            values[i] = dataType switch
            {
                1 => BinaryPrimitives.ReadSingleLittleEndian(at),
                6 => BinaryPrimitives.ReadInt32LittleEndian(at),
                12 => BinaryPrimitives.ReadUInt32LittleEndian(at),
                7 => BinaryPrimitives.ReadInt64LittleEndian(at),
                13 => BinaryPrimitives.ReadUInt64LittleEndian(at),
                11 => BinaryPrimitives.ReadDoubleLittleEndian(at),
                2 or 9 => at[0],
                3 => (sbyte)at[0],
                4 => BinaryPrimitives.ReadUInt16LittleEndian(at),
                _ => BinaryPrimitives.ReadInt16LittleEndian(at),
            };
        }

        return values;
    }

    /// <summary>Values from the typed fields, kept only while there are at most <see cref="KnownTensor.MaxValues"/>.</summary>
    private sealed class TypedValues
    {
        private List<double>? _values;
        private bool _tooMany;

        public void Add(double value)
        {
            if (_tooMany)
            {
                return;
            }

            _values ??= [];
            if (_values.Count == KnownTensor.MaxValues)
            {
                _tooMany = true;
                _values = null;
                return;
            }

            _values.Add(value);
        }

        public double[]? ToArray(long elements) =>
            !_tooMany && _values is not null && _values.Count == elements ? _values.ToArray() : null;
    }
}
