using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Serverless.Core.Monitoring.Monitor;

/// <summary>
/// The priority of a logged row (or an outcome) for the monitor's bounded samples (<see cref="PrioritySample{T}"/>):
/// SipHash-2-4, keyed by the run's <see cref="Seed"/>, of the row's request id, row index and timestamp. A sample
/// keeps the rows of lowest priority, so it is a uniform sample that depends only on the seed and the rows, never
/// on the order they are read in (the log is read concurrently): the same seed over the same window gives the same
/// report. Every feature samples the same rows. A run draws a fresh random seed (<see cref="NewSeed"/>) and records
/// it in its report; a caller who cannot know it cannot craft request ids that crowd the sample. Immutable; thread-safe.
/// </summary>
public sealed class RowSampler
{
    private const int StackLimit = 512;
    private readonly ulong _k0;
    private readonly ulong _k1;

    public RowSampler(ulong seed)
    {
        Seed = seed;
        _k0 = seed;
        _k1 = Mix(seed ^ 0x9E3779B97F4A7C15UL);
    }

    public ulong Seed { get; }

    /// <summary>A seed from the operating system's cryptographic random source.</summary>
    public static ulong NewSeed()
    {
        Span<byte> bytes = stackalloc byte[8];
        RandomNumberGenerator.Fill(bytes);
        return BinaryPrimitives.ReadUInt64LittleEndian(bytes);
    }

    /// <summary>The priority of a logged row: its request id, row and timestamp (so a reused request id still spreads).</summary>
    public ulong Priority(string requestId, int row, long utcTicks) => Hash(requestId, row, utcTicks);

    /// <summary>The priority of an outcome: its request id and row.</summary>
    public ulong Priority(string requestId, int row) => Hash(requestId, row, 0);

    private ulong Hash(string requestId, int row, long ticks)
    {
        var id = MemoryMarshal.AsBytes(requestId.AsSpan());
        if (id.Length > StackLimit)
        {
            // Long ids: hash the id first, then the fixed-size rest with it.
            Span<byte> head = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(head, SipHash.Hash(_k0, _k1, id));
            return Tail(head, row, ticks);
        }

        return Tail(id, row, ticks);
    }

    private ulong Tail(ReadOnlySpan<byte> id, int row, long ticks)
    {
        Span<byte> buffer = stackalloc byte[id.Length + 12];
        id.CopyTo(buffer);
        BinaryPrimitives.WriteInt32LittleEndian(buffer[id.Length..], row);
        BinaryPrimitives.WriteInt64LittleEndian(buffer[(id.Length + 4)..], ticks);
        return SipHash.Hash(_k0, _k1, buffer);
    }

    /// <summary>SplitMix64's finaliser: the second half of the key from the seed.</summary>
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
