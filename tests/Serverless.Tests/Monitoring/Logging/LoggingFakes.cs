using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
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

/// <summary>The logging pieces wired by hand around a <see cref="RecordingSink"/>.</summary>
internal sealed class LoggingHarness : IDisposable
{
    public LoggingHarness(InferenceLogOptions? options = null, TimeProvider? time = null)
    {
        Options = options ?? new InferenceLogOptions();
        var wrapped = Microsoft.Extensions.Options.Options.Create(Options);
        Buffer = new InferenceLogBuffer(wrapped);
        Logger = new InferenceLogger(wrapped, Buffer, time ?? TimeProvider.System);
        Writer = new InferenceLogWriter(wrapped, Buffer, Sink, time ?? TimeProvider.System, NullLogger<InferenceLogWriter>.Instance);
    }

    public InferenceLogOptions Options { get; }

    public RecordingSink Sink { get; } = new();

    public InferenceLogBuffer Buffer { get; }

    public InferenceLogger Logger { get; }

    public InferenceLogWriter Writer { get; }

    /// <summary>Waits until the counters say nothing is pending (or fails after <paramref name="timeout"/>).</summary>
    public async Task WaitUntilSettledAsync(TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (Buffer.Counters.Pending > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"still pending: {Buffer.Counters}");
            await Task.Delay(10);
        }
    }

    public void Dispose()
    {
        Writer.Dispose();
        Buffer.Dispose();
    }
}
