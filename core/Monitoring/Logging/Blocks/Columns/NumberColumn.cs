namespace Serverless.Core.Monitoring.Logging.Blocks.Columns;

/// <summary>
/// A sequence of numbers as the columnar block stores it. A number logged as decimal text with at most 15 or so
/// significant digits (what the log writes for FP32 values and rounded figures) is kept as its decimal digits: a scale
/// byte <c>k</c> (0–22) and the zigzag varint of the integer <c>m</c> with value <c>m / 10^k</c>, which is exactly the
/// double that parsing the text gives (both are the correctly rounded quotient); any other number as its 8 bytes
/// (scale byte 0xFF), and an absent one as scale byte 0xFE. Layout: varint count, the scale bytes, varint length of the
/// digits, the digit varints, then the 8-byte values. Size is exact while building. Not thread-safe.
/// </summary>
internal sealed class NumberColumn
{
    public const byte Absent = 0xFE;
    public const byte Raw = 0xFF;
    public const int MaxScale = 22;

    private const long MaxMantissa = 1L << 53;

    /// <summary>10^15: below it, one decimal at most of a given length lies within a double's rounding interval.</summary>
    private const double MaxShortMantissa = 1e15;

    private static readonly double[] Powers = Enumerable.Range(0, MaxScale + 1).Select(i => Math.Pow(10, i)).ToArray();

    private readonly ColumnBytes _scales = new(64);
    private readonly ColumnBytes _digits = new(128);
    private readonly ColumnBytes _raw = new(16);

    public int Count { get; private set; }

    /// <summary>Bytes this column will take when written.</summary>
    public int Bytes => 15 + _scales.Length + _digits.Length + _raw.Length;

    public void Clear()
    {
        _scales.Clear();
        _digits.Clear();
        _raw.Clear();
        Count = 0;
    }

    public void AddAbsent()
    {
        _scales.WriteByte(Absent);
        Count++;
    }

    /// <summary>
    /// The JSON number token <paramref name="json"/> is on, kept as its decimal digits when they fit (no double is
    /// parsed then), else as the double it reads as; false (nothing added) when it does not read as a finite double.
    /// </summary>
    public bool TryAdd(ref System.Text.Json.Utf8JsonReader json)
    {
        if (json.TokenType != System.Text.Json.JsonTokenType.Number)
        {
            return false;
        }

        if (TryParseDecimal(json.ValueSpan, out var mantissa, out var scale))
        {
            _scales.WriteByte((byte)scale);
            _digits.WriteZigzag(mantissa);
            Count++;
            return true;
        }

        if (json.TryGetDouble(out var value) && double.IsFinite(value))
        {
            AddRaw(value);
            return true;
        }

        return false;
    }

    /// <summary>Whether the JSON number token <paramref name="json"/> is on reads as a finite double (what <see cref="TryAdd"/> takes).</summary>
    public static bool IsFinite(ref System.Text.Json.Utf8JsonReader json) =>
        json.TokenType == System.Text.Json.JsonTokenType.Number &&
        (TryParseDecimal(json.ValueSpan, out _, out _) || (json.TryGetDouble(out var value) && double.IsFinite(value)));

    /// <summary>A number given as JSON number text (its exact decimal digits are kept when they fit).</summary>
    public void Add(ReadOnlySpan<byte> text, double value)
    {
        if (TryParseDecimal(text, out var mantissa, out var scale))
        {
            _scales.WriteByte((byte)scale);
            _digits.WriteZigzag(mantissa);
            Count++;
            return;
        }

        AddRaw(value);
    }

    /// <summary>
    /// A finite number as the log's JSON writes it (an FP32 value as its shortest FP32 text unless
    /// <paramref name="fp32WhenExact"/> is false, any other as its shortest text) and then reads it: the same digits, or
    /// the same double, as that text gives.
    /// </summary>
    public void AddLogged(double value, bool fp32WhenExact = true)
    {
        var fp32 = fp32WhenExact && (double)(float)value == value;
        if (fp32 ? ShortestFloat.TryGetDecimal((float)value, out var digits, out var power) : TryGetShortDecimal(value, out digits, out power))
        {
            _scales.WriteByte((byte)power);
            _digits.WriteZigzag(digits);
            Count++;
            return;
        }

        AddLoggedText(value, fp32WhenExact);
    }

    /// <summary>
    /// A double's shortest text as <see cref="TryParseDecimal"/> reads it, found without the text when it has at most 15
    /// significant digits and at most 22 after the point: the fewest digits after the point <c>k</c> for which
    /// <c>m = round(|v| · 10^k)</c> gives back <c>m / 10^k == |v|</c>. That quotient is the correctly rounded reading of
    /// the decimal, so the decimal round-trips; none with fewer digits does; and with under 16 digits no other decimal as
    /// short lies within the value's rounding interval, so it is the shortest text's. False when there is none such
    /// (then the text is written and read), and for negative zero.
    /// </summary>
    internal static bool TryGetShortDecimal(double value, out long mantissa, out int scale)
    {
        mantissa = 0;
        scale = 0;
        var magnitude = Math.Abs(value);
        if (value == 0)
        {
            return !double.IsNegative(value);
        }

        for (var k = 0; k <= MaxScale; k++)
        {
            var scaled = magnitude * Powers[k];
            if (!(scaled < MaxShortMantissa))
            {
                return false;
            }

            var rounded = Math.Round(scaled);
            if (rounded / Powers[k] == magnitude)
            {
                mantissa = double.IsNegative(value) ? -(long)rounded : (long)rounded;
                scale = k;
                return true;
            }
        }

        return false;
    }

    /// <summary><see cref="AddLogged"/> by writing the text and reading it back (what its shortcuts must equal).</summary>
    internal void AddLoggedText(double value, bool fp32WhenExact)
    {
        Span<byte> text = stackalloc byte[40];
        var written = 0;
        var formatted = fp32WhenExact && (double)(float)value == value
            ? ((float)value).TryFormat(text, out written, default, System.Globalization.CultureInfo.InvariantCulture)
            : value.TryFormat(text, out written, default, System.Globalization.CultureInfo.InvariantCulture);
        if (formatted && TryParseDecimal(text[..written], out var mantissa, out var scale))
        {
            _scales.WriteByte((byte)scale);
            _digits.WriteZigzag(mantissa);
            Count++;
            return;
        }

        AddRaw(formatted ? double.Parse(text[..written], System.Globalization.CultureInfo.InvariantCulture) : value);
    }

    /// <summary>A number given as a double: kept as decimal digits when its shortest text has them, else raw; NaN is absent.</summary>
    public void Add(double value)
    {
        if (double.IsNaN(value))
        {
            AddAbsent();
            return;
        }

        Span<byte> text = stackalloc byte[32];
        if (double.IsFinite(value) && value.TryFormat(text, out var written, "R", System.Globalization.CultureInfo.InvariantCulture))
        {
            Add(text[..written], value);
            return;
        }

        AddRaw(value);
    }

    public void WriteTo(ColumnBytes output)
    {
        output.WriteVarint((ulong)Count);
        output.WriteBytes(_scales.Written);
        output.WriteVarint((ulong)_digits.Length);
        output.WriteBytes(_digits.Written);
        output.WriteBytes(_raw.Written);
    }

    /// <summary>Reads a column of at most <paramref name="maxCount"/> numbers; absent ones are NaN.</summary>
    public static double[] Read(ref ColumnReader reader, int maxCount)
    {
        var count = reader.ReadCount(Math.Min(maxCount, reader.Remaining), "numbers");
        var scales = reader.ReadBytes(count);
        var digits = new ColumnReader(reader.ReadBytes(reader.ReadCount(reader.Remaining, "digit bytes")));
        var values = new double[count];
        for (var i = 0; i < count; i++)
        {
            var scale = scales[i];
            if (scale <= MaxScale)
            {
                var mantissa = digits.ReadZigzag();
                values[i] = mantissa / Powers[scale];
            }
            else if (scale == Absent)
            {
                values[i] = double.NaN;
            }
            else if (scale == Raw)
            {
                values[i] = reader.ReadDouble();
            }
            else
            {
                throw new InvalidDataException($"An inference log block holds a number of unknown scale {scale}.");
            }
        }

        return values;
    }

    private void AddRaw(double value)
    {
        _scales.WriteByte(Raw);
        _raw.WriteDouble(value);
        Count++;
    }

    /// <summary>
    /// JSON number text as <c>m / 10^k</c> with |m| &lt; 2^53 and 0 ≤ k ≤ 22 (both exact in a double); false for
    /// anything else, negative zero included.
    /// </summary>
    internal static bool TryParseDecimal(ReadOnlySpan<byte> text, out long mantissa, out int scale)
    {
        mantissa = 0;
        scale = 0;
        var i = 0;
        var negative = i < text.Length && text[i] == '-';
        if (negative)
        {
            i++;
        }

        var digits = 0;
        var fraction = -1;
        for (; i < text.Length; i++)
        {
            var c = text[i];
            if (c is >= (byte)'0' and <= (byte)'9')
            {
                mantissa = (mantissa * 10) + (c - '0');
                if (mantissa >= MaxMantissa)
                {
                    return false;
                }

                digits++;
                if (fraction >= 0)
                {
                    fraction++;
                }
            }
            else if (c == '.' && fraction < 0)
            {
                fraction = 0;
            }
            else
            {
                break;
            }
        }

        if (digits == 0)
        {
            return false;
        }

        var exponent = 0;
        if (i < text.Length)
        {
            if (text[i] is not ((byte)'e' or (byte)'E') || ++i >= text.Length)
            {
                return false;
            }

            var negativeExponent = text[i] == '-';
            if (text[i] is (byte)'-' or (byte)'+')
            {
                i++;
            }

            if (i >= text.Length)
            {
                return false;
            }

            for (; i < text.Length; i++)
            {
                if (text[i] is < (byte)'0' or > (byte)'9' || exponent > 1000)
                {
                    return false;
                }

                exponent = (exponent * 10) + (text[i] - '0');
            }

            exponent = negativeExponent ? -exponent : exponent;
        }

        scale = Math.Max(fraction, 0) - exponent;
        for (; scale < 0; scale++)
        {
            mantissa *= 10;
            if (mantissa >= MaxMantissa)
            {
                return false;
            }
        }

        if (scale > MaxScale || (negative && mantissa == 0))
        {
            return false;
        }

        mantissa = negative ? -mantissa : mantissa;
        return true;
    }
}
