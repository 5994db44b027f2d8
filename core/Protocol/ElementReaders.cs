using System.Text.Json;

namespace Serverless.Core.Protocol;

/// <summary>Reads one JSON token as one tensor element; static abstract so the decoder loop is specialised per type.</summary>
internal interface IElementReader<T>
    where T : unmanaged
{
    static abstract bool TryRead(ref Utf8JsonReader reader, out T value);
}

internal struct BoolReader : IElementReader<bool>
{
    public static bool TryRead(ref Utf8JsonReader reader, out bool value)
    {
        value = reader.TokenType == JsonTokenType.True;
        return reader.TokenType is JsonTokenType.True or JsonTokenType.False;
    }
}

internal struct UInt8Reader : IElementReader<byte>
{
    public static bool TryRead(ref Utf8JsonReader reader, out byte value)
    {
        value = 0;
        return reader.TokenType == JsonTokenType.Number && reader.TryGetByte(out value);
    }
}

internal struct Int8Reader : IElementReader<sbyte>
{
    public static bool TryRead(ref Utf8JsonReader reader, out sbyte value)
    {
        value = 0;
        return reader.TokenType == JsonTokenType.Number && reader.TryGetSByte(out value);
    }
}

internal struct UInt16Reader : IElementReader<ushort>
{
    public static bool TryRead(ref Utf8JsonReader reader, out ushort value)
    {
        value = 0;
        return reader.TokenType == JsonTokenType.Number && reader.TryGetUInt16(out value);
    }
}

internal struct Int16Reader : IElementReader<short>
{
    public static bool TryRead(ref Utf8JsonReader reader, out short value)
    {
        value = 0;
        return reader.TokenType == JsonTokenType.Number && reader.TryGetInt16(out value);
    }
}

internal struct UInt32Reader : IElementReader<uint>
{
    public static bool TryRead(ref Utf8JsonReader reader, out uint value)
    {
        value = 0;
        return reader.TokenType == JsonTokenType.Number && reader.TryGetUInt32(out value);
    }
}

internal struct Int32Reader : IElementReader<int>
{
    public static bool TryRead(ref Utf8JsonReader reader, out int value)
    {
        value = 0;
        return reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out value);
    }
}

internal struct UInt64Reader : IElementReader<ulong>
{
    public static bool TryRead(ref Utf8JsonReader reader, out ulong value)
    {
        value = 0;
        return reader.TokenType == JsonTokenType.Number && reader.TryGetUInt64(out value);
    }
}

internal struct Int64Reader : IElementReader<long>
{
    public static bool TryRead(ref Utf8JsonReader reader, out long value)
    {
        value = 0;
        return reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out value);
    }
}

internal struct Float32Reader : IElementReader<float>
{
    public static bool TryRead(ref Utf8JsonReader reader, out float value)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            return reader.TryGetSingle(out value);
        }

        if (Float64Reader.TryRead(ref reader, out var wide))
        {
            value = (float)wide;
            return true;
        }

        value = 0;
        return false;
    }
}

internal struct Float64Reader : IElementReader<double>
{
    public static bool TryRead(ref Utf8JsonReader reader, out double value)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            return reader.TryGetDouble(out value);
        }

        value = 0;
        if (reader.TokenType != JsonTokenType.String)
        {
            return false;
        }

        // Non-finite values travel as strings, as Python clients write them.
        var text = reader.ValueSpan;
        if (text.SequenceEqual("NaN"u8) || text.SequenceEqual("nan"u8))
        {
            value = double.NaN;
        }
        else if (text.SequenceEqual("Infinity"u8) || text.SequenceEqual("inf"u8) || text.SequenceEqual("+Infinity"u8))
        {
            value = double.PositiveInfinity;
        }
        else if (text.SequenceEqual("-Infinity"u8) || text.SequenceEqual("-inf"u8))
        {
            value = double.NegativeInfinity;
        }
        else
        {
            return false;
        }

        return true;
    }
}

/// <summary>IEEE half precision, stored as its bit pattern (ONNX FLOAT16).</summary>
internal struct Float16Reader : IElementReader<ushort>
{
    public static bool TryRead(ref Utf8JsonReader reader, out ushort value)
    {
        value = 0;
        if (!Float64Reader.TryRead(ref reader, out var wide))
        {
            return false;
        }

        value = BitConverter.HalfToUInt16Bits((Half)wide);
        return true;
    }
}

/// <summary>bfloat16: the upper 16 bits of an FP32, rounded to nearest even (ONNX BFLOAT16).</summary>
internal struct BFloat16Reader : IElementReader<ushort>
{
    public static bool TryRead(ref Utf8JsonReader reader, out ushort value)
    {
        value = 0;
        if (!Float64Reader.TryRead(ref reader, out var wide))
        {
            return false;
        }

        value = BFloat16Bits.FromSingle((float)wide);
        return true;
    }
}

internal static class BFloat16Bits
{
    public static ushort FromSingle(float value)
    {
        var bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value))
        {
            return (ushort)((bits >> 16) | 0x40);
        }

        var roundingBias = 0x7FFFu + ((bits >> 16) & 1);
        return (ushort)((bits + roundingBias) >> 16);
    }

    public static float ToSingle(ushort bits) => BitConverter.UInt32BitsToSingle((uint)bits << 16);
}
