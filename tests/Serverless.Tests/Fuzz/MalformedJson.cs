using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Serverless.Tests.Fuzz;

/// <summary>
/// Generates malformed request bodies from a <see cref="Random"/>: structure-aware replacements of values in valid
/// bodies (wrong types, huge or negative shapes, NaN strings, long strings, huge exponents, deep nesting), duplicated
/// keys, invalid UTF-8 and lone surrogate escapes inside strings, truncations, and byte-level mutations (bit flips,
/// deletions, insertions, splices). Deterministic for a given seed. Not thread-safe.
/// </summary>
internal sealed class MalformedJson
{
    private static readonly string[] Numbers =
    [
        "0", "-0", "1", "-1", "2", "3", "1.5", "-2.25", "1e999999", "-1e999999", "1e-999999", "1E+308", "1.7976931348623157e309",
        "123456789012345678901234567890", "9223372036854775807", "9223372036854775808", "-9223372036854775809",
        "18446744073709551616", "4294967296", "2147483648", "-2147483649", "65536", "256", "-129", "0.0000001", "5e-324",
    ];

    private static readonly string[] Strings =
    [
        "\"\"", "\"NaN\"", "\"nan\"", "\"Infinity\"", "\"-Infinity\"", "\"+Infinity\"", "\"inf\"", "\"-inf\"", "\"1\"", "\"x\"",
        "\"\\uD800\"", "\"\\uDC00\"", "\"a\\uD83D\"", "\"\\uDE00\\uD83D\"", "\"\\u0000\"", "\"\\ud83d\\ude00\"", "\"tab\\tnew\\nline\"",
        "\"FP32\"", "\"FP64\"", "\"INT64\"", "\"BYTES\"", "\"BOOL\"", "\"UINT8\"", "\"FP16\"", "\"BF16\"", "\"\\\"\"",
    ];

    private static readonly string[] Shapes =
    [
        "[]", "[0]", "[1]", "[-1]", "[1,-1]", "[0,2]", "[2,0]", "[1,2]", "[2,2]", "[1,3]", "[1,4]", "[1,10]", "[2147483648,2]",
        "[9223372036854775807,2]", "[4611686018427387904,4]", "[0,9223372036854775807]", "[0,9223372036854775807,9223372036854775807]",
        "[1000000000,2]", "[500000000,2]", "[1e20,2]", "[1.5,2]", "[\"2\",2]", "[null,2]", "[[1],2]", "[1,2,3]", "[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]",
        "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]", "[3037000500,3037000500]", "[0]", "[6]", "[2]",
    ];

    private static readonly byte[][] InvalidUtf8 =
    [
        [0xFF], [0xFE], [0xC3], [0x80], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0xF0, 0x9F, 0x98],
        [0x00], [0x1F], [0x7F],
    ];

    private readonly Random _random;
    private readonly IReadOnlyList<byte[]> _valid;
    private readonly IReadOnlyList<string> _words;

    /// <param name="valid">Well-formed bodies to mutate.</param>
    /// <param name="words">Names worth sending (inputs, features, datatypes, categories, property names).</param>
    public MalformedJson(Random random, IReadOnlyList<string> valid, IReadOnlyList<string> words)
    {
        _random = random;
        _valid = valid.Select(Encoding.UTF8.GetBytes).ToList();
        _words = words;
    }

    /// <summary>One malformed (or occasionally still valid) body, and the name of the mutation that made it.</summary>
    public (string Kind, byte[] Body) Next()
    {
        var body = _valid[_random.Next(_valid.Count)];
        var kind = _random.Next(14);
        var result = kind switch
        {
            0 => ("truncate", body[.._random.Next(body.Length)]),
            1 => ("replace-value", ReplaceValue(body, RandomValue(0))),
            2 => ("replace-value-twice", ReplaceValue(ReplaceValue(body, RandomValue(0)), RandomValue(0))),
            3 => ("shape", ReplaceValue(body, Pick(Shapes))),
            4 => ("duplicate-property", DuplicateProperty(body)),
            5 => ("invalid-utf8-in-string", InsertIntoString(body, Pick(InvalidUtf8))),
            6 => ("escape-in-string", InsertIntoString(body, Encoding.UTF8.GetBytes(Pick(["\\uD800", "\\uDFFF", "\\u0000", "\\ud83d\\ude00", "\\\"", "\\u00e9"])))),
            7 => ("bit-flips", BitFlips(body)),
            8 => ("delete-bytes", DeleteBytes(body)),
            9 => ("insert-bytes", InsertBytes(body)),
            10 => ("splice", Splice(body, _valid[_random.Next(_valid.Count)])),
            11 => ("deep-nesting", ReplaceValue(body, Nested(_random.Next(2) == 0 ? _random.Next(30, 80) : _random.Next(60, 5_000)))),
            12 => ("long-data", ReplaceValue(body, LongArray())),
            _ => ("replace-with-word", ReplaceValue(body, JsonSerializer.Serialize(Pick(_words)))),
        };

        // Sometimes stack a byte-level mutation on a structural one.
        return _random.Next(8) == 0 ? (result.Item1 + "+bit-flips", BitFlips(result.Item2)) : result;
    }

    private string RandomValue(int depth)
    {
        var choice = _random.Next(depth > 2 ? 9 : 12);
        return choice switch
        {
            0 or 1 => Pick(Numbers),
            2 or 3 => Pick(Strings),
            4 => Pick(["true", "false", "null"]),
            5 => JsonSerializer.Serialize(Pick(_words)),
            6 => "\"" + new string((char)('a' + _random.Next(26)), _random.Next(2) == 0 ? _random.Next(100, 300) : _random.Next(10_000, 50_000)) + "\"",
            7 => Pick(Shapes),
            8 => Pick(["{}", "[]", "[[]]", "[null]", "[true,false]", "[\"a\",1]", "[[1,2],[3]]", "[[1,2],[3,4]]"]),
            9 => "[" + string.Join(",", Enumerable.Range(0, _random.Next(0, 12)).Select(_ => RandomValue(depth + 1))) + "]",
            10 => "{" + string.Join(",", Enumerable.Range(0, _random.Next(0, 5)).Select(_ => JsonSerializer.Serialize(Pick(_words)) + ":" + RandomValue(depth + 1))) + "}",
            _ => Pick(Numbers) + "e" + _random.Next(-400, 400).ToString(CultureInfo.InvariantCulture),
        };
    }

    private string LongArray()
    {
        var count = _random.Next(2) == 0 ? _random.Next(0, 100) : _random.Next(1_000, 20_000);
        var element = Pick(["1", "0.5", "\"s\"", "true", "null", "-1", "1e308", "\"NaN\""]);
        return "[" + string.Join(",", Enumerable.Repeat(element, count)) + "]";
    }

    private static string Nested(int depth) => new string('[', depth) + "1" + new string(']', depth);

    /// <summary>Replaces one value (scalar or container) of a well-formed body with <paramref name="replacement"/>.</summary>
    private byte[] ReplaceValue(byte[] body, string replacement)
    {
        var spans = ValueSpans(body);
        if (spans.Count == 0)
        {
            return Encoding.UTF8.GetBytes(replacement);
        }

        var (start, end) = spans[_random.Next(spans.Count)];
        return [.. body.AsSpan(0, start), .. Encoding.UTF8.GetBytes(replacement), .. body.AsSpan(end)];
    }

    /// <summary>Repeats one <c>"name": value</c> member of an object right after itself.</summary>
    private byte[] DuplicateProperty(byte[] body)
    {
        var members = new List<(int Start, int End)>();
        if (!TryScan(body, (ref Utf8JsonReader reader) =>
            {
                if (reader.TokenType == JsonTokenType.PropertyName)
                {
                    var start = (int)reader.TokenStartIndex;
                    var copy = reader;
                    copy.Read();
                    copy.Skip();
                    members.Add((start, (int)copy.BytesConsumed));
                }
            }) || members.Count == 0)
        {
            return body;
        }

        var (from, to) = members[_random.Next(members.Count)];
        return [.. body.AsSpan(0, to), (byte)',', .. body.AsSpan(from, to - from), .. body.AsSpan(to)];
    }

    /// <summary>Inserts raw bytes inside one string token (a value or a property name).</summary>
    private byte[] InsertIntoString(byte[] body, byte[] bytes)
    {
        var strings = new List<int>();
        TryScan(body, (ref Utf8JsonReader reader) =>
        {
            if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName)
            {
                strings.Add((int)reader.TokenStartIndex + 1);
            }
        });
        if (strings.Count == 0)
        {
            return body;
        }

        var at = strings[_random.Next(strings.Count)];
        return [.. body.AsSpan(0, at), .. bytes, .. body.AsSpan(at)];
    }

    private byte[] BitFlips(byte[] body)
    {
        var copy = body.ToArray();
        for (var i = _random.Next(1, 9); i > 0 && copy.Length > 0; i--)
        {
            copy[_random.Next(copy.Length)] ^= (byte)(1 << _random.Next(8));
        }

        return copy;
    }

    private byte[] DeleteBytes(byte[] body)
    {
        if (body.Length == 0)
        {
            return body;
        }

        var start = _random.Next(body.Length);
        var count = Math.Min(body.Length - start, _random.Next(1, 16));
        return [.. body.AsSpan(0, start), .. body.AsSpan(start + count)];
    }

    private byte[] InsertBytes(byte[] body)
    {
        var at = _random.Next(body.Length + 1);
        var inserted = _random.Next(3) switch
        {
            0 => Pick(InvalidUtf8),
            1 => Encoding.UTF8.GetBytes(Pick([",", "[", "]", "{", "}", ":", "\"", "\\", "-", "e", "0", " ", "\n", "null", ",1", "]]"])),
            _ => Enumerable.Range(0, _random.Next(1, 8)).Select(_ => (byte)_random.Next(256)).ToArray(),
        };
        return [.. body.AsSpan(0, at), .. inserted, .. body.AsSpan(at)];
    }

    private byte[] Splice(byte[] first, byte[] second) =>
        [.. first.AsSpan(0, _random.Next(first.Length + 1)), .. second.AsSpan(_random.Next(second.Length + 1))];

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    private static List<(int Start, int End)> ValueSpans(byte[] body)
    {
        var spans = new List<(int, int)>();
        TryScan(body, (ref Utf8JsonReader reader) =>
        {
            if (reader.TokenType is not (JsonTokenType.PropertyName or JsonTokenType.EndArray or JsonTokenType.EndObject or JsonTokenType.Comment))
            {
                var copy = reader;
                copy.Skip();
                spans.Add(((int)reader.TokenStartIndex, (int)copy.BytesConsumed));
            }
        });
        return spans;
    }

    private delegate void TokenVisitor(ref Utf8JsonReader reader);

    private static bool TryScan(byte[] body, TokenVisitor visit)
    {
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 10_000 });
            while (reader.Read())
            {
                visit(ref reader);
            }

            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
