using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Serverless.Core.Monitoring.Logging;
using Serverless.Core.Monitoring.Logging.Blocks;

namespace Serverless.Tests.Monitoring.Logging;

/// <summary>A sink that keeps every block it is given; it can be made to wait on a gate or to fail.</summary>
internal sealed class RecordingSink : IInferenceLogSink
{
    public ConcurrentQueue<InferenceLogBlock> Blocks { get; } = new();

    /// <summary>When set, each write waits for it (honouring cancellation).</summary>
    public TaskCompletionSource? Gate { get; set; }

    public Exception? Failure { get; set; }

    public int Calls;

    public async Task WriteAsync(InferenceLogBlock block, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Calls);
        if (Gate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }

        if (Failure is { } failure)
        {
            throw failure;
        }

        Blocks.Enqueue(block);
    }

    public int RecordCount => Blocks.Sum(b => b.Records);

    /// <summary>Every record written, read back from the blocks.</summary>
    public List<InferenceLogRecord> Records() => Blocks.SelectMany(b => InferenceLogBlockFormat.ReadRecords(b.Entity)).ToList();
}

/// <summary>
/// The logging pieces wired by hand around a <see cref="RecordingSink"/> and a <see cref="FakeTimeProvider"/>: the
/// writer's flush and drain timers fire only when the test moves <see cref="Time"/>, never because the machine is slow.
/// </summary>
internal sealed class LoggingHarness : IDisposable
{
    /// <summary>Generous real-time bound on waits for the writer: only a hang runs into it.</summary>
    public static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    public LoggingHarness(InferenceLogOptions? options = null, FakeTimeProvider? time = null)
    {
        Options = options ?? new InferenceLogOptions();
        Time = time ?? new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
        var wrapped = Microsoft.Extensions.Options.Options.Create(Options);
        Buffer = new InferenceLogBuffer(wrapped);
        Logger = new InferenceLogger(wrapped, Buffer, Time);
        Writer = new InferenceLogWriter(wrapped, Buffer, Sink, Time, NullLogger<InferenceLogWriter>.Instance);
    }

    public InferenceLogOptions Options { get; }

    /// <summary>The clock of the logger's timestamps and the writer's timers; it moves only when told to.</summary>
    public FakeTimeProvider Time { get; }

    public RecordingSink Sink { get; } = new();

    public InferenceLogBuffer Buffer { get; }

    public InferenceLogger Logger { get; }

    public InferenceLogWriter Writer { get; }

    /// <summary>
    /// Moves the fake clock on, a drain interval at a time, until the counters say nothing is pending; each step
    /// gives the writer a moment of real time to arm its next timer. Fails only after <see cref="HangGuard"/>.
    /// </summary>
    public async Task SettleAsync()
    {
        var step = TimeSpan.FromMilliseconds(Math.Min(Options.FlushIntervalMs, InferenceLogWriter.MaxDrainIntervalMs));
        var deadline = DateTime.UtcNow + HangGuard;
        while (Buffer.Counters.Pending > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"still pending: {Buffer.Counters}");
            Time.Advance(step);
            await Task.Delay(5);
        }
    }

    /// <summary>Waits (real time, bounded by <see cref="HangGuard"/>) until <paramref name="condition"/> holds.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + HangGuard;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"gave up waiting: {what}");
            await Task.Delay(5);
        }
    }

    public void Dispose()
    {
        Writer.Dispose();
        Buffer.Dispose();
    }
}
