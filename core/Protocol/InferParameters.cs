using System.Text.Json;
using Serverless.Core.Errors;

namespace Serverless.Core.Protocol;

/// <summary>
/// Reads a <c>parameters</c> object of an infer request (the request's, an input's or a requested output's) for the
/// binary tensor extension's keys; other keys are skipped, and a <c>parameters</c> that is not an object is ignored.
/// A key that is read but holds the wrong kind of value is a BadRequest naming it. Thread-safe (stateless).
/// </summary>
internal static class InferParameters
{
    /// <summary>Which key a <c>parameters</c> object may carry where it is read.</summary>
    public enum Key
    {
        /// <summary>An input's byte count after the JSON header: a non-negative integer.</summary>
        BinaryDataSize,

        /// <summary>The request's default for every output: <c>binary_data_output</c>, a boolean.</summary>
        BinaryDataOutput,

        /// <summary>A requested output's own choice: <c>binary_data</c> (Triton's and KServe's name) or <c>binary_data_output</c>, a boolean.</summary>
        BinaryData,
    }

    /// <summary>What was found: <see cref="BinaryDataSize"/> -1 and <see cref="BinaryData"/> null when absent.</summary>
    public readonly record struct Values(long BinaryDataSize, bool? BinaryData);

    /// <summary>Reads the value after a <c>parameters</c> property name; <paramref name="owner"/> names it in errors ("Input 'x'").</summary>
    public static Values Read(ref Utf8JsonReader reader, Key key, string owner)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return new Values(-1, null);
        }

        long size = -1;
        bool? binary = null;
        var depth = reader.CurrentDepth;
        while (reader.Read() && !(reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == depth))
        {
            if (reader.TokenType != JsonTokenType.PropertyName)
            {
                reader.Skip();
                continue;
            }

            if (key == Key.BinaryDataSize && reader.ValueTextEquals(OipJson.BinaryDataSizeUtf8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out size) || size < 0)
                {
                    throw ServingException.BadRequest($"{owner}: parameters.binary_data_size must be a non-negative integer, its byte count after the JSON header.");
                }
            }
            else if ((key == Key.BinaryDataOutput || key == Key.BinaryData) && reader.ValueTextEquals(OipJson.BinaryDataOutputUtf8)
                     || key == Key.BinaryData && reader.ValueTextEquals(OipJson.BinaryDataUtf8))
            {
                var what = reader.ValueTextEquals(OipJson.BinaryDataUtf8) ? "binary_data" : "binary_data_output";
                reader.Read();
                binary = reader.TokenType switch
                {
                    JsonTokenType.True => true,
                    JsonTokenType.False => false,
                    _ => throw ServingException.BadRequest($"{owner}: parameters.{what} must be true or false."),
                };
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return new Values(size, binary);
    }
}
