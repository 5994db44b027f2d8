using System.Text.Json;
using Serverless.Core.Errors;
using Serverless.Core.Serving;

namespace Serverless.Core.Protocol;

/// <summary>
/// Parses an OIP v2 infer request against a loaded model in one pass with <see cref="Utf8JsonReader"/>:
/// every check a client can fail (malformed JSON, unknown or missing input, datatype, rank, dimensions,
/// element count, element values) becomes a <see cref="ServingException"/> (BadRequest) naming the input.
/// Thread-safe (stateless).
/// </summary>
public static class InferRequestParser
{
    public static InferRequest Parse(ReadOnlySpan<byte> json, LoadedModel model)
    {
        var request = new InferRequest();
        try
        {
            ParseInto(json, model, request);
            return request;
        }
        catch (JsonException e)
        {
            request.Dispose();
            throw ServingException.BadRequest($"Malformed JSON in the request body: {e.Message}", e);
        }
        catch
        {
            request.Dispose();
            throw;
        }
    }

    private static void ParseInto(ReadOnlySpan<byte> json, LoadedModel model, InferRequest request)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw ServingException.BadRequest("The request body must be a JSON object with an 'inputs' array.");
        }

        var sawInputs = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(OipJson.InputsUtf8))
            {
                ReadArrayStart(ref reader, "'inputs'");
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    ExpectObject(ref reader, $"each element of 'inputs' (element {request.InputNames.Count})");
                    ParseInput(ref reader, json, model, request);
                }

                sawInputs = true;
            }
            else if (reader.ValueTextEquals(OipJson.OutputsUtf8))
            {
                request.RequestedOutputs = ParseRequestedOutputs(ref reader, model);
            }
            else if (reader.ValueTextEquals(OipJson.IdUtf8))
            {
                reader.Read();
                request.Id = reader.TokenType switch
                {
                    JsonTokenType.String => reader.GetString(),
                    JsonTokenType.Null => null,
                    _ => throw ServingException.BadRequest("'id' must be a string."),
                };
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        // Reading past the root object makes the reader reject anything but whitespace after it.
        reader.Read();
        if (!sawInputs)
        {
            throw ServingException.BadRequest("The request has no 'inputs' array.");
        }

        foreach (var input in model.Inputs)
        {
            if (!request.InputNames.Contains(input.Name))
            {
                throw ServingException.BadRequest($"Missing input '{input.Name}': the model expects {input.Datatype} {input.ShapeText}.");
            }
        }
    }

    private static void ParseInput(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, LoadedModel model, InferRequest request)
    {
        string? name = null;
        string? datatype = null;
        long[]? shape = null;
        int dataStart = -1, dataLength = 0;
        var usesBinaryData = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(OipJson.NameUtf8))
            {
                name = ReadString(ref reader, "an input's 'name'");
            }
            else if (reader.ValueTextEquals(OipJson.DatatypeUtf8))
            {
                datatype = ReadString(ref reader, $"the 'datatype' of input '{name}'");
            }
            else if (reader.ValueTextEquals(OipJson.ShapeUtf8))
            {
                shape = ReadShape(ref reader, name);
            }
            else if (reader.ValueTextEquals(OipJson.DataUtf8))
            {
                reader.Read();
                dataStart = (int)reader.TokenStartIndex;
                reader.Skip();
                dataLength = (int)reader.BytesConsumed - dataStart;
            }
            else if (reader.ValueTextEquals(OipJson.ParametersUtf8))
            {
                usesBinaryData |= HasBinaryDataSize(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (name is null)
        {
            throw ServingException.BadRequest($"Input {request.InputNames.Count} has no 'name'.");
        }

        if (usesBinaryData)
        {
            throw ServingException.BadRequest($"Input '{name}' uses the binary tensor extension, which this server does not accept; send 'data' as JSON.");
        }

        var input = model.FindInput(name) ?? throw ServingException.BadRequest(
            $"Unknown input '{name}'. The model's inputs are: {string.Join(", ", model.Inputs.Select(i => $"'{i.Name}' ({i.Datatype} {i.ShapeText})"))}.");
        if (request.InputNames.Contains(name))
        {
            throw ServingException.BadRequest($"Input '{name}' appears more than once.");
        }

        if (!input.IsTensor)
        {
            throw ServingException.BadRequest($"Input '{name}' is not a tensor (a sequence or map); only tensor inputs can be sent over the protocol.");
        }

        if (datatype is null)
        {
            throw ServingException.BadRequest($"Input '{name}' has no 'datatype'; the model expects {input.Datatype}.");
        }

        if (datatype != input.Datatype)
        {
            throw ServingException.BadRequest($"Input '{name}' has datatype {datatype} but the model expects {input.Datatype}.");
        }

        if (shape is null)
        {
            throw ServingException.BadRequest($"Input '{name}' has no 'shape'; the model expects {input.ShapeText}.");
        }

        var elementCount = CheckShape(input, shape);
        if (dataStart < 0)
        {
            throw ServingException.BadRequest($"Input '{name}' has no 'data'.");
        }

        if (elementCount > json.Length)
        {
            throw ServingException.BadRequest(
                $"Input '{name}': shape [{string.Join(",", shape)}] needs {elementCount} elements, more than the body could hold.");
        }

        var value = TensorDataDecoder.Decode(json.Slice(dataStart, dataLength), name, input.ElementType, datatype, shape, elementCount);
        request.InputNames.Add(name);
        request.InputValues.Add(value);
    }

    private static long CheckShape(ModelInput input, long[] shape)
    {
        if (shape.Length != input.Dimensions.Length)
        {
            throw ServingException.BadRequest(
                $"Input '{input.Name}' has shape [{string.Join(",", shape)}] (rank {shape.Length}) but the model expects rank {input.Dimensions.Length}: {input.ShapeText}.");
        }

        long count = 1;
        for (var i = 0; i < shape.Length; i++)
        {
            if (input.Dimensions[i] >= 0 && input.Dimensions[i] != shape[i])
            {
                throw ServingException.BadRequest(
                    $"Input '{input.Name}' has shape [{string.Join(",", shape)}] but the model expects {input.ShapeText} (dimension {i} must be {input.Dimensions[i]}).");
            }

            try
            {
                count = checked(count * shape[i]);
            }
            catch (OverflowException)
            {
                throw ServingException.BadRequest($"Input '{input.Name}': shape [{string.Join(",", shape)}] is too large.");
            }
        }

        return count;
    }

    private static long[] ReadShape(ref Utf8JsonReader reader, string? name)
    {
        ReadArrayStart(ref reader, $"the 'shape' of input '{name}'");
        Span<long> dims = stackalloc long[16];
        var rank = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var dim) || dim < 0)
            {
                throw ServingException.BadRequest($"The 'shape' of input '{name}' must be an array of non-negative integers.");
            }

            if (rank == dims.Length)
            {
                throw ServingException.BadRequest($"The 'shape' of input '{name}' has more than {dims.Length} dimensions.");
            }

            dims[rank++] = dim;
        }

        return dims[..rank].ToArray();
    }

    private static List<string> ParseRequestedOutputs(ref Utf8JsonReader reader, LoadedModel model)
    {
        ReadArrayStart(ref reader, "'outputs'");
        var names = new List<string>(2);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            ExpectObject(ref reader, "each element of 'outputs'");
            string? name = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals(OipJson.NameUtf8))
                {
                    name = ReadString(ref reader, "a requested output's 'name'");
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            if (name is null)
            {
                throw ServingException.BadRequest("A requested output has no 'name'.");
            }

            if (!model.HasOutput(name))
            {
                throw ServingException.BadRequest(
                    $"Unknown output '{name}'. The model's outputs are: {string.Join(", ", model.OutputNames.Select(o => $"'{o}'"))}.");
            }

            if (!names.Contains(name))
            {
                names.Add(name);
            }
        }

        return names;
    }

    private static bool HasBinaryDataSize(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return false;
        }

        var found = false;
        var depth = reader.CurrentDepth;
        while (reader.Read() && !(reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == depth))
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == depth + 1 && reader.ValueTextEquals(OipJson.BinaryDataSizeUtf8))
            {
                found = true;
            }

            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                reader.Skip();
            }
        }

        return found;
    }

    private static string ReadString(ref Utf8JsonReader reader, string what)
    {
        reader.Read();
        return reader.TokenType == JsonTokenType.String
            ? reader.GetString()!
            : throw ServingException.BadRequest($"{Capitalize(what)} must be a string.");
    }

    private static void ReadArrayStart(ref Utf8JsonReader reader, string what)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw ServingException.BadRequest($"{Capitalize(what)} must be an array.");
        }
    }

    private static void ExpectObject(ref Utf8JsonReader reader, string what)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw ServingException.BadRequest($"{Capitalize(what)} must be an object.");
        }
    }

    private static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
