using Serverless.Core.Monitoring.Logging.Blocks.Columns;

namespace Serverless.Tests.Monitoring.Logging;

/// <summary>
/// The FP32 shortcut of <see cref="NumberColumn.AddLogged"/> (Ryu's digits, no text) keeps exactly what writing the
/// float's shortest text and reading it back keeps. Checked here on edge values and a million random bit patterns;
/// every finite positive float was compared once against <c>float.TryFormat</c> when it was written.
/// </summary>
public sealed class ShortestFloatTests
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

    private static void AssertSameAsText(float value)
    {
        var fast = new NumberColumn();
        var text = new NumberColumn();
        fast.AddLogged(value);
        text.AddLoggedText(value, fp32WhenExact: true);
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
