using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Serverless.Core.Errors;

namespace Serverless.Tests.Errors;

/// <summary>JSON the readers refuse, said in plain words: where (1-based line and column) and what, or which field and why.</summary>
public sealed class JsonErrorTextTests
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
    };

    [Theory]
    [InlineData("""{"a": x}""", "line 1, column 7: 'x' cannot start a value")]
    [InlineData("""{"a": 1}}""", "line 1, column 9: '}' after the end of the JSON value (one value per body)")]
    [InlineData("""{"a": 1} x""", "line 1, column 10: 'x' after the end of the JSON value (one value per body)")]
    [InlineData("""[1,2,]""", "line 1, column 6: a comma cannot come right before ']'")]
    [InlineData("""{"a": 1,}""", "line 1, column 9: a comma cannot come right before '}'")]
    [InlineData("""{"a" 1}""", "line 1, column 6: expected ':' after a field name, found '1'")]
    [InlineData("""{a: 1}""", "line 1, column 2: expected a field name in double quotes, found 'a'")]
    [InlineData("""{"a": tru}""", "line 1, column 10: expected true, found 'tru}'")]
    [InlineData("""{"a": 01}""", "line 1, column 8: a number cannot start with 0 followed by more digits")]
    [InlineData("""{"a": 1.}""", "line 1, column 9: a digit must follow the decimal point, found '}'")]
    [InlineData("""{"a": -}""", "line 1, column 8: a digit must follow a sign or exponent, found '}'")]
    [InlineData("""{"a": "\q"}""", @"line 1, column 9: '\q' is not an escape a string may hold")]
    [InlineData("""{"a": "\u12G4"}""", @"line 1, column 12: '\u' must be followed by four hex digits, found 'G'")]
    [InlineData("""{"a": [1}""", "line 1, column 9: '}' does not match an open bracket")]
    [InlineData("{\"a\": \"x\ty\"}", "line 1, column 9: the control character U+0009 must be escaped inside a string")]
    [InlineData("""{"a": 1 2}""", "line 1, column 9: expected ',' or a closing bracket after a value, found '2'")]
    [InlineData("/* note */ {}", "line 1, column 1: '/' cannot start a value")]
    [InlineData("\n\n  {\"a\":\n  x}", "line 4, column 3: 'x' cannot start a value")]
    public void Describe_SyntaxError_SaysWhereAndWhatInPlainWords(string json, string expected) =>
        Assert.Equal($"The body is not valid JSON: {expected}.", Read(json));

    [Fact]
    public void Describe_NonAsciiBeforeTheError_CountsCharactersNotBytesAndShowsTheCharacter() =>
        Assert.Equal("The body is not valid JSON: line 1, column 11: 'ü' cannot start a value.", Read("""{"größe": ü}"""));

    [Theory]
    [InlineData("""{"a": 1""")]
    [InlineData("""{"a": "abc""", " (a string is not closed)")]
    [InlineData("""{"a": [1]""", " (an object or array is not closed)")]
    [InlineData("""{"a":""", " (an object or array is not closed)")]
    [InlineData("""{"a" """)]
    [InlineData("nul")]
    public void Describe_BodyCutShort_SaysItEndsBeforeTheJsonIsComplete(string json, string detail = "") =>
        Assert.Equal($"The body is not valid JSON: the body ends before the JSON is complete{detail}.", Read(json));

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Describe_EmptyBody_SaysItIsEmpty(string json) =>
        Assert.Equal("The body is not valid JSON: it is empty.", Read(json));

    [Fact]
    public void Describe_TooDeep_SaysHowDeepItMayGo() =>
        Assert.Equal("The body is not valid JSON: line 1, column 65: the JSON is nested more than 64 levels deep.", Read(new string('[', 65) + new string(']', 65)));

    [Fact]
    public void Describe_LongLiteral_IsCutNotEchoed()
    {
        var message = Read("{\"a\": " + new string('t', 5_000) + "}");

        Assert.True(message.StartsWith("The body is not valid JSON: line 1, column ", StringComparison.Ordinal), message);
        Assert.True(message.Length < 150, message);
    }

    [Theory]
    [InlineData("""{"shape": "x"}""", "Field 'shape' must be an array of integers, not a string.")]
    [InlineData("""{"shape": [1, "a"]}""", "Field 'shape[1]' must be an integer, not a string.")]
    [InlineData("""{"name": 5}""", "Field 'name' must be a string, not 5.")]
    [InlineData("""{"count": 1.5}""", "Field 'count' must be an integer, not 1.5.")]
    [InlineData("""{"count": 99999999999}""", "Field 'count' must be an integer from -2147483648 to 2147483647, not 99999999999.")]
    [InlineData("""{"count": true}""", "Field 'count' must be an integer, not true.")]
    [InlineData("""{"nested": {"flag": 3}}""", "Field 'nested.flag' must be true or false, not 3.")]
    [InlineData("""{"items": [{"flag": "x"}]}""", "Field 'items[0].flag' must be true or false, not a string.")]
    [InlineData("""{"map": {"k": "v"}}""", "Field 'map.k' must be a number, not a string.")]
    [InlineData("""{"map": []}""", "Field 'map' must be an object of numbers, not an array.")]
    [InlineData("""{"when": "yesterday"}""", "Field 'when' must be a date and time (an ISO 8601 string such as 2025-01-31T12:00:00Z), not a string.")]
    [InlineData("""{"tags": {"a": 1}}""", "Field 'tags' must be an array of strings, not an object.")]
    [InlineData("""{"ratio": null}""", "Field 'ratio' must be a number, not null.")]
    [InlineData("""[1]""", "The body must be an object, not an array.")]
    public void Describe_ValueOfTheWrongType_NamesTheFieldByItsJsonPath(string json, string expected) =>
        Assert.Equal(expected, Deserialize<Doc>(json));

    [Fact]
    public void Describe_UnknownField_NamesItAndTheKnownOnes() =>
        Assert.Equal("Unknown field 'num_leafs' (known fields: shape, name, count, ratio, nested, items, map, tags, when).",
            Deserialize<Doc>("""{"num_leafs": 3}"""));

    [Fact]
    public void Describe_UnknownNestedField_NamesItsPath() =>
        Assert.Equal("Unknown field 'nested.weird key' (known fields: flag).", Deserialize<Doc>("""{"nested": {"weird key": 1}}"""));

    [Fact]
    public void Describe_MissingRequiredField_NamesIt() =>
        Assert.Equal("Field 'req' is required.", Deserialize<WithRequired>("""{"other": 1}"""));

    [Fact]
    public void Describe_LongUnknownField_IsCut()
    {
        var message = Deserialize<Doc>($$"""{"{{new string('z', 3_000)}}": 1}""");

        Assert.StartsWith("Unknown field 'zzzz", message);
        Assert.True(message.Length < 300, message);
    }

    [Fact]
    public void Describe_SyntaxErrorThroughTheSerializer_IsASyntaxError() =>
        Assert.Equal("The body is not valid JSON: line 1, column 11: 'x' cannot start a value.", Deserialize<Doc>("""{"shape": x}"""));

    [Fact]
    public void Describe_OtherSubject_NamesIt() =>
        Assert.Equal("The manifest field 'count' must be an integer, not true.",
            JsonErrorText.Describe(Catch<Doc>("""{"count": true}"""), Encoding.UTF8.GetBytes("""{"count": true}"""), "The manifest", Options.GetTypeInfo(typeof(Doc))));

    [Fact]
    public void DescribeLine_SyntaxError_GivesTheColumnOnly()
    {
        var json = Encoding.UTF8.GetBytes("""{"a": x}""");

        Assert.Equal("column 7: 'x' cannot start a value", JsonErrorText.DescribeLine(CatchReader(json), json));
    }

    [Fact]
    public void BadRequest_InvalidUtf8_SaysSo()
    {
        var json = new byte[] { (byte)'"', 0xC3, 0x28, (byte)'"' };
        var reader = new Utf8JsonReader(json);
        reader.Read();
        InvalidOperationException? error = null;
        try
        {
            reader.GetString();
        }
        catch (InvalidOperationException e)
        {
            error = e;
        }

        Assert.Equal("The body holds text that is not valid UTF-8.", JsonErrorText.BadRequest(error!).Message);
    }

    private static string Read(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        return JsonErrorText.Describe(CatchReader(bytes), bytes);
    }

    private static JsonException CatchReader(byte[] json)
    {
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
            while (reader.Read())
            {
            }
        }
        catch (JsonException e)
        {
            return e;
        }

        throw new InvalidOperationException("The JSON was read without an error.");
    }

    private static string Deserialize<T>(string json) =>
        JsonErrorText.BadRequest(Catch<T>(json), Encoding.UTF8.GetBytes(json), target: Options.GetTypeInfo(typeof(T))).Message;

    private static JsonException Catch<T>(string json)
    {
        try
        {
            JsonSerializer.Deserialize<T>(json, Options);
        }
        catch (JsonException e)
        {
            return e;
        }

        throw new InvalidOperationException("The JSON was read without an error.");
    }

    private sealed record Doc(int[]? Shape, string? Name, int? Count, double Ratio, Nested? Nested, List<Nested>? Items, Dictionary<string, double>? Map,
        IReadOnlyList<string>? Tags, DateTimeOffset? When);

    private sealed record WithRequired(int? Other)
    {
        public required string Req { get; init; }
    }

    private sealed record Nested(bool? Flag);
}
