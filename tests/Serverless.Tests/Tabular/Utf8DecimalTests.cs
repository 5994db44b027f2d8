using System.Globalization;
using System.Text;
using Serverless.Core.Tabular;

namespace Serverless.Tests.Tabular;

public sealed class Utf8DecimalTests
{
    [Theory]
    [InlineData("0")]
    [InlineData("-0")]
    [InlineData("-0.0")]
    [InlineData("0.1")]
    [InlineData("0.7")]
    [InlineData("-0.9993")]
    [InlineData("+3.25")]
    [InlineData("1.")]
    [InlineData(".5")]
    [InlineData("-.5")]
    [InlineData("000123.4500")]
    [InlineData("123456789012345")]
    [InlineData("0.000000000000000000001")]
    [InlineData("9007199254740993")]
    [InlineData("0.30000000000000004")]
    [InlineData("1e5")]
    [InlineData("-2.5E-3")]
    [InlineData("1234567890123456789012345")]
    [InlineData("0.00000000000000000000000001")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("1e400")]
    public void TryParse_Numbers_SameDoubleAsDoubleTryParse(string text)
    {
        var expectedOk = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var expected);

        var ok = Utf8Decimal.TryParse(Encoding.UTF8.GetBytes(text), out var value);

        Assert.Equal(expectedOk, ok);
        Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(value));
    }

    [Theory]
    [InlineData("")]
    [InlineData("-")]
    [InlineData("+")]
    [InlineData(".")]
    [InlineData("-.")]
    [InlineData("1.2.3")]
    [InlineData("1,5")]
    [InlineData("12a")]
    [InlineData("--1")]
    [InlineData("0x10")]
    public void TryParse_NotANumber_IsFalseAsDoubleTryParse(string text)
    {
        Assert.False(double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _));

        Assert.False(Utf8Decimal.TryParse(Encoding.UTF8.GetBytes(text), out _));
    }

    [Fact]
    public void TryParsePlain_RandomShortDecimals_TakesTheFastPathWithTheSameBits()
    {
        var random = new Random(18);
        for (var i = 0; i < 20_000; i++)
        {
            var digits = random.Next(1, 16);
            var decimals = random.Next(0, Math.Min(digits, 15) + 1);
            var mantissa = random.NextInt64(0, (long)Math.Pow(10, digits));
            var text = mantissa.ToString(CultureInfo.InvariantCulture).PadLeft(decimals + 1, '0');
            if (decimals > 0)
            {
                text = text.Insert(text.Length - decimals, ".");
            }

            if (random.Next(2) == 0)
            {
                text = "-" + text;
            }

            var expected = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

            Assert.True(Utf8Decimal.TryParsePlain(Encoding.UTF8.GetBytes(text), out var value), text);
            Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(value), $"{text}: {value:R} instead of {expected:R}");
        }
    }

    [Theory]
    [InlineData("1e5")]
    [InlineData("1234567890123456")]
    [InlineData("0.00000000000000000000001")]
    [InlineData(" 1")]
    [InlineData("NaN")]
    public void TryParsePlain_NotAShortPlainDecimal_LeavesItToDoubleTryParse(string text)
    {
        Assert.False(Utf8Decimal.TryParsePlain(Encoding.UTF8.GetBytes(text), out _));
    }
}
