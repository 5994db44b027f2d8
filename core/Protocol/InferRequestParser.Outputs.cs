using System.Text.Json;
using Serverless.Core.Errors;

namespace Serverless.Core.Protocol;

/// <summary>The request's <c>outputs</c>: which outputs to return, and which of them as binary data.</summary>
public static partial class InferRequestParser
{
    private static void ParseRequestedOutputs(ref Utf8JsonReader reader, IInferSignature model, InferRequest request)
    {
        ReadArrayStart(ref reader, "'outputs'");
        var names = new List<string>(2);
        List<bool?>? binary = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw ServingException.BadRequest("Each element of 'outputs' must be an object.");
            }

            string? name = null;
            bool? binaryData = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals(OipJson.NameUtf8))
                {
                    name = ReadString(ref reader) ?? throw ServingException.BadRequest("A requested output's 'name' must be a string.");
                }
                else if (reader.ValueTextEquals(OipJson.ParametersUtf8))
                {
                    binaryData = InferParameters.Read(ref reader, InferParameters.Key.BinaryData,
                        name is null ? $"Requested output {names.Count}" : $"Requested output '{Quote(name)}'").BinaryData;
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
                    $"Unknown output '{Quote(name)}'. The model's outputs are: {string.Join(", ", model.OutputNames.Select(o => $"'{o}'"))}.");
            }

            var index = names.IndexOf(name);
            if (index < 0)
            {
                index = names.Count;
                names.Add(name);
                binary?.Add(null);
            }

            if (binaryData is not null)
            {
                binary ??= [.. Enumerable.Repeat<bool?>(null, names.Count)];
                binary[index] = binaryData;
            }
        }

        request.RequestedOutputs = names;
        request.RequestedOutputBinary = binary;
    }
}
