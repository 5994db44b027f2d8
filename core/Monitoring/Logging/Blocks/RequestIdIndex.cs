using System.Buffers.Binary;

namespace Serverless.Core.Monitoring.Logging.Blocks;

/// <summary>
/// A block's index of the predictions it holds, stored beside the payload (<see cref="InferenceLogBlockFormat.IdsProperty"/>)
/// so that feedback can be matched without decoding blocks. Each entry is a request id's 40-bit fingerprint
/// (<see cref="Fingerprint"/>) and the run of rows of that request in the block (first row, count); failed requests
/// (row -1) are not predictions and are left out. Encoding: a version byte (1), then per entry the fingerprint in 5
/// bytes (big-endian), a varint of <c>count &lt;&lt; 1 | (first &gt; 0)</c> and, when first &gt; 0, a varint of first:
/// about 6 bytes per request, against a few hundred for its record. A lookup can only err by a fingerprint collision:
/// the chance that an id not logged matches is the number of requests searched over 2^40 (under 1 in 10,000 at 100
/// million). Not thread-safe while building; <see cref="Read"/> is pure.
/// </summary>
public sealed class RequestIdIndex
{
    public const byte Version = 1;

    private const int FingerprintBytes = 5;

    private readonly List<Entry> _entries = [];

    /// <summary>A run of rows of one request within a block.</summary>
    public readonly record struct Entry(ulong Fingerprint, int FirstRow, int RowCount)
    {
        public bool Holds(int row) => row >= FirstRow && row - FirstRow < RowCount;
    }

    public int Count => _entries.Count;

    /// <summary>The 40-bit fingerprint of a request id's <see cref="InferenceLogKeys.Hash"/>, re-mixed so it is independent of the shard and sampling bits.</summary>
    public static ulong Fingerprint(ulong requestIdHash)
    {
        var x = requestIdHash ^ 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 33)) * 0xFF51AFD7ED558CCDUL;
        x = (x ^ (x >> 33)) * 0xC4CEB9FE1A85EC53UL;
        return (x ^ (x >> 33)) >> 24;
    }

    /// <summary>Adds a logged row; a row continuing the previous entry's run extends it. Rows below 0 (failures) are ignored.</summary>
    public void Add(ulong requestIdHash, int row)
    {
        if (row < 0)
        {
            return;
        }

        var fingerprint = Fingerprint(requestIdHash);
        if (_entries.Count > 0 && _entries[^1] is var last && last.Fingerprint == fingerprint && last.FirstRow + last.RowCount == row)
        {
            _entries[^1] = last with { RowCount = last.RowCount + 1 };
            return;
        }

        _entries.Add(new Entry(fingerprint, row, 1));
    }

    public void Clear() => _entries.Clear();

    /// <summary>The encoded index.</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[1 + (_entries.Count * (FingerprintBytes + 10))];
        bytes[0] = Version;
        var at = 1;
        Span<byte> fingerprint = stackalloc byte[8];
        foreach (var entry in _entries)
        {
            BinaryPrimitives.WriteUInt64BigEndian(fingerprint, entry.Fingerprint);
            fingerprint[(8 - FingerprintBytes)..].CopyTo(bytes.AsSpan(at));
            at += FingerprintBytes;
            at += WriteVarint(bytes.AsSpan(at), ((ulong)(uint)entry.RowCount << 1) | (entry.FirstRow > 0 ? 1UL : 0));
            if (entry.FirstRow > 0)
            {
                at += WriteVarint(bytes.AsSpan(at), (uint)entry.FirstRow);
            }
        }

        return bytes[..at];
    }

    /// <summary>Calls <paramref name="onEntry"/> for each entry of an encoded index.</summary>
    /// <exception cref="InvalidDataException">The bytes are not an index of a known version.</exception>
    public static void Read(ReadOnlySpan<byte> index, Action<Entry> onEntry)
    {
        ArgumentNullException.ThrowIfNull(onEntry);
        if (index.IsEmpty || index[0] != Version)
        {
            throw new InvalidDataException($"A request id index of version {(index.IsEmpty ? "(empty)" : index[0])}, not {Version}.");
        }

        Span<byte> fingerprint = stackalloc byte[8];
        var at = 1;
        while (at < index.Length)
        {
            if (at + FingerprintBytes > index.Length)
            {
                throw new InvalidDataException("A request id index ends inside an entry.");
            }

            fingerprint.Clear();
            index.Slice(at, FingerprintBytes).CopyTo(fingerprint[(8 - FingerprintBytes)..]);
            at += FingerprintBytes;
            var rows = ReadVarint(index, ref at);
            var first = (rows & 1) == 1 ? ReadVarint(index, ref at) : 0;
            if (rows >> 1 > int.MaxValue || first > int.MaxValue)
            {
                throw new InvalidDataException("A request id index holds a row number out of range.");
            }

            onEntry(new Entry(BinaryPrimitives.ReadUInt64BigEndian(fingerprint), (int)first, (int)(rows >> 1)));
        }
    }

    private static int WriteVarint(Span<byte> output, ulong value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            output[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        output[i++] = (byte)value;
        return i;
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> input, ref int at)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (at >= input.Length)
            {
                throw new InvalidDataException("A request id index ends inside a number.");
            }

            var b = input[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw new InvalidDataException("A request id index holds a number longer than ten bytes.");
    }
}
