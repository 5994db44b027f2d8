using System.Numerics;

namespace Serverless.Core.Monitoring.Logging.Blocks.Columns;

/// <summary>
/// The digits of an FP32 value's shortest round-trip text without writing the text: Ryu (Ulf Adams, PLDI 2018, the
/// reference f2s) finds the shortest decimal <c>d × 10^e</c> that reads back as the float, the closest to it when
/// several are as short. It gives the same digits as .NET's <c>float.TryFormat</c>
/// (checked against it for every finite positive float) at about a fifth of the cost. Tables are computed once from
/// exact integers. Pure; thread-safe.
/// </summary>
internal static class ShortestFloat
{
    private const int MantissaBits = 23;
    private const int Bias = 127;
    private const int Pow5InvBitCount = 59;
    private const int Pow5BitCount = 61;

    private static readonly ulong[] Pow5InvSplit = BuildInverse(32);
    private static readonly ulong[] Pow5Split = BuildSplit(48);

    /// <summary>
    /// The float's shortest text as <see cref="NumberColumn.TryParseDecimal"/> reads it: <c>m / 10^k</c> with
    /// |m| &lt; 2^53 and 0 ≤ k ≤ 22; false where that reading fails: negative zero, a shortest decimal of 2^53 or more,
    /// and one needing more than 22 digits after the point (magnitudes below about 1e-13).
    /// </summary>
    public static bool TryGetDecimal(float value, out long mantissa, out int scale)
    {
        mantissa = 0;
        scale = 0;
        if (value == 0)
        {
            return !float.IsNegative(value);
        }

        Decompose(value, out var digits, out var exponent);
        while (exponent < 0 && digits % 10 == 0)
        {
            digits /= 10;
            exponent++;
        }

        long magnitude = digits;
        for (; exponent > 0; exponent--)
        {
            magnitude *= 10;
            if (magnitude >= 1L << 53)
            {
                return false;
            }
        }

        if (-exponent > NumberColumn.MaxScale)
        {
            return false;
        }

        scale = -exponent;
        mantissa = float.IsNegative(value) ? -magnitude : magnitude;
        return true;
    }

    /// <summary>
    /// The shortest digits <paramref name="digits"/> and exponent <paramref name="exponent"/> of a finite, nonzero
    /// float's magnitude (the sign is ignored; trailing zeros may remain in the digits).
    /// </summary>
    public static void Decompose(float value, out uint digits, out int exponent)
    {
        var bits = BitConverter.SingleToUInt32Bits(value);
        var ieeeMantissa = bits & ((1u << MantissaBits) - 1);
        var ieeeExponent = (bits >> MantissaBits) & 0xFF;
        int e2;
        uint m2;
        if (ieeeExponent == 0)
        {
            e2 = 1 - Bias - MantissaBits - 2;
            m2 = ieeeMantissa;
        }
        else
        {
            e2 = (int)ieeeExponent - Bias - MantissaBits - 2;
            m2 = (1u << MantissaBits) | ieeeMantissa;
        }

        var acceptBounds = (m2 & 1) == 0;
        var mv = 4 * m2;
        var mp = (4 * m2) + 2;
        var mmShift = ieeeMantissa != 0 || ieeeExponent <= 1 ? 1u : 0u;
        var mm = (4 * m2) - 1 - mmShift;

        uint vr, vp, vm;
        int e10;
        var vmIsTrailingZeros = false;
        var vrIsTrailingZeros = false;
        uint lastRemovedDigit = 0;
        if (e2 >= 0)
        {
            var q = Log10Pow2(e2);
            e10 = q;
            var k = Pow5InvBitCount + Pow5Bits(q) - 1;
            var i = -e2 + q + k;
            vr = MulShift(mv, Pow5InvSplit[q], i);
            vp = MulShift(mp, Pow5InvSplit[q], i);
            vm = MulShift(mm, Pow5InvSplit[q], i);
            if (q != 0 && (vp - 1) / 10 <= vm / 10)
            {
                var l = Pow5InvBitCount + Pow5Bits(q - 1) - 1;
                lastRemovedDigit = MulShift(mv, Pow5InvSplit[q - 1], -e2 + q - 1 + l) % 10;
            }

            if (q <= 9)
            {
                if (mv % 5 == 0)
                {
                    vrIsTrailingZeros = Pow5Factor(mv) >= q;
                }
                else if (acceptBounds)
                {
                    vmIsTrailingZeros = Pow5Factor(mm) >= q;
                }
                else if (Pow5Factor(mp) >= q)
                {
                    vp--;
                }
            }
        }
        else
        {
            var q = Log10Pow5(-e2);
            e10 = q + e2;
            var i = -e2 - q;
            var k = Pow5Bits(i) - Pow5BitCount;
            var j = q - k;
            vr = MulShift(mv, Pow5Split[i], j);
            vp = MulShift(mp, Pow5Split[i], j);
            vm = MulShift(mm, Pow5Split[i], j);
            if (q != 0 && (vp - 1) / 10 <= vm / 10)
            {
                j = q - 1 - (Pow5Bits(i + 1) - Pow5BitCount);
                lastRemovedDigit = MulShift(mv, Pow5Split[i + 1], j) % 10;
            }

            if (q <= 1)
            {
                vrIsTrailingZeros = true;
                if (acceptBounds)
                {
                    vmIsTrailingZeros = mmShift == 1;
                }
                else
                {
                    vp--;
                }
            }
            else if (q < 31)
            {
                vrIsTrailingZeros = (mv & ((1u << (q - 1)) - 1)) == 0;
            }
        }

        var removed = 0;
        uint output;
        if (vmIsTrailingZeros || vrIsTrailingZeros)
        {
            while (vp / 10 > vm / 10)
            {
                vmIsTrailingZeros &= vm % 10 == 0;
                vrIsTrailingZeros &= lastRemovedDigit == 0;
                RemoveDigit(ref vr, ref vp, ref vm, ref lastRemovedDigit, ref removed);
            }

            if (vmIsTrailingZeros)
            {
                while (vm % 10 == 0)
                {
                    vrIsTrailingZeros &= lastRemovedDigit == 0;
                    RemoveDigit(ref vr, ref vp, ref vm, ref lastRemovedDigit, ref removed);
                }
            }

            if (vrIsTrailingZeros && lastRemovedDigit == 5 && vr % 2 == 0)
            {
                lastRemovedDigit = 4;
            }

            output = vr + ((vr == vm && (!acceptBounds || !vmIsTrailingZeros)) || lastRemovedDigit >= 5 ? 1u : 0u);
        }
        else
        {
            while (vp / 10 > vm / 10)
            {
                RemoveDigit(ref vr, ref vp, ref vm, ref lastRemovedDigit, ref removed);
            }

            output = vr + (vr == vm || lastRemovedDigit >= 5 ? 1u : 0u);
        }

        digits = output;
        exponent = e10 + removed;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static void RemoveDigit(ref uint vr, ref uint vp, ref uint vm, ref uint lastRemovedDigit, ref int removed)
    {
        lastRemovedDigit = vr % 10;
        vr /= 10;
        vp /= 10;
        vm /= 10;
        removed++;
    }

    private static int Pow5Bits(int e) => (int)(((uint)e * 1217359) >> 19) + 1;

    private static int Log10Pow2(int e) => (int)(((uint)e * 78913) >> 18);

    private static int Log10Pow5(int e) => (int)(((uint)e * 732923) >> 20);

    private static int Pow5Factor(uint value)
    {
        var count = 0;
        while (value % 5 == 0)
        {
            value /= 5;
            count++;
        }

        return count;
    }

    private static uint MulShift(uint m, ulong factor, int shift)
    {
        var low = (ulong)m * (uint)factor;
        var high = (ulong)m * (factor >> 32);
        return (uint)(((low >> 32) + high) >> (shift - 32));
    }

    private static ulong[] BuildInverse(int count)
    {
        var table = new ulong[count];
        for (var i = 0; i < count; i++)
        {
            table[i] = (ulong)((BigInteger.One << (Pow5Bits(i) - 1 + Pow5InvBitCount)) / BigInteger.Pow(5, i) + 1);
        }

        return table;
    }

    private static ulong[] BuildSplit(int count)
    {
        var table = new ulong[count];
        for (var i = 0; i < count; i++)
        {
            var shift = Pow5Bits(i) - Pow5BitCount;
            var power = BigInteger.Pow(5, i);
            table[i] = (ulong)(shift >= 0 ? power >> shift : power << -shift);
        }

        return table;
    }
}
