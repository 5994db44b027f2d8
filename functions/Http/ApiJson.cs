using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Serverless.Functions.Http;

/// <summary>
/// The API's one JSON configuration: every body the app sends is written with <see cref="Options"/> (snake_case
/// property names; dictionary keys as they are, since they are data) and every JSON body it reads into a record with
/// <see cref="ReadOptions"/> (the same names; an unknown field is an error, so a typo is not silently ignored).
/// The OpenAPI document's schemas come from the same options.
/// </summary>
public static class ApiJson
{
    public static JsonSerializerOptions Options { get; } = Freeze(new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
    });

    public static JsonSerializerOptions ReadOptions { get; } = Freeze(new JsonSerializerOptions(Options)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    });

    private static JsonSerializerOptions Freeze(JsonSerializerOptions options)
    {
        options.MakeReadOnly();
        return options;
    }
}
