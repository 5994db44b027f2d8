namespace Serverless.Core.Onnx;

/// <summary>Non-negative long arithmetic that stops at <see cref="long.MaxValue"/> instead of overflowing.</summary>
internal static class SaturatingMath
{
    public static long Add(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;

    public static long Multiply(long a, long b)
    {
        if (a <= 0 || b <= 0)
        {
            return 0;
        }

        return a > long.MaxValue / b ? long.MaxValue : a * b;
    }

    /// <summary>A count from a double (Range's element count): NaN and negatives are 0, too large is MaxValue.</summary>
    public static long FromDouble(double value) =>
        double.IsNaN(value) || value <= 0 ? 0 : value >= long.MaxValue ? long.MaxValue : (long)Math.Ceiling(value);
}
