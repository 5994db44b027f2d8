using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;

namespace Serverless.Core.Errors;

/// <summary>
/// Says in plain words what is wrong with a JSON body that <see cref="Utf8JsonReader"/>, <see cref="JsonDocument"/>
/// or <see cref="JsonSerializer"/> refused, instead of .NET's wording (<c>'x' is an invalid start of a value.
/// LineNumber: 0 | BytePositionInLine: 12.</c>): a syntax error gives where (1-based line and column, in characters)
/// and what (<c>The body is not valid JSON: line 1, column 13: 'x' cannot start a value.</c>, or <c>… the body ends
/// before the JSON is complete.</c>); a value of the wrong type names the field by its JSON path as the body spells
/// it (<c>Field 'shape' must be an array of integers, not a string.</c>), and unknown or missing fields are named
/// too. Text quoted from the body is cut to <see cref="MaxQuoted"/> characters. Pure; thread-safe.
/// </summary>
public static partial class JsonErrorText
{
    /// <summary>The longest text quoted from a body (a field name, a literal, a number), in characters.</summary>
    public const int MaxQuoted = 40;

    private const int MaxKnownFields = 20;

    /// <summary>A BadRequest saying what is wrong with <paramref name="json"/>; <paramref name="target"/> (the type it was read into) names expected types.</summary>
    public static ServingException BadRequest(JsonException error, ReadOnlySpan<byte> json, string subject = "The body", JsonTypeInfo? target = null) =>
        ServingException.BadRequest(Describe(error, json, subject, target), error);

    /// <summary>A BadRequest for text the reader could not decode (invalid UTF-8, an unpaired surrogate escape).</summary>
    public static ServingException BadRequest(InvalidOperationException error, string subject = "The body") =>
        ServingException.BadRequest($"{subject} {DescribeText(error)}.", error);

    /// <summary>One sentence: the syntax error with its place, or the field whose value does not fit.</summary>
    public static string Describe(JsonException error, ReadOnlySpan<byte> json, string subject = "The body", JsonTypeInfo? target = null)
    {
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(subject);
        if (IsSyntaxError(error))
        {
            return $"{subject} is not valid JSON: {Syntax(error, json, subject.ToLowerInvariant(), withLine: true)}.";
        }

        var segments = JsonPathSegments.Parse(error.Path);
        var message = error.Message;
        if (message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal))
        {
            var known = KnownFields(target, segments.Count == 0 ? segments : segments.Take(segments.Count - 1).ToList());
            return $"Unknown field '{JsonPathSegments.Format(segments)}'{(known.Length == 0 ? "" : $" (known fields: {known})")}.";
        }

        if (message.StartsWith("JSON deserialization for type", StringComparison.Ordinal) && message.Contains("missing required properties", StringComparison.Ordinal))
        {
            var prefix = segments.Count == 0 ? "" : JsonPathSegments.Format(segments) + ".";
            var names = QuotedNames().Matches(message[message.IndexOf("including:", StringComparison.Ordinal)..])
                .Select(m => $"'{prefix}{Quote(m.Groups[1].Value)}'").ToList();
            return names.Count switch
            {
                0 => $"{subject} is missing a required field.",
                1 => $"{FieldWord(subject)} {names[0]} is required.",
                _ => $"{FieldWord(subject)}s {string.Join(", ", names)} are required.",
            };
        }

        if (error.InnerException is InvalidOperationException text && (text.Message.Contains("UTF-", StringComparison.Ordinal) || text.Message.Contains("surrogate", StringComparison.Ordinal)))
        {
            return segments.Count == 0 ? $"{subject} {DescribeText(text)}." : $"{FieldWord(subject)} '{JsonPathSegments.Format(segments)}' {DescribeText(text)}.";
        }

        if (error.Path is not null && error.LineNumber is not null)
        {
            var expected = Expected(target, segments);
            var actual = Actual(json, error, out var actualNumber);
            if (expected is not null && actualNumber is not null && expected.Integer is { } range && !actualNumber.AsSpan().ContainsAny(".eE"))
            {
                expected = expected with { Text = $"{expected.Text} from {range.Min} to {range.Max}" };
            }

            var what = segments.Count == 0 ? subject : $"{FieldWord(subject)} '{JsonPathSegments.Format(segments)}'";
            return (expected, actual) switch
            {
                ({ } e, { } a) => $"{what} must be {e.Text}, not {a}.",
                ({ } e, null) => $"{what} must be {e.Text}.",
                (null, { } a) => $"{what} cannot be {a}.",
                _ => $"{what} has a value of the wrong type.",
            };
        }

        return $"{subject} does not fit: {Quote(FirstSentence(message), 200)}";
    }

    /// <summary>
    /// For one line of JSON Lines: <c>column 13: 'x' cannot start a value</c> or <c>the line ends before the JSON is
    /// complete</c> (no line number, no full stop).
    /// </summary>
    public static string DescribeLine(JsonException error, ReadOnlySpan<byte> json)
    {
        ArgumentNullException.ThrowIfNull(error);
        return IsSyntaxError(error) ? Syntax(error, json, "the line", withLine: false) : Quote(FirstSentence(error.Message), 200);
    }

    /// <summary>What a reader's <see cref="InvalidOperationException"/> on decoding text means, after the subject: "holds text that is not valid UTF-8".</summary>
    public static string DescribeText(InvalidOperationException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var message = error.Message;
        return message.Contains("UTF-8", StringComparison.Ordinal) ? "holds text that is not valid UTF-8"
            : message.Contains("surrogate", StringComparison.Ordinal) || message.Contains("UTF-16", StringComparison.Ordinal)
                ? "holds a \\u escape of half a UTF-16 surrogate pair (an unpaired surrogate)"
            : message.StartsWith("Cannot get the value of a token type", StringComparison.Ordinal) ? "holds a value of an unexpected type"
            : $"cannot be read: {Quote(FirstSentence(message), 200)}";
    }

    /// <summary>Thrown by the reader itself (JsonReaderException, or the serializer wrapping one), not by a converter.</summary>
    private static bool IsSyntaxError(JsonException error) =>
        error.GetType() != typeof(JsonException) || error.InnerException is JsonException { } inner && inner.GetType() != typeof(JsonException);

    private static string Syntax(JsonException error, ReadOnlySpan<byte> json, string subject, bool withLine)
    {
        var reason = Reason(error.Message);
        var offset = Offset(json, error.LineNumber ?? 0, error.BytePositionInLine ?? 0);
        if (reason.StartsWith("The input does not contain any JSON tokens", StringComparison.Ordinal))
        {
            return "it is empty";
        }

        if (reason.Contains("reached end of data", StringComparison.Ordinal) || reason.StartsWith("Expected depth to be zero", StringComparison.Ordinal)
            || (offset >= 0 && offset >= json.TrimEnd(" \t\r\n"u8).Length && !reason.StartsWith("The maximum configured depth", StringComparison.Ordinal)))
        {
            var inside = reason.StartsWith("Expected end of string", StringComparison.Ordinal) ? " (a string is not closed)"
                : reason.StartsWith("Expected depth to be zero", StringComparison.Ordinal) ? " (an object or array is not closed)" : "";
            return $"{subject} ends before the JSON is complete{inside}";
        }

        var place = withLine
            ? $"line {(error.LineNumber ?? 0) + 1}, column {Column(json, offset, error.BytePositionInLine ?? 0)}"
            : $"column {Column(json, offset, error.BytePositionInLine ?? 0)}";
        return $"{place}: {What(reason, json, offset)}";
    }

    private static string What(string reason, ReadOnlySpan<byte> json, long offset)
    {
        if (reason.StartsWith("The JSON array contains a trailing comma", StringComparison.Ordinal))
        {
            return "a comma cannot come right before ']'";
        }

        if (reason.StartsWith("The JSON object contains a trailing comma", StringComparison.Ordinal))
        {
            return "a comma cannot come right before '}'";
        }

        if (MaxDepth().Match(reason) is { Success: true } depth)
        {
            return $"the JSON is nested more than {depth.Groups[1].Value} levels deep";
        }

        if (reason.StartsWith("Invalid leading zero", StringComparison.Ordinal))
        {
            return "a number cannot start with 0 followed by more digits";
        }

        var match = QuotedStart().Match(reason);
        if (!match.Success)
        {
            return Quote(FirstSentence(reason), 200);
        }

        var found = Shown(match.Groups[1].Value, json, offset);
        var rest = match.Groups[2].Value;
        return rest switch
        {
            _ when rest.StartsWith("is an invalid start of a value", StringComparison.Ordinal) => $"{found} cannot start a value",
            _ when rest.StartsWith("is invalid after a single JSON value", StringComparison.Ordinal) => $"{found} after the end of the JSON value (one value per body)",
            _ when rest.StartsWith("is invalid after a value", StringComparison.Ordinal) => $"expected ',' or a closing bracket after a value, found {found}",
            _ when rest.StartsWith("is invalid after a property name", StringComparison.Ordinal) => $"expected ':' after a field name, found {found}",
            _ when rest.StartsWith("is an invalid start of a property name", StringComparison.Ordinal) => $"expected a field name in double quotes, found {found}",
            _ when rest.StartsWith("is invalid without a matching open", StringComparison.Ordinal) => $"{found} does not match an open bracket",
            _ when rest.StartsWith("is an invalid end of a number", StringComparison.Ordinal) => $"{found} cannot follow a number",
            _ when rest.Contains("immediately after a decimal point", StringComparison.Ordinal) => $"a digit must follow the decimal point, found {found}",
            _ when rest.Contains("immediately after a sign character", StringComparison.Ordinal) => $"a digit must follow a sign or exponent, found {found}",
            _ when rest.StartsWith("is invalid within a number", StringComparison.Ordinal) => $"{found} cannot be part of a number",
            _ when rest.StartsWith("is an invalid escapable character", StringComparison.Ordinal) => $"'\\{Quote(match.Groups[1].Value)}' is not an escape a string may hold",
            _ when rest.StartsWith("is not a hex digit following", StringComparison.Ordinal) => $"'\\u' must be followed by four hex digits, found {found}",
            _ when rest.StartsWith("is invalid within a JSON string", StringComparison.Ordinal) => $"{found} must be escaped inside a string",
            _ when LiteralExpected().Match(rest) is { Success: true } literal => $"expected {literal.Groups[1].Value}, found '{Quote(match.Groups[1].Value)}'",
            _ => Quote(FirstSentence(reason), 200),
        };
    }

    /// <summary>The reader's message without its " Path: … | LineNumber: … | BytePositionInLine: …." tail.</summary>
    private static string Reason(string message)
    {
        var cut = message.IndexOf(" Path: ", StringComparison.Ordinal);
        if (cut < 0)
        {
            cut = message.IndexOf(" LineNumber: ", StringComparison.Ordinal);
        }

        return cut < 0 ? message : message[..cut];
    }

    /// <summary>The byte offset of the line's position in the body, or -1 when the body does not have that line.</summary>
    private static long Offset(ReadOnlySpan<byte> json, long line, long bytePosition)
    {
        var start = 0;
        for (var i = 0L; i < line; i++)
        {
            var next = json[start..].IndexOf((byte)'\n');
            if (next < 0)
            {
                return -1;
            }

            start += next + 1;
        }

        return start + bytePosition <= json.Length ? start + bytePosition : -1;
    }

    /// <summary>The 1-based column in characters (UTF-8 sequences counted once), or in bytes when the body is not at hand.</summary>
    private static long Column(ReadOnlySpan<byte> json, long offset, long bytePosition)
    {
        if (offset < 0)
        {
            return bytePosition + 1;
        }

        var lineStart = (int)(offset - bytePosition);
        var characters = 0L;
        foreach (var b in json[lineStart..(int)offset])
        {
            if ((b & 0xC0) != 0x80)
            {
                characters++;
            }
        }

        return characters + 1;
    }

    /// <summary>The offending character as the body has it ('ü', or U+0009 for a control character), else the reader's text quoted.</summary>
    private static string Shown(string readerText, ReadOnlySpan<byte> json, long offset)
    {
        var single = readerText.Length == 1 || HexByte().IsMatch(readerText);
        if (single && offset >= 0 && offset < json.Length && Rune.DecodeFromUtf8(json[(int)offset..], out var rune, out _) == System.Buffers.OperationStatus.Done)
        {
            return Rune.IsControl(rune) ? $"the control character U+{rune.Value:X4}" : $"'{rune}'";
        }

        return single && HexByte().IsMatch(readerText) ? $"the byte {readerText}" : $"'{Quote(readerText)}'";
    }

    private static string FieldWord(string subject) => subject == "The body" ? "Field" : $"{subject} field";

    /// <summary>The JSON token that ends where the serializer stopped (the value it could not convert), described: "a string", "1.5", "null".</summary>
    private static string? Actual(ReadOnlySpan<byte> json, JsonException error, out string? number)
    {
        number = null;
        var offset = Offset(json, error.LineNumber ?? 0, error.BytePositionInLine ?? 0);
        if (offset <= 0)
        {
            return null;
        }

        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 1024, AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            while (reader.Read())
            {
                if (reader.BytesConsumed < offset)
                {
                    continue;
                }

                if (reader.BytesConsumed > offset || reader.TokenType == JsonTokenType.PropertyName)
                {
                    return null;
                }

                switch (reader.TokenType)
                {
                    case JsonTokenType.Number:
                        number = Encoding.UTF8.GetString(reader.ValueSpan);
                        return Quote(number);
                    case JsonTokenType.String:
                        return "a string";
                    case JsonTokenType.True:
                        return "true";
                    case JsonTokenType.False:
                        return "false";
                    case JsonTokenType.Null:
                        return "null";
                    case JsonTokenType.StartObject:
                        return "an object";
                    case JsonTokenType.StartArray:
                        return "an array";
                    default:
                        return null;
                }
            }
        }
        catch (JsonException)
        {
        }

        return null;
    }

    private static ExpectedType? Expected(JsonTypeInfo? root, IReadOnlyList<JsonPathSegments.Segment> segments) =>
        TypeAt(root, segments) is { } type ? ExpectedType.Of(type, root!.Options) : null;

    private static Type? TypeAt(JsonTypeInfo? root, IReadOnlyList<JsonPathSegments.Segment> segments)
    {
        if (root is null)
        {
            return null;
        }

        var info = root;
        var type = root.Type;
        foreach (var segment in segments)
        {
            var next = info.Kind switch
            {
                JsonTypeInfoKind.Object when segment.Name is { } name => info.Properties.FirstOrDefault(p => p.Name == name)?.PropertyType,
                JsonTypeInfoKind.Dictionary when segment.Name is not null => info.ElementType,
                JsonTypeInfoKind.Enumerable when segment.Index is not null => info.ElementType,
                _ => null,
            };
            if (next is null)
            {
                return null;
            }

            type = next;
            info = root.Options.GetTypeInfo(Nullable.GetUnderlyingType(type) ?? type);
        }

        return type;
    }

    private static string KnownFields(JsonTypeInfo? root, IReadOnlyList<JsonPathSegments.Segment> parent)
    {
        if (TypeAt(root, parent) is not { } type)
        {
            return "";
        }

        var info = root!.Options.GetTypeInfo(Nullable.GetUnderlyingType(type) ?? type);
        return info.Kind == JsonTypeInfoKind.Object
            ? string.Join(", ", info.Properties.Select(p => p.Name).Take(MaxKnownFields)) + (info.Properties.Count > MaxKnownFields ? ", …" : "")
            : "";
    }

    /// <summary>Text from the body, cut to <paramref name="max"/> characters (then "…").</summary>
    internal static string Quote(string text, int max = MaxQuoted) => text.Length <= max ? text : text[..max] + "…";

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return (end < 0 ? message : message[..(end + 1)]).TrimEnd('.');
    }

    [GeneratedRegex(@"'([^']*)'")]
    private static partial Regex QuotedNames();

    [GeneratedRegex(@"^'(.*?)' (.*)$", RegexOptions.Singleline)]
    private static partial Regex QuotedStart();

    [GeneratedRegex(@"Expected the literal '(\w+)'")]
    private static partial Regex LiteralExpected();

    [GeneratedRegex(@"The maximum configured depth of (\d+) has been exceeded")]
    private static partial Regex MaxDepth();

    [GeneratedRegex(@"^0x[0-9A-F]{2}$")]
    private static partial Regex HexByte();
}
