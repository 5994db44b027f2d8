namespace Serverless.Orchestrations.BatchScoring;

/// <summary>
/// A plan made when the job starts: the chunks and, unless rows carry ids, each chunk's data rows (null when they do: nothing
/// needs them). The orchestration then skips its planning and counting activities (each a round trip through the task hub's queues).
/// </summary>
public sealed record BatchStartPlan(BatchPlan Plan, IReadOnlyList<long>? RowCounts);

/// <summary>
/// Plans a job when it starts, where that is cheap. Rows numbered by position (no id column), an input of at most
/// <see cref="MaxBytes"/>: one streamed pass cuts the chunks exactly where <see cref="PlanBatchActivity"/> cuts them (the first
/// line start at or after each chunk's byte budget) and counts each chunk's rows as <see cref="CountRowsActivity"/> counts them;
/// memory is one read buffer whatever the input's size. Rows that carry ids, at most <see cref="MaxProbedChunks"/> chunks of
/// any size: the planning activity's own probes (one small ranged read per boundary), no count. Other jobs are planned (and
/// counted) by those activities, in parallel. Stateless; thread-safe.
/// </summary>
public static class BatchStartPlanner
{
    /// <summary>Largest input whose rows are counted at the start (reading it once costs the start request tens of milliseconds).</summary>
    public const long MaxBytes = 32L << 20;

    /// <summary>Most chunks whose boundaries the start probes for a job whose rows carry ids (each probe is one small ranged read).</summary>
    public const long MaxProbedChunks = 64;

    private const int BufferBytes = 64 * 1024;

    /// <summary>True when the start plans a job of this request, input size and layout.</summary>
    public static bool Plans(BatchScoringRequest request, long size, ChunkLayout layout) =>
        request.IdColumn is null ? size <= MaxBytes : layout.ChunkCount <= MaxProbedChunks;

    /// <summary>The start's plan of a job <see cref="Plans"/> accepts.</summary>
    public static async Task<BatchStartPlan> PlanAsync(InputBlobReader input, BatchScoringRequest request, string version, string format, long size,
        ChunkLayout layout, CancellationToken cancellationToken)
    {
        if (request.IdColumn is null)
        {
            return await PlanAndCountAsync(input, request, version, format, size, layout, cancellationToken).ConfigureAwait(false);
        }

        var chunks = await PlanBatchActivity.CutAsync(input, request.Input, size, layout, cancellationToken).ConfigureAwait(false);
        return new BatchStartPlan(new BatchPlan(request.Model, version, format, layout.Header, size, chunks), null);
    }

    private static async Task<BatchStartPlan> PlanAndCountAsync(InputBlobReader input, BatchScoringRequest request, string version, string format, long size,
        ChunkLayout layout, CancellationToken cancellationToken)
    {
        var cutter = new ChunkCutter(layout.DataStart, layout.ChunkBytes, size, (int)layout.ChunkCount);
        await using (var stream = await input.OpenRangeAsync(request.Input, layout.DataStart, size, cancellationToken).ConfigureAwait(false))
        {
            var buffer = new byte[BufferBytes];
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                cutter.Add(buffer.AsSpan(0, read));
            }
        }

        cutter.End();
        return new BatchStartPlan(new BatchPlan(request.Model, version, format, layout.Header, size, cutter.Chunks), cutter.Counts);
    }

    /// <summary>Cuts a stream of the input's data bytes into chunks and counts each chunk's rows as the bytes arrive.</summary>
    internal sealed class ChunkCutter
    {
        private readonly long _chunkBytes;
        private readonly long _size;
        private long _position;
        private long _chunkStart;
        private bool _seekingLineStart;
        private long _rows;
        private bool _lineHasContent;

        public ChunkCutter(long dataStart, long chunkBytes, long size, int expectedChunks)
        {
            _position = dataStart;
            _chunkStart = dataStart;
            _chunkBytes = chunkBytes;
            _size = size;
            Chunks = new List<ChunkRange>(expectedChunks);
            Counts = new List<long>(expectedChunks);
        }

        public List<ChunkRange> Chunks { get; }

        public List<long> Counts { get; }

        public void Add(ReadOnlySpan<byte> bytes)
        {
            while (!bytes.IsEmpty)
            {
                var budgetEnd = _chunkStart + _chunkBytes;
                if (!_seekingLineStart)
                {
                    // The last chunk runs to the end of the input, as the planning activity cuts it.
                    var untilBudget = budgetEnd >= _size ? long.MaxValue : budgetEnd - _position;
                    if (untilBudget >= bytes.Length)
                    {
                        Count(bytes);
                        return;
                    }

                    Count(bytes[..(int)untilBudget]);
                    bytes = bytes[(int)untilBudget..];
                    _seekingLineStart = true;
                }

                var newline = bytes.IndexOf((byte)'\n');
                if (newline < 0)
                {
                    Count(bytes);
                    return;
                }

                Count(bytes[..(newline + 1)]);
                bytes = bytes[(newline + 1)..];
                Cut(_position);
            }
        }

        public void End()
        {
            if (_chunkStart < _size)
            {
                Cut(_size);
            }
        }

        private void Count(ReadOnlySpan<byte> bytes)
        {
            _rows += CountRowsActivity.CountLines(bytes, ref _lineHasContent);
            _position += bytes.Length;
        }

        private void Cut(long end)
        {
            Chunks.Add(new ChunkRange(Chunks.Count, _chunkStart, end));
            Counts.Add(_lineHasContent ? _rows + 1 : _rows);
            _rows = 0;
            _lineHasContent = false;
            _chunkStart = end;
            _seekingLineStart = false;
        }
    }
}
