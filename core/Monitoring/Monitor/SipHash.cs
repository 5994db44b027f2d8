using System.Buffers.Binary;
using System.Numerics;

namespace Serverless.Core.Monitoring.Monitor;

/// <summary>
/// SipHash-2-4 (Aumasson and Bernstein): a keyed 64-bit pseudorandom function for short inputs. Without the key
/// nobody can predict or steer its output, which is what makes <see cref="RowSampler"/>'s priorities safe against
/// callers who choose their own request ids. Pure; thread-safe.
/// </summary>
internal static class SipHash
{
    public static ulong Hash(ulong k0, ulong k1, ReadOnlySpan<byte> data)
    {
        var v0 = 0x736f6d6570736575UL ^ k0;
        var v1 = 0x646f72616e646f6dUL ^ k1;
        var v2 = 0x6c7967656e657261UL ^ k0;
        var v3 = 0x7465646279746573UL ^ k1;
        var whole = data.Length & ~7;
        for (var i = 0; i < whole; i += 8)
        {
            var m = BinaryPrimitives.ReadUInt64LittleEndian(data[i..]);
            v3 ^= m;
            Round(ref v0, ref v1, ref v2, ref v3);
            Round(ref v0, ref v1, ref v2, ref v3);
            v0 ^= m;
        }

        var last = (ulong)data.Length << 56;
        for (var i = whole; i < data.Length; i++)
        {
            last |= (ulong)data[i] << (8 * (i - whole));
        }

        v3 ^= last;
        Round(ref v0, ref v1, ref v2, ref v3);
        Round(ref v0, ref v1, ref v2, ref v3);
        v0 ^= last;
        v2 ^= 0xff;
        for (var i = 0; i < 4; i++)
        {
            Round(ref v0, ref v1, ref v2, ref v3);
        }

        return v0 ^ v1 ^ v2 ^ v3;
    }

    private static void Round(ref ulong v0, ref ulong v1, ref ulong v2, ref ulong v3)
    {
        v0 += v1;
        v1 = BitOperations.RotateLeft(v1, 13);
        v1 ^= v0;
        v0 = BitOperations.RotateLeft(v0, 32);
        v2 += v3;
        v3 = BitOperations.RotateLeft(v3, 16);
        v3 ^= v2;
        v0 += v3;
        v3 = BitOperations.RotateLeft(v3, 21);
        v3 ^= v0;
        v2 += v1;
        v1 = BitOperations.RotateLeft(v1, 17);
        v1 ^= v2;
        v2 = BitOperations.RotateLeft(v2, 32);
    }
}
