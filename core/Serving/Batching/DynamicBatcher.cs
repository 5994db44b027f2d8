using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.ML.OnnxRuntime;
using Serverless.Core.Protocol;

namespace Serverless.Core.Serving.Batching;

/// <summary>One request waiting in a <see cref="DynamicBatcher"/>: its inputs (owned by its caller), rows, wanted outputs and answer.</summary>
internal sealed class BatchedRequest(IReadOnlyList<string> inputNames, IReadOnlyList<OrtValue> inputValues, long rows, IReadOnlyList<string> outputNames)
{
    public IReadOnlyList<string> InputNames { get; } = inputNames;

    public IReadOnlyList<OrtValue> InputValues { get; } = inputValues;

    public long Rows { get; } = rows;

    public IReadOnlyList<string> OutputNames { get; } = outputNames;

    public TaskCompletionSource<IDisposableReadOnlyCollection<OrtValue>> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>
/// Dynamic batching for one loaded version (Triton's dynamic batcher, Ray Serve's <c>@serve.batch</c>): concurrent requests
/// queue, and a worker merges what has queued — up to <see cref="ModelBatching.MaxBatchSize"/> rows, waiting at most
/// <see cref="ModelBatching.MaxQueueDelayMicroseconds"/> after the first — into one <c>Run</c>, then cuts each request's rows
/// back out. Requests are parsed and validated before they queue, so a malformed one never joins a batch; if a merged run
/// fails (a value the graph rejects at run time), every request of that batch runs alone and gets its own answer or error.
/// Only requests with the same inputs and shapes past the first dimension share a batch; a request larger than the maximum
/// runs alone at once. Thread-safe. Disposed with its session (after the last lease, so nothing is queued by then).
/// </summary>
public sealed class DynamicBatcher : IDisposable
{
    private static readonly long TicksPerMillisecond = Stopwatch.Frequency / 1000;

    private readonly LoadedModel _model;
    private readonly int _maxRows;
    private readonly long _delayTicks;
    private readonly Channel<BatchedRequest> _queue;
    private long _batches;
    private long _batchedRequests;

    internal DynamicBatcher(LoadedModel model, ModelBatching settings)
    {
        _model = model;
        _maxRows = settings.MaxBatchSize;
        _delayTicks = settings.MaxQueueDelayMicroseconds * Stopwatch.Frequency / 1_000_000;
        _queue = Channel.CreateUnbounded<BatchedRequest>(new UnboundedChannelOptions { SingleReader = settings.MaxConcurrentBatches == 1 });
        for (var i = 0; i < settings.MaxConcurrentBatches; i++)
        {
            _ = Task.Run(WorkAsync);
        }
    }

    /// <summary>Runs made so far (merged or single) and the requests they served: their ratio is the mean batch size.</summary>
    public (long Batches, long Requests) Counts => (Interlocked.Read(ref _batches), Interlocked.Read(ref _batchedRequests));

    /// <summary>
    /// A batcher for <paramref name="model"/> when <paramref name="settings"/> name it and every input and output has a free
    /// first dimension and fixed-size elements; else null (the version serves request by request).
    /// </summary>
    public static DynamicBatcher? TryCreate(LoadedModel model, ModelBatching? settings) =>
        settings is not null && BatchTensors.CanBatch(model.Session) ? new DynamicBatcher(model, settings) : null;

    /// <summary>
    /// The outputs <paramref name="outputNames"/> for <paramref name="request"/> (parsed and owned by the caller, who must not
    /// dispose it before this completes), from a merged run when others queue beside it. The caller disposes the result.
    /// </summary>
    public ValueTask<IDisposableReadOnlyCollection<OrtValue>> RunAsync(InferRequest request, IReadOnlyList<string> outputNames) =>
        RunAsync(request.InputNames, request.InputValues, outputNames);

    /// <summary>As above for named input values (the records API's), owned by the caller until this completes.</summary>
    public ValueTask<IDisposableReadOnlyCollection<OrtValue>> RunAsync(IReadOnlyList<string> inputNames, IReadOnlyList<OrtValue> inputValues, IReadOnlyList<string> outputNames)
    {
        var rows = BatchTensors.Rows(inputValues);
        if (rows <= 0 || rows > _maxRows)
        {
            return ValueTask.FromResult(_model.Run(inputNames, inputValues, outputNames));
        }

        var pending = new BatchedRequest(inputNames, inputValues, rows, outputNames);
        return _queue.Writer.TryWrite(pending)
            ? new ValueTask<IDisposableReadOnlyCollection<OrtValue>>(pending.Answer.Task)
            : ValueTask.FromResult(_model.Run(inputNames, inputValues, outputNames));
    }

    public void Dispose() => _queue.Writer.TryComplete();

    private async Task WorkAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<BatchedRequest>();
        BatchedRequest? carried = null;
        while (carried is not null || await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            if (carried is null && !reader.TryRead(out carried))
            {
                continue;
            }

            batch.Add(carried);
            var rows = carried.Rows;
            carried = null;
            var deadline = Stopwatch.GetTimestamp() + _delayTicks;
            while (rows < _maxRows)
            {
                if (reader.TryRead(out var next))
                {
                    if (rows + next.Rows > _maxRows || !BatchTensors.Compatible(batch[0], next))
                    {
                        carried = next;
                        break;
                    }

                    batch.Add(next);
                    rows += next.Rows;
                    continue;
                }

                var remaining = deadline - Stopwatch.GetTimestamp();
                if (remaining <= 0)
                {
                    break;
                }

                // Sub-millisecond waits yield the core rather than sleep (timers tick in milliseconds); longer ones sleep.
                if (remaining > 2 * TicksPerMillisecond)
                {
                    await Task.Delay(1).ConfigureAwait(false);
                }
                else
                {
                    Thread.Yield();
                }
            }

            Execute(batch, rows);
            batch.Clear();
        }
    }

    private void Execute(List<BatchedRequest> batch, long rows)
    {
        Interlocked.Increment(ref _batches);
        Interlocked.Add(ref _batchedRequests, batch.Count);
        if (batch.Count == 1)
        {
            RunAlone(batch[0]);
            return;
        }

        OwnedValues[]? answers = null;
        try
        {
            using var inputs = BatchTensors.Concatenate(batch, rows);
            using var outputs = _model.Run(batch[0].InputNames, inputs, _model.OutputNames);
            answers = BatchTensors.Split([.. outputs], _model.OutputNames, batch, rows);
        }
        catch (Exception)
        {
            answers = null;
        }

        if (answers is null)
        {
            // One request's values may have failed the merged run (or the outputs are not per row): each runs alone, so
            // its batch-mates get the answers they would have had without batching.
            foreach (var pending in batch)
            {
                RunAlone(pending);
            }

            return;
        }

        for (var i = 0; i < batch.Count; i++)
        {
            batch[i].Answer.SetResult(answers[i]);
        }
    }

    private void RunAlone(BatchedRequest pending)
    {
        try
        {
            pending.Answer.SetResult(_model.Run(pending.InputNames, pending.InputValues, pending.OutputNames));
        }
        catch (Exception e)
        {
            pending.Answer.SetException(e);
        }
    }
}
