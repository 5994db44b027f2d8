using System.Text;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Serverless.Core.Buffers;

namespace Serverless.Core.Protocol;

/// <summary>
/// Encodes sequence and map outputs (for example the ZipMap probabilities of scikit-learn classifiers) as JSON
/// text: a sequence becomes one BYTES element per entry, a map a JSON object. Thread-safe (stateless).
/// </summary>
internal static class NonTensorJson
{
    public static string[] ToElements(OrtValue value)
    {
        if (value.OnnxType != OnnxValueType.ONNX_TYPE_SEQUENCE)
        {
            return [ToJsonText(value)];
        }

        var elements = new string[value.GetValueCount()];
        for (var i = 0; i < elements.Length; i++)
        {
            using var element = value.GetValue(i, OrtAllocator.DefaultInstance);
            elements[i] = ToJsonText(element);
        }

        return elements;
    }

    private static string ToJsonText(OrtValue value)
    {
        using var buffer = new PooledBufferWriter(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteValue(writer, value);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteValue(Utf8JsonWriter writer, OrtValue value)
    {
        switch (value.OnnxType)
        {
            case OnnxValueType.ONNX_TYPE_TENSOR:
                var info = value.GetTensorTypeAndShape();
                TensorDataWriter.WriteElements(writer, value, info.ElementDataType, info.ElementCount);
                break;
            case OnnxValueType.ONNX_TYPE_SEQUENCE:
                writer.WriteStartArray();
                for (var i = 0; i < value.GetValueCount(); i++)
                {
                    using var element = value.GetValue(i, OrtAllocator.DefaultInstance);
                    WriteValue(writer, element);
                }

                writer.WriteEndArray();
                break;
            case OnnxValueType.ONNX_TYPE_MAP:
                WriteMap(writer, value);
                break;
            default:
                writer.WriteNullValue();
                break;
        }
    }

    private static void WriteMap(Utf8JsonWriter writer, OrtValue map)
    {
        using var keys = map.GetValue(0, OrtAllocator.DefaultInstance);
        using var values = map.GetValue(1, OrtAllocator.DefaultInstance);
        var keyInfo = keys.GetTensorTypeAndShape();
        var valueInfo = values.GetTensorTypeAndShape();
        var keyText = new string[keyInfo.ElementCount];
        for (var i = 0; i < keyText.Length; i++)
        {
            keyText[i] = keyInfo.IsString ? keys.GetStringElement(i) : keys.GetTensorDataAsSpan<long>()[i].ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        // Write the values as an array once, then re-read them to pair each with its key.
        using var valueBuffer = new PooledBufferWriter(256);
        using (var valueWriter = new Utf8JsonWriter(valueBuffer))
        {
            TensorDataWriter.WriteElements(valueWriter, values, valueInfo.ElementDataType, valueInfo.ElementCount);
        }

        using var parsed = JsonDocument.Parse(valueBuffer.WrittenMemory);
        writer.WriteStartObject();
        var index = 0;
        foreach (var element in parsed.RootElement.EnumerateArray())
        {
            writer.WritePropertyName(keyText[index++]);
            element.WriteTo(writer);
        }

        writer.WriteEndObject();
    }
}
