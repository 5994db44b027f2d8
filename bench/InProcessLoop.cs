using System.Diagnostics;

namespace Serverless.Bench;

/// <summary>
/// Stopwatch measurement of a synchronous operation: a timed warm-up, then back-to-back calls each timed
/// (a fixed count or a time budget, whichever comes first); and parallel throughput on several threads.
/// </summary>
public static class InProcessLoop
{
    public static Measurement Measure(string label, Func<int> operation, TimeSpan warmup, TimeSpan budget, int maxCount)
    {
        var sink = 0;
        var warmEnd = Stopwatch.GetTimestamp() + Ticks(warmup);
        while (Stopwatch.GetTimestamp() < warmEnd)
        {
            sink += operation();
        }

        var durations = new long[maxCount];
        var count = 0;
        var start = Stopwatch.GetTimestamp();
        var deadline = start + Ticks(budget);
        var last = start;
        while (count < maxCount && last < deadline)
        {
            sink += operation();
            var now = Stopwatch.GetTimestamp();
            durations[count++] = now - last;
            last = now;
        }

        GC.KeepAlive(sink);
        return Measurement.FromTicks(label, durations.AsSpan(0, count), Stopwatch.GetElapsedTime(start, last));
    }

    /// <summary>Operations per second with <paramref name="threads"/> threads calling <paramref name="operation"/> for <paramref name="duration"/>.</summary>
    public static double Throughput(Func<int> operation, int threads, TimeSpan duration)
    {
        long total = 0;
        using var gate = new ManualResetEventSlim();
        long deadline = 0;
        var workers = Enumerable.Range(0, threads).Select(_ => new Thread(() =>
        {
            gate.Wait();
            long done = 0;
            var sink = 0;
            while (Stopwatch.GetTimestamp() < Volatile.Read(ref deadline))
            {
                sink += operation();
                done++;
            }

            GC.KeepAlive(sink);
            Interlocked.Add(ref total, done);
        })).ToList();
        workers.ForEach(w => w.Start());
        var start = Stopwatch.GetTimestamp();
        Volatile.Write(ref deadline, start + Ticks(duration));
        gate.Set();
        workers.ForEach(w => w.Join());
        return Interlocked.Read(ref total) / Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    private static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);
}
