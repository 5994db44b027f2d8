using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Serverless.DeployTests.Support;

/// <summary>
/// Evaluates what a Bicep snapshot leaves as ARM template expressions: values only known once resources exist
/// (<c>reference(id).clientId</c>, an endpoint, a connection string) and the cloud (<c>environment()</c>). The
/// functions the snapshot leaves are evaluated as ARM does; <c>reference()</c> and <c>environment()</c> answer with
/// <see cref="StandIns"/>, shaped like Azure's answers. A function it does not know fails the test, naming it.
/// </summary>
internal sealed class ArmExpression
{
    private readonly string _text;
    private int _position;

    private ArmExpression(string text)
    {
        _text = text;
    }

    /// <summary>True for a JSON string ARM treats as an expression: <c>[...]</c>, not the <c>[[</c> escape.</summary>
    public static bool IsExpression(string value) =>
        value.Length >= 2 && value[0] == '[' && value[^1] == ']' && !value.StartsWith("[[", StringComparison.Ordinal);

    public static JsonNode? Evaluate(string expression)
    {
        var parser = new ArmExpression(expression[1..^1]);
        var value = parser.ParseExpression();
        parser.SkipBlanks();
        return parser._position == parser._text.Length
            ? value?.DeepClone()
            : throw new FormatException($"Unexpected '{parser._text[parser._position..]}' in {expression}.");
    }

    /// <summary>A copy of <paramref name="node"/> with every expression string replaced by its value.</summary>
    public static JsonNode? Resolve(JsonNode? node) => node switch
    {
        JsonObject obj => new JsonObject(obj.Select(p => KeyValuePair.Create(p.Key, Resolve(p.Value)))),
        JsonArray array => new JsonArray(array.Select(Resolve).ToArray()),
        JsonValue value when value.TryGetValue<string>(out var text) && IsExpression(text) => Evaluate(text),
        _ => node?.DeepClone(),
    };

    private JsonNode? ParseExpression()
    {
        SkipBlanks();
        var value = ParsePrimary();
        while (true)
        {
            SkipBlanks();
            if (Peek('.'))
            {
                _position++;
                value = Property(value, ParseName());
            }
            else if (Peek('['))
            {
                _position++;
                var index = ParseExpression();
                Expect(']');
                value = index is JsonValue number && number.TryGetValue<int>(out var i)
                    ? ((JsonArray)value!)[i]
                    : Property(value, index!.GetValue<string>());
            }
            else
            {
                return value;
            }
        }
    }

    private JsonNode? ParsePrimary()
    {
        if (Peek('\''))
        {
            return JsonValue.Create(ParseString());
        }

        if (_position < _text.Length && (char.IsDigit(_text[_position]) || _text[_position] == '-'))
        {
            var start = _position++;
            while (_position < _text.Length && char.IsDigit(_text[_position]))
            {
                _position++;
            }

            return JsonValue.Create(long.Parse(_text[start.._position], CultureInfo.InvariantCulture));
        }

        var name = ParseName();
        SkipBlanks();
        Expect('(');
        var args = new List<JsonNode?>();
        SkipBlanks();
        while (!Peek(')'))
        {
            args.Add(ParseExpression());
            SkipBlanks();
            if (Peek(','))
            {
                _position++;
            }
        }

        _position++;
        return Call(name, args);
    }

    private static JsonNode? Call(string name, List<JsonNode?> args) => name.ToLowerInvariant() switch
    {
        "string" => args[0] is JsonValue v && v.TryGetValue<string>(out var s) ? JsonValue.Create(s) : JsonValue.Create(args[0]?.ToJsonString()),
        "format" => JsonValue.Create(string.Format(CultureInfo.InvariantCulture, Text(args[0]), args.Skip(1).Select(a => (object?)Text(a)).ToArray())),
        "concat" => JsonValue.Create(string.Concat(args.Select(Text))),
        "reference" => StandIns.Reference(Text(args[0])),
        "environment" => StandIns.Environment(),
        "guid" => JsonValue.Create(StandIns.Guid(string.Join('|', args.Select(Text))).ToString()),
        "extensionresourceid" => JsonValue.Create($"{Text(args[0])}/providers/{Text(args[1])}/{string.Join('/', args.Skip(2).Select(Text))}"),
        _ => throw new NotSupportedException($"The test's ARM evaluator does not know the function {name}(); teach it (Support/ArmExpression.cs)."),
    };

    private static JsonNode? Property(JsonNode? value, string name)
    {
        var obj = value as JsonObject ?? throw new FormatException($"'.{name}' of a value that is not an object.");
        var match = obj.FirstOrDefault(p => string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase));
        return match.Key is null
            ? throw new KeyNotFoundException($"The stand-in has no property '{name}' (it has: {string.Join(", ", obj.Select(p => p.Key))}).")
            : match.Value;
    }

    private static string Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : node?.ToJsonString() ?? "";

    private string ParseString()
    {
        var text = new StringBuilder();
        _position++;
        while (true)
        {
            if (_position >= _text.Length)
            {
                throw new FormatException($"Unterminated string in [{_text}].");
            }

            if (_text[_position] == '\'')
            {
                if (_position + 1 < _text.Length && _text[_position + 1] == '\'')
                {
                    text.Append('\'');
                    _position += 2;
                    continue;
                }

                _position++;
                return text.ToString();
            }

            text.Append(_text[_position++]);
        }
    }

    private string ParseName()
    {
        var start = _position;
        while (_position < _text.Length && (char.IsLetterOrDigit(_text[_position]) || _text[_position] == '_'))
        {
            _position++;
        }

        return _position > start ? _text[start.._position] : throw new FormatException($"Expected a name at {_position} in [{_text}].");
    }

    private bool Peek(char c) => _position < _text.Length && _text[_position] == c;

    private void Expect(char c)
    {
        SkipBlanks();
        if (!Peek(c))
        {
            throw new FormatException($"Expected '{c}' at {_position} in [{_text}].");
        }

        _position++;
    }

    private void SkipBlanks()
    {
        while (_position < _text.Length && _text[_position] == ' ')
        {
            _position++;
        }
    }
}
