using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace Serverless.Core.Monitoring.Logging;

/// <summary>
/// The bounded in-memory queue between the request path and <see cref="InferenceLogWriter"/>: one entry per logged
/// request. At most <see cref="InferenceLogOptions.BufferCapacity"/> records (rows) are held at once, counting those
/// the writer has taken but not yet written, so the bound covers all of logging's memory. Enqueueing never waits:
/// when a request's rows do not fit (or the writer has stopped) they are dropped and counted. Also publishes the
/// counters as metrics (meter <see cref="MeterName"/>). Thread-safe; one per process.
/// </summary>
public sealed class InferenceLogBuffer : IDisposable
{
    public const string MeterName = "Serverless.InferenceLog";

    private readonly Channel<InferenceLogCapture> _channel;
    private readonly long _capacity;
    private readonly Meter _meter;
    private long _held;
    private long _enqueued;
    private long _written;
    private long _dropped;
    private long _failed;
    private long _sampledOut;

    public InferenceLogBuffer(IOptions<InferenceLogOptions> options)
    {
        _capacity = options.Value.BufferCapacity;
        // Every entry holds at least one record, so the channel never fills before the record count does; Wait mode
        // makes TryWrite answer false instead of silently dropping, so every loss is counted.
        _channel = Channel.CreateBounded<InferenceLogCapture>(new BoundedChannelOptions(options.Value.BufferCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = false,
            AllowSynchronousContinuations = false,
        });
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

    internal ChannelReader<InferenceLogCapture> Reader => _channel.Reader;

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

        // Counted before the write so the writer can never count a record written before it was counted enqueued.
        Interlocked.Add(ref _enqueued, rows);
        if (!_channel.Writer.TryWrite(capture))
        {
            Interlocked.Add(ref _enqueued, -rows);
            Interlocked.Add(ref _held, -rows);
            Interlocked.Add(ref _dropped, rows);
            return false;
        }

        return true;
    }

    /// <summary>Takes the next request's records off the queue (the writer's single reader); they stay held until counted written or failed.</summary>
    internal bool TryRead(out InferenceLogCapture capture) => _channel.Reader.TryRead(out capture!);

    /// <summary>Refuses anything more (later requests count as dropped); what is buffered can still be read.</summary>
    internal void Complete() => _channel.Writer.TryComplete();

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
