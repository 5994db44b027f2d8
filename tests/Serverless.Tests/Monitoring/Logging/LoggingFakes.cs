using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Serverless.Core.Monitoring.Logging;

namespace Serverless.Tests.Monitoring.Logging;

/// <summary>A sink that keeps every batch it is given; it can be made to wait on a gate or to fail.</summary>
internal sealed class RecordingSink : IInferenceLogSink
{
    public ConcurrentQueue<InferenceLogBatch> Batches { get; } = new();

    /// <summary>When set, each write waits for it (honouring cancellation).</summary>
    public TaskCompletionSource? Gate { get; set; }

    public Exception? Failure { get; set; }

    public int Calls;

    public async Task WriteAsync(InferenceLogBatch batch, CancellationToken cancellationToken)
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

        Batches.Enqueue(batch);
    }

    public int EntityCount => Batches.Sum(b => b.Entities.Count);
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
