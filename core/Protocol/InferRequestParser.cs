using System.Text.Json;
using Serverless.Core.Errors;

namespace Serverless.Core.Protocol;

/// <summary>
/// Parses an OIP v2 infer request against a loaded model in one pass with <see cref="Utf8JsonReader"/>:
/// every check a client can fail (malformed JSON, unknown or missing input, datatype, rank, dimensions,
/// element count, element values) becomes a <see cref="ServingException"/> (BadRequest) naming the input.
/// <para>
/// Memory is bounded by the body, never by what the body declares: a tensor is allocated only once its shape is known
/// to fit the bytes of its <c>data</c> (every numeric element takes at least one byte and a separator; BYTES elements
/// are counted exactly first), so a request's working memory stays within a small multiple of its size. The
/// <c>id</c> is at most <see cref="InferRequest.MaxIdLength"/> characters.
/// </para>
/// Thread-safe (stateless).
/// </summary>
public static partial class InferRequestParser
{
    /// <summary>Parses a request whose whole body is JSON.</summary>
    public static InferRequest Parse(ReadOnlySpan<byte> json, IInferSignature model) => Parse(json, -1, model);

    /// <summary>
    /// Parses a request; with <paramref name="headerLength"/> ≥ 0 (the <see cref="BinaryTensorData.HeaderName"/> header) the
    /// body is that many bytes of JSON followed by the binary tensor data of the inputs that carry
    /// <c>parameters.binary_data_size</c>, in input order, which must add up to exactly the bytes that follow.
    /// </summary>
    public static InferRequest Parse(ReadOnlySpan<byte> body, long headerLength, IInferSignature model)
    {
        if (headerLength > body.Length)
        {
            throw ServingException.BadRequest(
                $"The {BinaryTensorData.HeaderName} header says the JSON takes {headerLength} byte(s), but the body has only {body.Length}.");
        }

        var json = headerLength < 0 ? body : body[..(int)headerLength];
        var binary = new BinarySegments(headerLength < 0 ? default : body[(int)headerLength..], present: headerLength >= 0);
        var request = new InferRequest();
        try
        {
            ParseInto(json, ref binary, model, request);
            return request;
        }
        catch (JsonException e)
        {
            request.Dispose();
            throw JsonErrorText.BadRequest(e, json, headerLength < 0 ? "The body" : "The JSON header");
        }
        catch (InvalidOperationException e) when (e.TargetSite?.Module.Assembly == typeof(Utf8JsonReader).Assembly)
        {
            // The reader refuses to decode invalid UTF-8 or an unpaired surrogate escape (in a value or a property name).
            request.Dispose();
            throw JsonErrorText.BadRequest(e);
        }
        catch
        {
            request.Dispose();
            throw;
        }
    }

    private static void ParseInto(ReadOnlySpan<byte> json, ref BinarySegments binary, IInferSignature model, InferRequest request)
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
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        throw ServingException.BadRequest($"Each element of 'inputs' (element {request.InputNames.Count}) must be an object.");
                    }

                    ParseInput(ref reader, json, ref binary, model, request);
                }

                sawInputs = true;
            }
            else if (reader.ValueTextEquals(OipJson.OutputsUtf8))
            {
                ParseRequestedOutputs(ref reader, model, request);
            }
            else if (reader.ValueTextEquals(OipJson.ParametersUtf8))
            {
                request.BinaryDataOutput = InferParameters.Read(ref reader, InferParameters.Key.BinaryDataOutput, "The request").BinaryData ?? false;
            }
            else if (reader.ValueTextEquals(OipJson.IdUtf8))
            {
                reader.Read();
                request.Id = reader.TokenType switch
                {
                    JsonTokenType.String => ReadId(ref reader),
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

        if (binary.Consumed != binary.Length)
        {
            throw ServingException.BadRequest(
                $"The body has {binary.Length} byte(s) after its JSON header but the inputs' binary_data_size add up to {binary.Consumed}.");
        }
    }

    private static void ParseInput(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, ref BinarySegments binary, IInferSignature model, InferRequest request)
    {
        string? name = null;
        string? datatype = null;
        long[]? shape = null;
        int dataStart = -1, dataLength = 0;
        long binarySize = -1;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(OipJson.NameUtf8))
            {
                name = ReadString(ref reader) ?? throw ServingException.BadRequest("An input's 'name' must be a string.");
            }
            else if (reader.ValueTextEquals(OipJson.DatatypeUtf8))
            {
                datatype = ReadString(ref reader) ?? throw ServingException.BadRequest($"The 'datatype' of input '{Quote(name)}' must be a string.");
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
                binarySize = InferParameters.Read(ref reader, InferParameters.Key.BinaryDataSize,
                    name is null ? $"Input {request.InputNames.Count}" : $"Input '{Quote(name)}'").BinaryDataSize;
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

        if (binarySize >= 0 && !binary.Present)
        {
            throw ServingException.BadRequest(
                $"Input '{Quote(name)}' has parameters.binary_data_size but the request has no {BinaryTensorData.HeaderName} header: send the JSON's byte length " +
                "in it and the tensor bytes after the JSON (the binary tensor extension), or send 'data' as JSON.");
        }

        if (binarySize >= 0 && dataStart >= 0)
        {
            throw ServingException.BadRequest($"Input '{Quote(name)}' has both 'data' and parameters.binary_data_size; send its elements one way.");
        }

        var input = model.FindInput(name) ?? throw ServingException.BadRequest(
            $"Unknown input '{Quote(name)}'. The model's inputs are: {string.Join(", ", model.Inputs.Select(i => $"'{i.Name}' ({i.Datatype} {i.ShapeText})"))}.");
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
            throw ServingException.BadRequest($"Input '{name}' has datatype {Quote(datatype)} but the model expects {input.Datatype}.");
        }

        if (shape is null)
        {
            throw ServingException.BadRequest($"Input '{name}' has no 'shape'; the model expects {input.ShapeText}.");
        }

        var elementCount = CheckShape(input, shape);
        if (binarySize >= 0)
        {
            var bytes = binary.Take(name, binarySize);
            request.InputNames.Add(name);
            request.InputValues.Add(BinaryTensorDecoder.Decode(bytes, name, input.ElementType, datatype, shape, elementCount));
            return;
        }

        if (dataStart < 0)
        {
            throw ServingException.BadRequest($"Input '{name}' has no 'data'.");
        }

        // Before anything is allocated for the shape: every element takes at least one byte and a separator, so a shape
        // needing more elements than that is refused (counting them only on this error path, for the message).
        var data = json.Slice(dataStart, dataLength);
        if (elementCount > MaxElementsIn(dataLength))
        {
            throw TensorDataDecoder.CountMismatch(name, TensorDataDecoder.CountElements(data), elementCount);
        }

        var value = TensorDataDecoder.Decode(data, name, input.ElementType, datatype, shape, elementCount);
        request.InputNames.Add(name);
        request.InputValues.Add(value);
    }

    /// <summary>The most elements <paramref name="dataLength"/> bytes of JSON can hold: <c>[1,2,3]</c> is 2n+1 bytes, a bare scalar 1.</summary>
    internal static long MaxElementsIn(int dataLength) => (dataLength + 1L) / 2;

    private static long CheckShape(ModelInput input, long[] shape)
    {
        if (shape.Length != input.Dimensions.Length)
        {
            throw ServingException.BadRequest(
                $"Input '{input.Name}' has shape [{string.Join(",", shape)}] (rank {shape.Length}) but the model expects rank {input.Dimensions.Length}: {input.ShapeText}.");
        }

        long count = 1, nonZero = 1;
        for (var i = 0; i < shape.Length; i++)
        {
            if (input.Dimensions[i] >= 0 && input.Dimensions[i] != shape[i])
            {
                throw ServingException.BadRequest(
                    $"Input '{input.Name}' has shape [{string.Join(",", shape)}] but the model expects {input.ShapeText} (dimension {i} must be {input.Dimensions[i]}).");
            }

            // The product of the non-zero dimensions must not overflow either: a zero cannot hide absurd other dimensions.
            if (shape[i] != 0)
            {
                try
                {
                    nonZero = checked(nonZero * shape[i]);
                }
                catch (OverflowException)
                {
                    throw ServingException.BadRequest($"Input '{input.Name}': shape [{string.Join(",", shape)}] is too large.");
                }
            }
            else
            {
                count = 0;
            }
        }

        return count == 0 ? 0 : nonZero;
    }

    private static long[] ReadShape(ref Utf8JsonReader reader, string? name)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw ServingException.BadRequest($"The 'shape' of input '{Quote(name)}' must be an array.");
        }

        Span<long> dims = stackalloc long[16];
        var rank = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var dim) || dim < 0)
            {
                throw ServingException.BadRequest($"The 'shape' of input '{Quote(name)}' must be an array of non-negative integers.");
            }

            if (rank == dims.Length)
            {
                throw ServingException.BadRequest($"The 'shape' of input '{Quote(name)}' has more than {dims.Length} dimensions.");
            }

            dims[rank++] = dim;
        }

        return dims[..rank].ToArray();
    }

    /// <summary>The next token as a string, or null when it is not a string.</summary>
    private static string? ReadString(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType == JsonTokenType.String ? reader.GetString()! : null;
    }

    private static string ReadId(ref Utf8JsonReader reader)
    {
        // An escape takes at most 6 bytes per character, so a longer token cannot be a short id: refused without decoding it.
        var id = reader.HasValueSequence || reader.ValueSpan.Length > InferRequest.MaxIdLength * 6 ? null : reader.GetString()!;
        if (id is null || id.Length > InferRequest.MaxIdLength)
        {
            throw ServingException.BadRequest($"'id' is longer than {InferRequest.MaxIdLength} characters.");
        }

        return id;
    }

    /// <summary>A client's text for an error message, cut to 40 characters.</summary>
    private static string? Quote(string? text) => text is null || text.Length <= 40 ? text : text[..40] + "...";

    private static void ReadArrayStart(ref Utf8JsonReader reader, string what)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw ServingException.BadRequest($"{Capitalize(what)} must be an array.");
        }
    }

    private static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
