using System.Buffers;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Serverless.Core.Onnx;

namespace Serverless.Core.Protocol;

/// <summary>
/// Writes the OIP v2 infer response <c>{model_name, model_version, id, outputs:[{name, datatype, shape, data}]}</c>
/// straight from ONNX Runtime's output values into a buffer. Outputs the request asks for as binary data
/// (<see cref="InferRequest.IsBinaryOutput"/>) carry <c>parameters.binary_data_size</c> instead of <c>data</c>, and their raw
/// bytes follow the JSON in output order (<see cref="BinaryTensorData"/>); sequence and map outputs stay JSON.
/// Thread-safe (stateless; one cached writer per thread).
/// </summary>
public static class InferResponseWriter
{
    /// <summary>
    /// Writes the answer; returns the JSON header's length in bytes when binary outputs follow it, else -1 (all JSON).
    /// <paramref name="parameters"/>, when given, writes the answer's <c>parameters</c> object's members.
    /// </summary>
    public static int Write(IBufferWriter<byte> output, string modelName, string modelVersion, string id,
        IReadOnlyList<string> outputNames, IReadOnlyCollection<OrtValue> outputValues, InferRequest? request = null, Action<Utf8JsonWriter>? parameters = null)
    {
        var writer = JsonWriterCache.Rent(output);
        writer.WriteStartObject();
        writer.WriteString(OipJson.ModelName, modelName);
        writer.WriteString(OipJson.ModelVersion, modelVersion);
        writer.WriteString(OipJson.Id, id);
        if (parameters is not null)
        {
            writer.WriteStartObject(OipJson.Parameters);
            parameters(writer);
            writer.WriteEndObject();
        }

        writer.WriteStartArray(OipJson.Outputs);
        var index = 0;
        var anyBinary = false;
        foreach (var value in outputValues)
        {
            writer.WriteStartObject();
            writer.WriteString(OipJson.Name, outputNames[index]);
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
                if (request?.IsBinaryOutput(index) == true)
                {
                    anyBinary = true;
                    writer.WriteStartObject(OipJson.Parameters);
                    writer.WriteNumber(OipJson.BinaryDataSize, TensorBytesWriter.Size(value, info));
                    writer.WriteEndObject();
                }
                else
                {
                    writer.WritePropertyName(OipJson.Data);
                    TensorDataWriter.WriteElements(writer, value, info.ElementDataType, info.ElementCount);
                }
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
            index++;
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.Flush();
        if (!anyBinary)
        {
            return -1;
        }

        var headerLength = (int)writer.BytesCommitted;
        index = 0;
        foreach (var value in outputValues)
        {
            if (value.IsTensor && request!.IsBinaryOutput(index))
            {
                TensorBytesWriter.Write(output, value, value.GetTensorTypeAndShape());
            }

            index++;
        }

        return headerLength;
    }
}
