using System.Buffers.Binary;
using System.Text;

namespace Serverless.TestModels;

/// <summary>
/// The few protobuf wire-format primitives ONNX models need: varints, fixed32 and length-delimited fields.
/// Nested messages are written by building them with their own writer and embedding the bytes. Not thread-safe.
/// </summary>
internal sealed class ProtoWriter
{
    private const int VarintWireType = 0;
    private const int LengthDelimitedWireType = 2;
    private const int Fixed32WireType = 5;

    private readonly MemoryStream _stream = new();

    public void WriteInt64(int field, long value)
    {
        WriteTag(field, VarintWireType);
        WriteVarint(unchecked((ulong)value));
    }

    public void WriteFloat(int field, float value)
    {
        WriteTag(field, Fixed32WireType);
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(bytes, value);
        _stream.Write(bytes);
    }

    public void WriteString(int field, string value) => WriteBytes(field, Encoding.UTF8.GetBytes(value));

    public void WriteBytes(int field, ReadOnlySpan<byte> value)
    {
        WriteTag(field, LengthDelimitedWireType);
        WriteVarint((ulong)value.Length);
        _stream.Write(value);
    }

    public void WriteMessage(int field, ProtoWriter message) => WriteBytes(field, message.ToArray());

    public void WritePackedInt64(int field, IEnumerable<long> values)
    {
        var packed = new ProtoWriter();
        foreach (var value in values)
        {
            packed.WriteVarint(unchecked((ulong)value));
        }

        WriteBytes(field, packed.ToArray());
    }

    public void WritePackedFloat(int field, IEnumerable<float> values)
    {
        var packed = new List<byte>();
        Span<byte> bytes = stackalloc byte[4];
        foreach (var value in values)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes, value);
            packed.AddRange(bytes);
        }

        WriteBytes(field, packed.ToArray());
    }

    public byte[] ToArray() => _stream.ToArray();

    private void WriteTag(int field, int wireType) => WriteVarint(((ulong)field << 3) | (uint)wireType);

    private void WriteVarint(ulong value)
    {
        while (value >= 0x80)
        {
            _stream.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }

        _stream.WriteByte((byte)value);
    }
}
