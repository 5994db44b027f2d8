using System.Text.Json;

namespace Serverless.Core.Monitoring.Logging.Blocks;

/// <summary>
/// The features and outputs objects kept under <see cref="MaxJsonBytes"/>: an entry is written only when it surely fits;
/// numbers and strings as the responses write them.
/// </summary>
internal sealed partial class InferenceLogRecordJson
{
    private long _sectionStart;

    private void BeginSection(JsonEncodedText name)
    {
        _json.WriteStartObject(name);
        _sectionStart = _json.BytesCommitted + _json.BytesPending;
    }

    private long SectionBytes => _json.BytesCommitted + _json.BytesPending - _sectionStart;

    /// <summary>Whether an entry with this name and a value of at most <paramref name="valueBound"/> bytes surely fits (with the closing brace).</summary>
    private bool Fits(string name, int valueBound) => SectionBytes + (name.Length * 6) + 4 + valueBound + 2 <= MaxJsonBytes;

    private bool TryWriteNumber(string name, double value, bool nanIsMissing)
    {
        if (!Fits(name, NumberBound))
        {
            return false;
        }

        _json.WritePropertyName(name);
        if (nanIsMissing && double.IsNaN(value))
        {
            _json.WriteNullValue();
        }
        else
        {
            WriteNumberValue(value);
        }

        return true;
    }

    private bool TryWriteString(string name, string? value)
    {
        if (!Fits(name, value is null ? 4 : (value.Length * 6) + 2))
        {
            return false;
        }

        if (value is null)
        {
            _json.WriteNull(name);
        }
        else
        {
            _json.WriteString(name, value);
        }

        return true;
    }

    private void WriteIfFinite(JsonEncodedText name, double? value)
    {
        if (value is { } number && double.IsFinite(number))
        {
            _json.WritePropertyName(name);
            WriteNumberValue(number);
        }
    }

    /// <summary>
    /// Finite numbers as JSON numbers, as the responses write them: a value that is exactly an FP32 value with its
    /// shortest FP32 text (so 0.1f logs as 0.1); NaN and infinities as strings, as OIP writes them.
    /// </summary>
    private void WriteNumberValue(double value)
    {
        if (double.IsFinite(value))
        {
            if ((double)(float)value == value)
            {
                _json.WriteNumberValue((float)value);
            }
            else
            {
                _json.WriteNumberValue(value);
            }
        }
        else
        {
            _json.WriteStringValue(double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
        }
    }

    private static string Truncate(string text, int maxLength) => text.Length <= maxLength ? text : text[..maxLength];
}
