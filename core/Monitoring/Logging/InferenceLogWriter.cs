using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serverless.Core.Monitoring.Logging.Blocks;

namespace Serverless.Core.Monitoring.Logging;

/// <summary>
/// The background half of inference logging: drains <see cref="InferenceLogBuffer"/>, turns requests into records
/// packed into blocks, one per partition (all serialisation and compression happen here; see
/// <see cref="InferenceLogBlockFormat"/>), and writes each block as one entity: a full block at once, the rest every
/// <see cref="InferenceLogOptions.FlushIntervalMs"/>; up to <see cref="InferenceLogOptions.Shards"/> writes in flight.
/// Failed blocks are counted (and logged, at most once a minute), never retried beyond the SDK's own retries, so a
/// storage outage costs records, not memory. <see cref="StopAsync"/> closes the buffer and writes what it holds,
/// until the host's shutdown timeout cancels it; whatever is left then counts as failed. <see cref="FlushAsync"/>
/// writes what this instance holds now (a monitoring run or a feedback call first makes its own recent traffic visible).
/// </summary>
public sealed class InferenceLogWriter : IHostedService, IDisposable
{
    /// <summary>Records taken off the buffer per pass before full blocks are written.</summary>
    internal const int MaxDrainPerPass = 10_000;

    /// <summary>Longest the writer sleeps while it holds records (it drains the buffer at least this often).</summary>
    internal const int MaxDrainIntervalMs = 25;

    private static readonly TimeSpan FailureLogInterval = TimeSpan.FromMinutes(1);

    /// <summary>How long the writer lets the request that woke it from idle finish before it drains (real time).</summary>
    private static readonly TimeSpan IdleWakeDelay = TimeSpan.FromMilliseconds(2);

    private readonly InferenceLogOptions _options;
    private readonly InferenceLogBuffer _buffer;
    private readonly IInferenceLogSink _sink;
    private readonly TimeProvider _time;
    private readonly ILogger<InferenceLogWriter> _logger;
    private readonly InferenceLogBlocks _blocks;
    private readonly CancellationTokenSource _abort = new();
    private readonly TaskCompletionSource _stopping = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly System.Collections.Concurrent.ConcurrentQueue<TaskCompletionSource> _flushWaiters = new();
    private TaskCompletionSource _flushSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenSource? _idleWait;
    private Task? _loop;
    private long _passes;
    private long _lastFailureLog = long.MinValue;
    private long _failuresSinceLog;

    public InferenceLogWriter(IOptions<InferenceLogOptions> options, InferenceLogBuffer buffer, IInferenceLogSink sink, TimeProvider time,
        ILogger<InferenceLogWriter> logger)
    {
        _options = options.Value;
        _buffer = buffer;
        _sink = sink;
        _time = time;
        _logger = logger;
        _blocks = new InferenceLogBlocks(_options.TablePrefix, _options.Shards);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_options.Enabled && _loop is null)
        {
            _loop = Task.Run(RunAsync, CancellationToken.None);
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _buffer.Complete();
        _stopping.TrySetResult();
        if (_loop is null)
        {
            return;
        }

        try
        {
            await _loop.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await _abort.CancelAsync().ConfigureAwait(false);
            await _loop.ConfigureAwait(false);
        }

        var counters = _buffer.Counters;
        _logger.LogInformation("Inference log stopped: {Enqueued} records enqueued, {Written} written, {Dropped} dropped, {Failed} failed",
            counters.Enqueued, counters.Written, counters.Dropped, counters.Failed);
    }

    /// <summary>
    /// Writes every record offered to the buffer before this call (in this process), then completes; completes at once
    /// when logging is off or stopped. Thread-safe; concurrent calls share one pass.
    /// </summary>
    public Task FlushAsync(CancellationToken cancellationToken = default)
    {
        if (_loop is null || _loop.IsCompleted)
        {
            return Task.CompletedTask;
        }

        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _flushWaiters.Enqueue(waiter);
        Volatile.Read(ref _flushSignal).TrySetResult();
        try
        {
            Volatile.Read(ref _idleWait)?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The idle wait ended meanwhile; the next pass sees the waiter.
        }

        return waiter.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// <see cref="FlushAsync"/> bounded by <paramref name="limit"/>: true when everything offered before the call is
    /// written; false when the limit ran out first (storage slow or gone), which callers treat as "not yet visible".
    /// </summary>
    public async Task<bool> TryFlushAsync(TimeSpan limit, CancellationToken cancellationToken = default)
    {
        try
        {
            await FlushAsync(cancellationToken).WaitAsync(limit, _time, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>Passes of the writer's loop so far (each a wake-up): a few per flush interval, not one per request.</summary>
    internal long Passes => Interlocked.Read(ref _passes);

    public void Dispose() => _abort.Dispose();

    private async Task RunAsync()
    {
        var interval = TimeSpan.FromMilliseconds(_options.FlushIntervalMs);
        var drainEvery = TimeSpan.FromMilliseconds(Math.Min(_options.FlushIntervalMs, MaxDrainIntervalMs));
        var nextFlush = DateTimeOffset.MaxValue;
        var backlog = false;
        while (!_abort.IsCancellationRequested)
        {
            try
            {
                var idle = _blocks.Count == 0;
                if (idle)
                {
                    // Nothing held: sleep until records arrive. A completed, empty buffer ends the loop.
                    // A flush asked meanwhile cancels the wait: whatever arrived before the ask is in the buffer now.
                    using var idleWait = CancellationTokenSource.CreateLinkedTokenSource(_abort.Token);
                    Interlocked.Exchange(ref _idleWait, idleWait);
                    try
                    {
                        if (_flushWaiters.IsEmpty && !await _buffer.WaitToReadAsync(idleWait.Token).ConfigureAwait(false))
                        {
                            break;
                        }

                        if (_flushWaiters.IsEmpty && !_stopping.Task.IsCompleted)
                        {
                            // The request that woke the writer is still answering (it enqueues before its answer is
                            // written): draining now would take a core from it. Its records wait an interval anyway.
                            await Task.Delay(IdleWakeDelay, idleWait.Token).ConfigureAwait(false);
                        }
                    }
                    catch (OperationCanceledException) when (!_abort.IsCancellationRequested)
                    {
                    }
                    finally
                    {
                        Volatile.Write(ref _idleWait, null);
                    }
                }
                else if (!backlog && !_stopping.Task.IsCompleted && _flushWaiters.IsEmpty)
                {
                    // Records held: wake at the flush deadline, or sooner to keep the buffer drained, but never per
                    // record: a wake-up per request would cost the serving threads more than the logging itself.
                    var wait = Min(nextFlush, _time.GetUtcNow() + drainEvery) - _time.GetUtcNow();
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.WhenAny(Task.Delay(wait, _time, _abort.Token), _stopping.Task, Volatile.Read(ref _flushSignal).Task).ConfigureAwait(false);
                    }
                }

                Interlocked.Increment(ref _passes);
                var flushing = TakeFlushWaiters();
                backlog = Drain();
                while (flushing.Count > 0 && backlog)
                {
                    backlog = Drain();
                }

                var now = _time.GetUtcNow();
                if (idle && _blocks.Count > 0)
                {
                    // The first records after a quiet spell wait one interval for company.
                    nextFlush = now + interval;
                }

                var blocks = _blocks.TakeReady();
                var stopping = _stopping.Task.IsCompleted && !backlog;
                if (stopping || now >= nextFlush || flushing.Count > 0)
                {
                    blocks.AddRange(_blocks.TakeAll());
                    nextFlush = DateTimeOffset.MaxValue;
                }

                if (blocks.Count > 0)
                {
                    await WriteAsync(blocks).ConfigureAwait(false);
                }

                flushing.ForEach(w => w.TrySetResult());
            }
            catch (Exception e) when (!_abort.IsCancellationRequested)
            {
                _logger.LogError(e, "Inference log writer pass failed; continuing");
            }
            catch (Exception) when (_abort.IsCancellationRequested)
            {
                break;
            }
        }

        TakeFlushWaiters().ForEach(w => w.TrySetResult());

        // Aborted by the shutdown timeout: whatever is still held or buffered is lost.
        var lost = (long)_blocks.Count;
        while (_buffer.TryRead(out var capture))
        {
            lost += capture.RecordCount;
        }

        if (lost > 0)
        {
            _buffer.CountFailed(lost);
            _logger.LogWarning("Inference log: {Records} records were not written before shutdown", lost);
        }
    }

    /// <summary>The flush callers waiting now; the signal is re-armed first, so a later ask wakes the next pass.</summary>
    private List<TaskCompletionSource> TakeFlushWaiters()
    {
        if (_flushWaiters.IsEmpty)
        {
            return [];
        }

        Volatile.Write(ref _flushSignal, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        var waiters = new List<TaskCompletionSource>();
        while (_flushWaiters.TryDequeue(out var waiter))
        {
            waiters.Add(waiter);
        }

        return waiters;
    }

    /// <summary>Moves up to <see cref="MaxDrainPerPass"/> records from the buffer into blocks; true when it stopped at that limit.</summary>
    private bool Drain()
    {
        var drained = 0;
        while (drained < MaxDrainPerPass && _buffer.TryRead(out var capture))
        {
            var (failed, error) = _blocks.Add(capture);
            if (failed > 0)
            {
                _buffer.CountFailed(failed);
                _logger.LogError(error, "Inference log: {Failed} of the {Records} records of request {RequestId} could not be written",
                    failed, capture.RecordCount, capture.RequestId);
            }

            drained += capture.RecordCount;
        }

        return drained >= MaxDrainPerPass;
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private async Task WriteAsync(List<InferenceLogBlock> blocks)
    {
        await Parallel.ForEachAsync(blocks, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, _options.Shards) }, async (block, _) =>
        {
            try
            {
                await _sink.WriteAsync(block, _abort.Token).ConfigureAwait(false);
                _buffer.CountWritten(block.Records);
            }
            catch (Exception e)
            {
                _buffer.CountFailed(block.Records);
                if (!_abort.IsCancellationRequested)
                {
                    LogFailure(e, block);
                }
            }
        }).ConfigureAwait(false);
    }

    private void LogFailure(Exception e, InferenceLogBlock block)
    {
        var failures = Interlocked.Increment(ref _failuresSinceLog);
        var now = _time.GetTimestamp();
        var last = Interlocked.Read(ref _lastFailureLog);
        if (last != long.MinValue && _time.GetElapsedTime(last, now) < FailureLogInterval)
        {
            return;
        }

        if (Interlocked.CompareExchange(ref _lastFailureLog, now, last) == last)
        {
            Interlocked.Exchange(ref _failuresSinceLog, 0);
            _logger.LogWarning(e, "Inference log: a block of {Records} records for table {Table}, partition {Partition} was not written " +
                                  "({Failures} failed block(s) since the last report); counters: {Counters}",
                block.Records, block.Table, block.Entity.PartitionKey, failures, _buffer.Counters);
        }
    }
}
