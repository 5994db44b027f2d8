using System.Text.Json;
using Microsoft.ML.OnnxRuntime.Tensors;
using Serverless.Core.Buffers;
using Serverless.Core.Models;
using Serverless.Core.Onnx;

namespace Serverless.Core.Serving;

/// <summary>
/// Builds a synthetic OIP request body from a model's signature (every free dimension 1, zeros, false and
/// empty strings), so warming a model runs the whole serving path once (JSON decode, Run, JSON encode) and
/// the first real request finds both the session and the code warm. A signature whose request would hold more
/// than the given number of elements (see <see cref="WarmupElements"/>) gets none.
/// </summary>
public static class WarmupRequest
{
    /// <summary>
    /// The request body as UTF-8 JSON, or null when an input is not a tensor (such models load but are not warmed)
    /// or the request would hold more than <paramref name="maxElements"/> elements.
    /// </summary>
    public static byte[]? CreateJson(LoadedModel model, long maxElements = ServingOptions.DefaultMaxWarmupElements) =>
        model.Inputs.Any(i => !i.IsTensor || i.ElementType == TensorElementType.DataTypeMax)
            ? null
            : CreateJson(model.Inputs.Select(i => new TensorSpec(i.Name, i.Datatype, i.Dimensions)).ToList(), maxElements);

    /// <summary>
    /// The request body for a registered signature, or null when an input has no protocol datatype or the request
    /// would hold more than <paramref name="maxElements"/> elements.
    /// </summary>
    public static byte[]? CreateJson(IReadOnlyList<TensorSpec> inputs, long maxElements = ServingOptions.DefaultMaxWarmupElements)
    {
        if (WarmupElements.Of(inputs) > maxElements)
        {
            return null;
        }

        var types = new TensorElementType[inputs.Count];
        for (var i = 0; i < inputs.Count; i++)
        {
            if (!OipDatatypes.TryToElementType(inputs[i].Datatype, out types[i]))
            {
                return null;
            }
        }

        using var buffer = new PooledBufferWriter(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("id", "warmup");
            writer.WriteStartArray("inputs");
            for (var index = 0; index < inputs.Count; index++)
            {
                var input = inputs[index];
                var shape = input.Shape.Select(d => d < 0 ? 1L : d).ToArray();
                writer.WriteStartObject();
                writer.WriteString("name", input.Name);
                writer.WriteString("datatype", input.Datatype);
                writer.WriteStartArray("shape");
                foreach (var dim in shape)
                {
                    writer.WriteNumberValue(dim);
                }

                writer.WriteEndArray();
                writer.WriteStartArray("data");
                var count = WarmupElements.Of(shape);
                for (var i = 0L; i < count; i++)
                {
                    WriteZero(writer, types[index]);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteZero(Utf8JsonWriter writer, TensorElementType type)
    {
        switch (type)
        {
            case TensorElementType.Bool:
                writer.WriteBooleanValue(false);
                break;
            case TensorElementType.String:
                writer.WriteStringValue(string.Empty);
                break;
            default:
                writer.WriteNumberValue(0);
                break;
        }
    }
}
