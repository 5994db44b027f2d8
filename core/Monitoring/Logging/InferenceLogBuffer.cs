using System.Diagnostics.Metrics;
using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Serverless.Core.Monitoring.Logging;

/// <summary>
/// The bounded in-memory queue between the request path and <see cref="InferenceLogWriter"/>: one entry per logged
/// request. At most <see cref="InferenceLogOptions.BufferCapacity"/> records (rows) are held at once, counting those
/// the writer has taken but not yet written, so the bound covers all of logging's memory. Enqueueing never waits:
/// when a request's rows do not fit (or the writer has stopped) they are dropped and counted. Also publishes the
/// counters as metrics (meter <see cref="MeterName"/>). Lock-free on both sides (a concurrent queue and interlocked
/// counts): with a locked queue the writer's draining contends with every request thread. The single reader is woken
/// only when it sleeps for want of records, not per enqueue. Thread-safe; one per process.
/// </summary>
public sealed class InferenceLogBuffer : IDisposable
{
    public const string MeterName = "Serverless.InferenceLog";

    private readonly ConcurrentQueue<InferenceLogCapture> _queue = new();
    private readonly long _capacity;
    private readonly Meter _meter;
    private long _held;
    private long _enqueued;
    private long _written;
    private long _dropped;
    private long _failed;
    private long _sampledOut;
    private int _readerWaiting;
    private volatile bool _completed;
    private TaskCompletionSource<bool>? _wake;

    public InferenceLogBuffer(IOptions<InferenceLogOptions> options)
    {
        _capacity = options.Value.BufferCapacity;
        _meter = new Meter(MeterName);
        _meter.CreateObservableCounter("inference_log.records.enqueued", () => Volatile.Read(ref _enqueued), "{record}");
        _meter.CreateObservableCounter("inference_log.records.written", () => Volatile.Read(ref _written), "{record}");
        _meter.CreateObservableCounter("inference_log.records.dropped", () => Volatile.Read(ref _dropped), "{record}");
        _meter.CreateObservableCounter("inference_log.records.failed", () => Volatile.Read(ref _failed), "{record}");
        _meter.CreateObservableUpDownCounter("inference_log.records.pending", () => Counters.Pending, "{record}");
    }

    public InferenceLogCounters Counters
    {
        get
        {
            var enqueued = Volatile.Read(ref _enqueued);
            var written = Volatile.Read(ref _written);
            var failed = Volatile.Read(ref _failed);
            return new InferenceLogCounters(enqueued, written, Volatile.Read(ref _dropped), failed, Math.Max(0, enqueued - written - failed),
                Volatile.Read(ref _sampledOut));
        }
    }

    /// <summary>
    /// The single reader's wait: true as soon as a request is queued, false once the buffer is completed and empty.
    /// Enqueuers signal only while the reader is parked here (Dekker-style: each side publishes, fences, then checks
    /// the other's state), so a busy writer costs the request path nothing.
    /// </summary>
    internal async ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (!_queue.IsEmpty)
            {
                return true;
            }

            if (_completed)
            {
                return !_queue.IsEmpty;
            }

            var wake = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _wake, wake);
            Interlocked.Exchange(ref _readerWaiting, 1);
            if (!_queue.IsEmpty || _completed)
            {
                Interlocked.Exchange(ref _readerWaiting, 0);
                continue;
            }

            await wake.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Buffers a completed request's records, or drops and counts them; never blocks.</summary>
    internal bool TryEnqueue(InferenceLogCapture capture)
    {
        var rows = capture.RecordCount;
        if (Interlocked.Add(ref _held, rows) > _capacity)
        {
            Interlocked.Add(ref _held, -rows);
            Interlocked.Add(ref _dropped, rows);
            return false;
        }

        if (_completed)
        {
            Interlocked.Add(ref _held, -rows);
            Interlocked.Add(ref _dropped, rows);
            return false;
        }

        // Counted before the enqueue so the writer can never count a record written before it was counted enqueued.
        Interlocked.Add(ref _enqueued, rows);
        _queue.Enqueue(capture);
        WakeReader();
        return true;
    }

    /// <summary>Takes the next request's records off the queue (the writer's single reader); they stay held until counted written or failed.</summary>
    internal bool TryRead(out InferenceLogCapture capture) => _queue.TryDequeue(out capture!);

    /// <summary>Refuses anything more (later requests count as dropped); what is buffered can still be read.</summary>
    internal void Complete()
    {
        _completed = true;
        Interlocked.MemoryBarrier();
        WakeReader();
    }

    private void WakeReader()
    {
        if (Volatile.Read(ref _readerWaiting) == 1 && Interlocked.Exchange(ref _readerWaiting, 0) == 1)
        {
            Volatile.Read(ref _wake)?.TrySetResult(true);
        }
    }

    internal void CountWritten(long records)
    {
        Interlocked.Add(ref _written, records);
        Interlocked.Add(ref _held, -records);
    }

    internal void CountFailed(long records)
    {
        Interlocked.Add(ref _failed, records);
        Interlocked.Add(ref _held, -records);
    }

    internal void CountSampledOut() => Interlocked.Increment(ref _sampledOut);

    public void Dispose() => _meter.Dispose();
}
