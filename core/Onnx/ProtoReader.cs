using System.Buffers.Binary;
using Serverless.Core.Errors;

namespace Serverless.Core.Onnx;

/// <summary>
/// A forward-only reader of protobuf wire format over a span (varint, fixed32, fixed64 and length-delimited
/// fields; groups are refused, as onnx.proto has none). Every read is bounds-checked: a truncated varint, a
/// length past the end or an unknown wire type throws <see cref="ServingException"/> (BadRequest) saying the bytes
/// are not a well-formed ONNX model. Allocation-free; a mutable ref struct, so one reader per message.
/// </summary>
internal ref struct ProtoReader
{
    public const int Varint = 0;
    public const int Fixed64 = 1;
    public const int LengthDelimited = 2;
    public const int Fixed32 = 5;

    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    public ProtoReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
    }

    /// <summary>Bytes read so far (the offset of the next field).</summary>
    public readonly int Position => _position;

    /// <summary>Whether every byte has been read.</summary>
    public readonly bool AtEnd => _position >= _data.Length;

    /// <summary>Reads the next field's number and wire type; false at the end of the message.</summary>
    public bool TryReadTag(out int field, out int wireType)
    {
        if (_position >= _data.Length)
        {
            field = 0;
            wireType = 0;
            return false;
        }

        var tag = ReadVarint();
        wireType = (int)(tag & 7);
        var number = tag >> 3;
        if (number is 0 or > 536_870_911)
        {
            throw Malformed($"a field number of {number}");
        }

        field = (int)number;
        return true;
    }

    /// <summary>Reads a varint (up to ten bytes; a longer or truncated one is malformed).</summary>
    public ulong ReadVarint()
    {
        ulong value = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            if (_position >= _data.Length)
            {
                throw Malformed("a number cut off by the end of the data");
            }

            var b = _data[_position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw Malformed("a number longer than ten bytes");
    }

    /// <summary>Reads an int64 field's varint as protobuf encodes it (two's complement).</summary>
    public long ReadInt64() => unchecked((long)ReadVarint());

    /// <summary>Reads a length-delimited field's bytes (a nested message, a string or packed values).</summary>
    public ReadOnlySpan<byte> ReadBytes()
    {
        var length = ReadVarint();
        if (length > (ulong)(_data.Length - _position))
        {
            throw Malformed($"a field of {length} bytes where {_data.Length - _position} remain");
        }

        var bytes = _data.Slice(_position, (int)length);
        _position += (int)length;
        return bytes;
    }

    public uint ReadFixed32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

    public ulong ReadFixed64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

    /// <summary>Skips a field of any wire type onnx.proto uses.</summary>
    public void Skip(int wireType)
    {
        switch (wireType)
        {
            case Varint:
                ReadVarint();
                break;
            case Fixed64:
                Take(8);
                break;
            case LengthDelimited:
                ReadBytes();
                break;
            case Fixed32:
                Take(4);
                break;
            default:
                throw Malformed($"wire type {wireType}");
        }
    }

    /// <summary>Throws unless <paramref name="wireType"/> is what the field needs.</summary>
    public static void Expect(int wireType, int expected, string field)
    {
        if (wireType != expected)
        {
            throw Malformed($"field {field} with wire type {wireType}");
        }
    }

    public static ServingException Malformed(string what) =>
        ServingException.BadRequest($"The body is not a well-formed ONNX model (protobuf): it has {what}.");

    private ReadOnlySpan<byte> Take(int count)
    {
        if (_data.Length - _position < count)
        {
            throw Malformed("a value cut off by the end of the data");
        }

        var bytes = _data.Slice(_position, count);
        _position += count;
        return bytes;
    }
}
