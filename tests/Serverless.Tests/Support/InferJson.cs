using System.Text.Json;

namespace Serverless.Tests.Support;

/// <summary>Builds OIP v2 infer request bodies; data is passed as raw JSON so tests control exactly what is sent.</summary>
internal static class InferJson
{
    /// <summary>One element of <c>inputs</c>.</summary>
    public static string Input(string name, string datatype, long[] shape, string dataJson) =>
        $$"""{"name":{{JsonSerializer.Serialize(name)}},"datatype":"{{datatype}}","shape":[{{string.Join(",", shape)}}],"data":{{dataJson}}}""";

    /// <summary>A request with the given inputs and no other members.</summary>
    public static string Request(params string[] inputs) => $$"""{"inputs":[{{string.Join(",", inputs)}}]}""";

    /// <summary>A request with the given inputs that asks for only <paramref name="outputs"/>.</summary>
    public static string RequestWithOutputs(string[] outputs, params string[] inputs) => AskingFor(Request(inputs), outputs);

    /// <summary>Adds an <c>outputs</c> member asking for <paramref name="outputs"/> to a request object.</summary>
    public static string AskingFor(string request, params string[] outputs)
    {
        var requested = string.Join(",", outputs.Select(o => $$"""{"name":{{JsonSerializer.Serialize(o)}}}"""));
        return request[..request.LastIndexOf('}')] + $$""","outputs":[{{requested}}]}""";
    }
}
