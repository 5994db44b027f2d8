using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Serverless.Tests.Support;

/// <summary>Builds binary tensor extension bodies: a JSON header, then the inputs' raw bytes.</summary>
internal static class BinaryInfer
{
    /// <summary>One element of <c>inputs</c> whose data is <paramref name="size"/> bytes after the JSON header.</summary>
    public static string Input(string name, string datatype, long[] shape, long size) =>
        $$$"""{"name":{{{JsonSerializer.Serialize(name)}}},"datatype":"{{{datatype}}}","shape":[{{{string.Join(",", shape)}}}],"parameters":{"binary_data_size":{{{size}}}}}""";

    /// <summary>The body (the JSON's UTF-8, then each segment) and the JSON's length for the Inference-Header-Content-Length header.</summary>
    public static (byte[] Body, long HeaderLength) Body(string json, params byte[][] segments)
    {
        var header = Encoding.UTF8.GetBytes(json);
        return ([.. header, .. segments.SelectMany(s => s)], header.Length);
    }

    public static byte[] Floats(params float[] values) => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    /// <summary>BYTES elements: each a 4-byte little-endian length and its UTF-8.</summary>
    public static byte[] Strings(params string[] values)
    {
        var bytes = new List<byte>();
        foreach (var value in values)
        {
            var utf8 = Encoding.UTF8.GetBytes(value);
            var length = new byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(length, utf8.Length);
            bytes.AddRange(length);
            bytes.AddRange(utf8);
        }

        return [.. bytes];
    }

    /// <summary>Reads FP32 elements from raw little-endian bytes.</summary>
    public static float[] ToFloats(ReadOnlySpan<byte> bytes) => MemoryMarshal.Cast<byte, float>(bytes).ToArray();
}

/// <summary>An answer of the serving path: the JSON (the header when binary outputs follow), the bytes after it, and the header length (-1: all JSON).</summary>
internal sealed record BinaryAnswer(JsonElement Json, byte[] Binary, int HeaderLength)
{
    /// <summary>The raw bytes of output <paramref name="name"/>: its slice after the JSON, located by the binary_data_size of the outputs before it.</summary>
    public byte[] OutputBytes(string name)
    {
        var offset = 0;
        foreach (var output in Json.GetProperty("outputs").EnumerateArray())
        {
            if (!output.TryGetProperty("parameters", out var parameters) || !parameters.TryGetProperty("binary_data_size", out var sizeElement))
            {
                continue;
            }

            var size = sizeElement.GetInt32();
            if (output.GetProperty("name").GetString() == name)
            {
                return Binary.AsSpan(offset, size).ToArray();
            }

            offset += size;
        }

        throw new InvalidOperationException($"Output '{name}' is not binary in {Json}.");
    }
}
