using System.Buffers.Binary;
using System.Text;

namespace Serverless.Core.Monitoring.Logging.Blocks.Columns;

/// <summary>
/// A growable byte buffer for the columnar block format: bytes, LEB128 varints, zigzag varints, little-endian doubles
/// and length-prefixed UTF-8 strings. <see cref="Length"/> is exact at every point, so a block's size is known while it
/// fills. Not thread-safe.
/// </summary>
internal sealed class ColumnBytes
{
    private byte[] _bytes;

    public ColumnBytes(int capacity = 256)
    {
        _bytes = new byte[capacity];
    }

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Written => _bytes.AsSpan(0, Length);

    public void Clear() => Length = 0;

    public void WriteByte(byte value)
    {
        Ensure(1);
        _bytes[Length++] = value;
    }

    public void WriteVarint(ulong value)
    {
        Ensure(10);
        while (value >= 0x80)
        {
            _bytes[Length++] = (byte)(value | 0x80);
            value >>= 7;
        }

        _bytes[Length++] = (byte)value;
    }

    public void WriteZigzag(long value) => WriteVarint(Zigzag(value));

    public void WriteDouble(double value)
    {
        Ensure(8);
        BinaryPrimitives.WriteDoubleLittleEndian(_bytes.AsSpan(Length), value);
        Length += 8;
    }

    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_bytes.AsSpan(Length));
        Length += bytes.Length;
    }

    /// <summary>A varint of the UTF-8 length, then the UTF-8 bytes (lone surrogates become U+FFFD).</summary>
    public void WriteString(string value)
    {
        var bytes = Encoding.UTF8.GetByteCount(value);
        WriteVarint((ulong)bytes);
        Ensure(bytes);
        Length += Encoding.UTF8.GetBytes(value, _bytes.AsSpan(Length));
    }

    public static ulong Zigzag(long value) => (ulong)((value << 1) ^ (value >> 63));

    public static int VarintLength(ulong value)
    {
        var length = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            length++;
        }

        return length;
    }

    private void Ensure(int more)
    {
        if (Length + more > _bytes.Length)
        {
            Array.Resize(ref _bytes, Math.Max(Length + more, _bytes.Length * 2));
        }
    }
}

/// <summary>
/// Reads what <see cref="ColumnBytes"/> wrote, checking every bound: data that ends early or holds a number out of
/// range throws <see cref="InvalidDataException"/>, never an index error.
/// </summary>
internal ref struct ColumnReader
{
    private readonly ReadOnlySpan<byte> _bytes;
    private int _at;

    public ColumnReader(ReadOnlySpan<byte> bytes)
    {
        _bytes = bytes;
        _at = 0;
    }

    public readonly int Remaining => _bytes.Length - _at;

    public byte ReadByte()
    {
        if (_at >= _bytes.Length)
        {
            throw Truncated();
        }

        return _bytes[_at++];
    }

    public ulong ReadVarint()
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (_at >= _bytes.Length)
            {
                throw Truncated();
            }

            var b = _bytes[_at++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw new InvalidDataException("An inference log block holds a number longer than ten bytes.");
    }

    public long ReadZigzag()
    {
        var value = ReadVarint();
        return (long)(value >> 1) ^ -(long)(value & 1);
    }

    /// <summary>A varint that must be a count or index in [0, <paramref name="max"/>].</summary>
    public int ReadCount(int max, string what)
    {
        var value = ReadVarint();
        if (value > (ulong)max)
        {
            throw new InvalidDataException($"An inference log block holds {value} {what}, more than {max}.");
        }

        return (int)value;
    }

    public double ReadDouble() => BinaryPrimitives.ReadDoubleLittleEndian(ReadBytes(8));

    public ReadOnlySpan<byte> ReadBytes(int count)
    {
        if (count < 0 || count > Remaining)
        {
            throw Truncated();
        }

        var bytes = _bytes.Slice(_at, count);
        _at += count;
        return bytes;
    }

    public string ReadString() => Encoding.UTF8.GetString(ReadBytes(ReadCount(Remaining, "string bytes")));

    public static InvalidDataException Truncated() => new("An inference log block ends early (truncated or corrupt).");
}
