using System.Text.Json;
using Microsoft.ML.OnnxRuntime.Tensors;
using Serverless.Core.Buffers;
using Serverless.Core.Models;
using Serverless.Core.Onnx;
using Serverless.Core.Protocol;

namespace Serverless.Core.Serving;

/// <summary>
/// Synthetic request bodies for a host's own warm-up of the routes beside the JSON infer of <see cref="WarmupRequest"/>:
/// the binary tensor extension (zeros, every free dimension 1, binary outputs asked for) and the records API (one row of
/// in-range values from the manifest). Each serves one row, so warming a route runs its whole path once. Pure; thread-safe.
/// </summary>
public static class WarmupBodies
{
    /// <summary>
    /// A binary tensor extension request (the JSON header, then zeros) and its JSON header's length, or null when an input
    /// has no fixed element size (BYTES) or no protocol datatype, or the request would hold more than <paramref name="maxElements"/> elements.
    /// </summary>
    public static (byte[] Body, int HeaderLength)? CreateBinary(IReadOnlyList<TensorSpec> inputs, long maxElements = ServingOptions.DefaultMaxWarmupElements)
    {
        if (WarmupElements.Of(inputs) > maxElements)
        {
            return null;
        }

        var sizes = new long[inputs.Count];
        for (var i = 0; i < inputs.Count; i++)
        {
            if (!OipDatatypes.TryToElementType(inputs[i].Datatype, out var type) || type == TensorElementType.String
                || BinaryTensorData.ElementSize(type) is var size && size == 0)
            {
                return null;
            }

            sizes[i] = WarmupElements.Of(inputs[i].Shape) * size;
        }

        using var buffer = new PooledBufferWriter(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("inputs");
            for (var index = 0; index < inputs.Count; index++)
            {
                writer.WriteStartObject();
                writer.WriteString("name", inputs[index].Name);
                writer.WriteString("datatype", inputs[index].Datatype);
                writer.WriteStartArray("shape");
                foreach (var dim in inputs[index].Shape)
                {
                    writer.WriteNumberValue(dim < 0 ? 1L : dim);
                }

                writer.WriteEndArray();
                writer.WriteStartObject("parameters");
                writer.WriteNumber("binary_data_size", sizes[index]);
                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteStartObject("parameters");
            writer.WriteBoolean("binary_data_output", true);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        var headerLength = buffer.WrittenCount;
        var body = new byte[headerLength + sizes.Sum()];
        buffer.WrittenSpan.CopyTo(body);
        return (body, headerLength);
    }

    /// <summary>
    /// A records request (<c>{"instances": [...]}</c>) of one row the manifest accepts: each numeric feature 0 moved into its
    /// bounds (whole, for integer inputs), each categorical one its first listed category (else "a").
    /// </summary>
    public static byte[] CreateRecordsJson(ModelManifest manifest)
    {
        using var buffer = new PooledBufferWriter(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("instances");
            writer.WriteStartObject();
            foreach (var feature in manifest.Features)
            {
                if (feature.Type == FeatureType.Numeric)
                {
                    writer.WriteNumber(feature.Name, InRange(feature));
                }
                else
                {
                    writer.WriteString(feature.Name, feature.Values is [var first, ..] ? first : "a");
                }
            }

            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static double InRange(FeatureSpec feature)
    {
        var value = 0d;
        if (feature.Min is { } min && value < min)
        {
            value = Math.Ceiling(min);
        }

        if (feature.Max is { } max && value > max)
        {
            value = Math.Floor(max);
        }

        return feature.Min is { } low && value < low ? low : value;
    }
}
