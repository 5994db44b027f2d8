using Serverless.Core.Monitoring.Logging.Blocks.Columns;

namespace Serverless.Tests.Monitoring.Logging;

/// <summary>
/// The shortcuts of <see cref="NumberColumn.AddLogged"/> keep exactly what writing the number's shortest text and reading
/// it back keeps: for FP32 values Ryu's digits (checked here on edge values and a million random bit patterns; every
/// finite positive float was compared once against <c>float.TryFormat</c> when it was written), for other doubles the
/// short decimal found by scaling (short decimals, random doubles, edges).
/// </summary>
public sealed class NumberColumnDigitsTests
{
    [Theory]
    [InlineData(0f)]
    [InlineData(1f)]
    [InlineData(-1f)]
    [InlineData(0.1f)]
    [InlineData(100f)]
    [InlineData(1e15f)]
    [InlineData(9.007199e15f)]
    [InlineData(1e16f)]
    [InlineData(3.4028235e38f)]
    [InlineData(-3.4028235e38f)]
    [InlineData(1.17549435e-38f)]
    [InlineData(1e-45f)]
    [InlineData(2.8e-45f)]
    [InlineData(1e-22f)]
    [InlineData(1.2345678e-15f)]
    [InlineData(16777216f)]
    [InlineData(16777218f)]
    [InlineData(0.3f)]
    [InlineData(2.5f)]
    [InlineData(-0.8414f)]
    public void AddLogged_OnAnFp32Value_KeepsWhatItsShortestTextKeeps(float value) => AssertSameAsText(value);

    [Fact]
    public void AddLogged_OnNegativeZero_KeepsWhatItsTextKeeps() => AssertSameAsText(-0f);

    [Fact]
    public void AddLogged_OnAMillionRandomFloats_KeepsWhatTheirShortestTextKeeps()
    {
        var random = new Random(20261201);
        var fast = new NumberColumn();
        var text = new NumberColumn();
        var checkedCount = 0;
        for (var i = 0; i < 1_000_000; i++)
        {
            var value = BitConverter.UInt32BitsToSingle((uint)random.NextInt64(0, 1L << 32));
            if (!float.IsFinite(value))
            {
                continue;
            }

            fast.AddLogged(value);
            text.AddLoggedText(value, fp32WhenExact: true);
            checkedCount++;
            if (fast.Count == 4096)
            {
                AssertSameBytes(fast, text);
            }
        }

        AssertSameBytes(fast, text);
        Assert.True(checkedCount > 990_000, $"only {checkedCount} finite floats drawn");
    }

    [Fact]
    public void TryGetDecimal_GivesTheDigitsOfTheShortestText()
    {
        Assert.True(ShortestFloat.TryGetDecimal(0.1f, out var mantissa, out var scale));
        Assert.Equal((1L, 1), (mantissa, scale));
        Assert.True(ShortestFloat.TryGetDecimal(-2.5e-7f, out mantissa, out scale));
        Assert.Equal((-25L, 8), (mantissa, scale));
        Assert.True(ShortestFloat.TryGetDecimal(1e10f, out mantissa, out scale));
        Assert.Equal((10_000_000_000L, 0), (mantissa, scale));
        Assert.False(ShortestFloat.TryGetDecimal(-0f, out _, out _));
        Assert.False(ShortestFloat.TryGetDecimal(1e-45f, out _, out _));
        Assert.False(ShortestFloat.TryGetDecimal(1e20f, out _, out _));
    }

    [Theory]
    [InlineData(0.8415)]
    [InlineData(-0.8415)]
    [InlineData(0.1)]
    [InlineData(0.30000000000000004)]
    [InlineData(1e-7)]
    [InlineData(1.5e-22)]
    [InlineData(1e-23)]
    [InlineData(123456789012345.0)]
    [InlineData(999999999999999.9)]
    [InlineData(1e15)]
    [InlineData(12345.6789)]
    [InlineData(double.Epsilon)]
    [InlineData(double.MaxValue)]
    [InlineData(2.2250738585072014e-308)]
    [InlineData(0.9999999999999999)]
    public void AddLogged_OnADouble_KeepsWhatItsShortestTextKeeps(double value)
    {
        AssertSameAsText(value, fp32WhenExact: true);
        AssertSameAsText(value, fp32WhenExact: false);
    }

    [Fact]
    public void AddLogged_OnShortDecimalsAndRandomDoubles_KeepsWhatTheirShortestTextKeeps()
    {
        var random = new Random(1201);
        var fast = new NumberColumn();
        var text = new NumberColumn();
        for (var i = 0; i < 600_000; i++)
        {
            var value = (i % 3) switch
            {
                // A decimal of 1-17 digits with 0-25 after the point, as features are written.
                0 => random.NextInt64(1, (long)Math.Pow(10, random.Next(1, 18))) / Math.Pow(10, random.Next(0, 26)) * (random.Next(2) == 0 ? 1 : -1),
                1 => Math.Round(random.NextDouble() * Math.Pow(10, random.Next(-3, 9)), random.Next(0, 12)),
                _ => BitConverter.Int64BitsToDouble(random.NextInt64(long.MinValue, long.MaxValue)),
            };
            if (!double.IsFinite(value))
            {
                continue;
            }

            fast.AddLogged(value, fp32WhenExact: false);
            text.AddLoggedText(value, fp32WhenExact: false);
            if (fast.Count == 4096)
            {
                AssertSameBytes(fast, text);
            }
        }

        AssertSameBytes(fast, text);
    }

    [Fact]
    public void TryGetShortDecimal_FindsTheFewestDigitsAfterThePoint()
    {
        Assert.True(NumberColumn.TryGetShortDecimal(0.8415, out var mantissa, out var scale));
        Assert.Equal((8415L, 4), (mantissa, scale));
        Assert.True(NumberColumn.TryGetShortDecimal(-1200, out mantissa, out scale));
        Assert.Equal((-1200L, 0), (mantissa, scale));
        Assert.False(NumberColumn.TryGetShortDecimal(0.1 + 0.2, out _, out _));
        Assert.False(NumberColumn.TryGetShortDecimal(-0.0, out _, out _));
        Assert.False(NumberColumn.TryGetShortDecimal(1e300, out _, out _));
    }

    private static void AssertSameAsText(double value, bool fp32WhenExact = true)
    {
        var fast = new NumberColumn();
        var text = new NumberColumn();
        fast.AddLogged(value, fp32WhenExact);
        text.AddLoggedText(value, fp32WhenExact);
        AssertSameBytes(fast, text);
    }

    private static void AssertSameBytes(NumberColumn fast, NumberColumn text)
    {
        var fastBytes = new ColumnBytes();
        var textBytes = new ColumnBytes();
        fast.WriteTo(fastBytes);
        text.WriteTo(textBytes);
        Assert.Equal(textBytes.Written.ToArray(), fastBytes.Written.ToArray());
        fast.Clear();
        text.Clear();
    }
}
