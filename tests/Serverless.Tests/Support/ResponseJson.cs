using System.Text.Json;

namespace Serverless.Tests.Support;

/// <summary>Reads parts of an OIP v2 infer response.</summary>
internal static class ResponseJson
{
    public static JsonElement Output(JsonElement response, string name)
    {
        var matches = response.GetProperty("outputs").EnumerateArray().Where(o => o.GetProperty("name").GetString() == name).ToList();
        return Assert.Single(matches);
    }

    public static string[] OutputNames(JsonElement response) =>
        response.GetProperty("outputs").EnumerateArray().Select(o => o.GetProperty("name").GetString()!).ToArray();

    public static long[] Shape(JsonElement output) => output.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();

    public static float[] Floats(JsonElement output) => output.GetProperty("data").EnumerateArray().Select(e => e.GetSingle()).ToArray();

    public static string[] Strings(JsonElement output) => output.GetProperty("data").EnumerateArray().Select(e => e.GetString()!).ToArray();

    /// <summary>Asserts two JSON values are equal by value (numbers compared numerically, strings unescaped).</summary>
    public static void AssertJsonEqual(string expectedJson, JsonElement actual)
    {
        using var expected = JsonDocument.Parse(expectedJson);
        Assert.True(JsonElement.DeepEquals(expected.RootElement, actual), $"Expected {expectedJson} but got {actual.GetRawText()}.");
    }
}
