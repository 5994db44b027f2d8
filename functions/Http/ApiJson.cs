using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Serverless.Core.Errors;

namespace Serverless.Functions.Http;

/// <summary>
/// The API's one JSON configuration: every body the app sends is written with <see cref="Options"/> (snake_case
/// property names; dictionary keys as they are, since they are data) and every JSON body it reads into a record with
/// <see cref="ReadOptions"/> (the same names; an unknown field is an error, so a typo is not silently ignored).
/// The OpenAPI document's schemas come from the same options. Text is written with the relaxed encoder, so quotes and
/// non-ASCII characters stay readable (<c>Unknown input 'größe'</c>, not <c>\u0027gr\u00F6\u00DFe\u0027</c>): every
/// body is <c>application/json</c>, never embedded in HTML (the report pages encode their own text).
/// </summary>
public static class ApiJson
{
    public static JsonSerializerOptions Options { get; } = Freeze(new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
    });

    public static JsonSerializerOptions ReadOptions { get; } = Freeze(new JsonSerializerOptions(Options)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    });

    /// <summary>
    /// Reads a request body into <typeparamref name="T"/> with <see cref="ReadOptions"/>; a body that is not valid JSON or
    /// does not fit the record is a BadRequest saying where and what (<see cref="JsonErrorText"/>).
    /// </summary>
    public static T? Read<T>(ReadOnlySpan<byte> body, string subject = "The body")
    {
        try
        {
            return JsonSerializer.Deserialize<T>(body, ReadOptions);
        }
        catch (JsonException e)
        {
            throw JsonErrorText.BadRequest(e, body, subject, ReadOptions.GetTypeInfo(typeof(T)));
        }
    }

    private static JsonSerializerOptions Freeze(JsonSerializerOptions options)
    {
        options.MakeReadOnly();
        return options;
    }
}
