using System.Buffers;
using Microsoft.ML.OnnxRuntime;
using Serverless.Core.Onnx;

namespace Serverless.Core.Protocol;

/// <summary>
/// Writes the OIP v2 infer response <c>{model_name, model_version, id, outputs:[{name, datatype, shape, data}]}</c>
/// straight from ONNX Runtime's output values into a buffer. Thread-safe (stateless; one cached writer per thread).
/// </summary>
public static class InferResponseWriter
{
    public static void Write(IBufferWriter<byte> output, string modelName, string modelVersion, string id,
        IReadOnlyList<string> outputNames, IReadOnlyCollection<OrtValue> outputValues)
    {
        var writer = JsonWriterCache.Rent(output);
        writer.WriteStartObject();
        writer.WriteString(OipJson.ModelName, modelName);
        writer.WriteString(OipJson.ModelVersion, modelVersion);
        writer.WriteString(OipJson.Id, id);
        writer.WriteStartArray(OipJson.Outputs);
        var index = 0;
        foreach (var value in outputValues)
        {
            writer.WriteStartObject();
            writer.WriteString(OipJson.Name, outputNames[index++]);
            if (value.IsTensor)
            {
                var info = value.GetTensorTypeAndShape();
                writer.WriteString(OipJson.Datatype, OipDatatypes.FromElementType(info.ElementDataType));
                writer.WriteStartArray(OipJson.Shape);
                foreach (var dim in info.Shape)
                {
                    writer.WriteNumberValue(dim);
                }

                writer.WriteEndArray();
                writer.WritePropertyName(OipJson.Data);
                TensorDataWriter.WriteElements(writer, value, info.ElementDataType, info.ElementCount);
            }
            else
            {
                var elements = NonTensorJson.ToElements(value);
                writer.WriteString(OipJson.Datatype, OipDatatypes.Bytes);
                writer.WriteStartArray(OipJson.Shape);
                writer.WriteNumberValue(elements.Length);
                writer.WriteEndArray();
                writer.WriteStartArray(OipJson.Data);
                foreach (var element in elements)
                {
                    writer.WriteStringValue(element);
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.Flush();
    }
}
