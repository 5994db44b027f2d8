using System.Globalization;
using System.Text;
using Serverless.Core.Errors;
using Serverless.Core.Storage;

namespace Serverless.Core.Training.Tracking;

/// <summary>The tokens of a filter or order_by entry, read left to right; every error names what was expected where.</summary>
internal sealed class SearchTokens
{
    private readonly string _text;
    private int _at;

    public SearchTokens(string text)
    {
        _text = text;
    }

    public bool AtEnd
    {
        get
        {
            SkipSpace();
            return _at >= _text.Length;
        }
    }

    /// <summary>An identifier: <c>prefix.key</c>, the key bare (letters, digits, '_', '.', '-') or quoted with backticks or double quotes; or a bare attribute.</summary>
    public (string? Prefix, string Key) Identifier()
    {
        SkipSpace();
        var start = _at;
        while (_at < _text.Length && (char.IsLetterOrDigit(_text[_at]) || _text[_at] == '_'))
        {
            _at++;
        }

        if (_at == start)
        {
            throw Error("an identifier such as metrics.rmse");
        }

        var first = _text[start.._at];
        if (_at >= _text.Length || _text[_at] != '.')
        {
            return (null, first);
        }

        _at++;
        if (_at < _text.Length && _text[_at] is '`' or '"')
        {
            return (first, Quoted(_text[_at]));
        }

        var keyStart = _at;
        while (_at < _text.Length && (char.IsLetterOrDigit(_text[_at]) || _text[_at] is '_' or '.' or '-'))
        {
            _at++;
        }

        return _at == keyStart ? throw Error("a key after '" + first + ".'") : (first, _text[keyStart.._at]);
    }

    public string Comparator()
    {
        SkipSpace();
        foreach (var symbol in (string[])["!=", "<=", ">=", "<>", "=", "<", ">"])
        {
            if (string.CompareOrdinal(_text, _at, symbol, 0, symbol.Length) == 0)
            {
                _at += symbol.Length;
                return symbol == "<>" ? "!=" : symbol;
            }
        }

        var word = Word().ToUpperInvariant();
        if (word == "NOT")
        {
            return Word().Equals("IN", StringComparison.OrdinalIgnoreCase) ? "NOT IN" : throw Error("IN after NOT");
        }

        return word is "LIKE" or "ILIKE" or "IN" ? word : throw Error("a comparator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN)");
    }

    public double Number(string what)
    {
        SkipSpace();
        var start = _at;
        while (_at < _text.Length && (char.IsAsciiDigit(_text[_at]) || _text[_at] is '-' or '+' or '.' or 'e' or 'E'))
        {
            _at++;
        }

        return double.TryParse(_text.AsSpan(start, _at - start), NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw ServingException.BadRequest($"Expected a numeric value for {what} in the filter at position {start}.");
    }

    public string QuotedString(string what)
    {
        SkipSpace();
        return _at < _text.Length && _text[_at] is '\'' or '"'
            ? Quoted(_text[_at])
            : throw ServingException.BadRequest($"Expected a quoted string value for {what} in the filter at position {_at}.");
    }

    public IReadOnlyList<string> StringList()
    {
        SkipSpace();
        Expect('(');
        var values = new List<string>();
        while (true)
        {
            values.Add(QuotedString("IN"));
            SkipSpace();
            if (_at < _text.Length && _text[_at] == ')')
            {
                _at++;
                return values;
            }

            Expect(',');
        }
    }

    public void And()
    {
        var word = Word();
        if (!word.Equals("AND", StringComparison.OrdinalIgnoreCase))
        {
            throw word.Equals("OR", StringComparison.OrdinalIgnoreCase)
                ? ServingException.BadRequest("Invalid clause(s) in filter string: OR is not supported; join clauses with AND.")
                : Error("AND between clauses");
        }
    }

    public string Word()
    {
        SkipSpace();
        var start = _at;
        while (_at < _text.Length && char.IsLetter(_text[_at]))
        {
            _at++;
        }

        return _text[start.._at];
    }

    private string Quoted(char quote)
    {
        _at++;
        var value = new StringBuilder();
        while (_at < _text.Length)
        {
            var c = _text[_at++];
            if (c != quote)
            {
                value.Append(c);
            }
            else if (_at < _text.Length && _text[_at] == quote)
            {
                value.Append(quote);
                _at++;
            }
            else
            {
                return value.ToString();
            }
        }

        throw Error($"a closing {quote}");
    }

    private void Expect(char c)
    {
        SkipSpace();
        if (_at >= _text.Length || _text[_at] != c)
        {
            throw Error($"'{c}'");
        }

        _at++;
    }

    private void SkipSpace()
    {
        while (_at < _text.Length && char.IsWhiteSpace(_text[_at]))
        {
            _at++;
        }
    }

    private ServingException Error(string expected) =>
        ServingException.BadRequest(_at >= _text.Length
            ? $"Invalid filter {DataText.Quote(_text)}: expected {expected} at its end."
            : $"Invalid filter {DataText.Quote(_text)}: expected {expected} at position {_at} ({DataText.Quote(_text[_at..])}).");
}
