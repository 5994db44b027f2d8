using Serverless.Core.Features;
using Serverless.Core.Serving;
using Serverless.Core.Tabular;

namespace Serverless.Orchestrations.BatchScoring;

/// <summary>
/// Collects rows into a <see cref="FeatureBatch"/> and, every few thousand rows (the reader awaits <see cref="FlushAsync"/> when
/// <see cref="IsFull"/>), runs the model or graph and writes the accepted rows' predictions in input order, each with its id (kept as UTF-8 as read). Refused rows are
/// collected as errors. For a model that takes features from feature sets, rows are read under the join's request schema and
/// joined (<see cref="FeatureRowAssembler.JoinAsync"/>, the records API's join: one batched lookup per set and batch) before the
/// model runs; a row the join refuses is an error like any other. Not thread-safe.
/// </summary>
internal sealed class ChunkScorer
{
    private const int BatchRows = 2048;

    private readonly IRecordScorer _model;
    private readonly PredictionCsv _output;
    private readonly List<RowError> _errors;
    private readonly Utf8Ids _ids = new(BatchRows);
    private readonly FeatureRowAssembler? _features;
    private readonly FeatureBatch? _joined;
    private readonly Dictionary<long, RowId>? _refusedIds;
    private byte[] _idScratch = new byte[256];

    /// <param name="features">The join for a model that takes features from feature sets (with its bound plan); null otherwise.</param>
    /// <param name="refusedIds">Where the ids of rows the join refuses go (by row number), for a job with an id column; null otherwise.</param>
    public ChunkScorer(IRecordScorer model, PredictionCsv output, List<RowError> errors, (FeatureRowAssembler Assembler, FeatureJoinPlan Plan)? features = null,
        Dictionary<long, RowId>? refusedIds = null)
    {
        _refusedIds = refusedIds;
        _model = model;
        _output = output;
        _errors = errors;
        if (features is { } join)
        {
            _features = join.Assembler;
            _joined = model.Tabular.CreateBatch(BatchRows, UnknownFeatures.Ignore);
            Batch = new FeatureBatch(join.Plan.RequestSchema, BatchRows, UnknownFeatures.Ignore);
        }
        else
        {
            Batch = model.Tabular.CreateBatch(BatchRows, UnknownFeatures.Ignore);
        }
    }

    public FeatureBatch Batch { get; }

    public long Accepted { get; private set; }

    /// <summary>
    /// Adds a CSV record (its cells under the bound header) with its id. The id is copied before the cells are
    /// read, so it may point into the reader's buffers. Returns false when the row is refused.
    /// </summary>
    public bool AddCsv<TCells>(long row, ReadOnlySpan<byte> id, ColumnBinding binding, TCells cells)
        where TCells : IUtf8Cells
    {
        if (id.Length > _idScratch.Length)
        {
            _idScratch = new byte[Math.Max(id.Length, _idScratch.Length * 2)];
        }

        id.CopyTo(_idScratch);
        var accepted = Batch.AddRow(binding, cells, row);
        if (accepted)
        {
            _ids.Add(_idScratch.AsSpan(0, id.Length));
        }

        return accepted;
    }

    /// <summary>Adds a JSON Lines row with its id. Returns false when the row is refused.</summary>
    public bool AddJson(long row, ReadOnlySpan<byte> id, ReadOnlySpan<byte> json)
    {
        var accepted = Batch.AddJsonRow(json, row);
        if (accepted)
        {
            _ids.Add(id);
        }

        return accepted;
    }

    /// <summary>Whether the batch holds a chunk's worth of rows: await <see cref="FlushAsync"/> before adding more.</summary>
    public bool IsFull => Batch.RowCount + Batch.RejectedRowCount >= BatchRows;

    public async ValueTask FlushAsync()
    {
        if (_joined is null)
        {
            await ScoreAsync(Batch, Batch.RowCount).ConfigureAwait(false);
            _errors.AddRange(Batch.Errors);
        }
        else
        {
            _joined.Clear();
            if (Batch.RowCount > 0)
            {
                await _features!.JoinAsync(_model.Tabular, Batch, _joined, CancellationToken.None).ConfigureAwait(false);
                KeepIdsOfJoinedRows();
            }

            await ScoreAsync(_joined, _joined.RowCount).ConfigureAwait(false);
            // One error per row the join refuses (a key without values fails every feature it should supply the same way).
            _errors.AddRange(Batch.Errors.Concat(_joined.Errors.DistinctBy(e => e.Row)).OrderBy(e => e.Row));
        }

        _ids.Clear();
        Batch.Clear();
    }

    private async ValueTask ScoreAsync(FeatureBatch batch, int rows)
    {
        if (rows > 0)
        {
            var predictions = await _model.PredictAsync(batch, CancellationToken.None).ConfigureAwait(false);
            for (var i = 0; i < predictions.Length; i++)
            {
                _output.WriteRow(_ids[i], predictions[i]);
            }

            Accepted += predictions.Length;
            await _output.FlushAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Drops the ids of rows the join refused: the joined rows are the read rows less those, in the same order.</summary>
    private void KeepIdsOfJoinedRows()
    {
        var read = Batch.RowIndexes;
        var joined = _joined!.RowIndexes;
        if (joined.Length == read.Length)
        {
            return;
        }

        var kept = new bool[read.Length];
        for (int r = 0, j = 0; r < read.Length && j < joined.Length; r++)
        {
            if (read[r] == joined[j])
            {
                kept[r] = true;
                j++;
            }
        }

        if (_refusedIds is not null)
        {
            for (var r = 0; r < read.Length; r++)
            {
                if (!kept[r])
                {
                    _refusedIds[read[r]] = RowId.Of(System.Text.Encoding.UTF8.GetString(_ids[r]));
                }
            }
        }

        _ids.Keep(kept);
    }

    /// <summary>The ids of the accepted rows of the current batch, in order, packed into one growing byte buffer.</summary>
    private sealed class Utf8Ids
    {
        private byte[] _bytes;
        private int[] _ends;
        private int _count;

        public Utf8Ids(int capacity)
        {
            _bytes = new byte[capacity * 16];
            _ends = new int[capacity];
        }

        public ReadOnlySpan<byte> this[int index] => _bytes.AsSpan(index == 0 ? 0 : _ends[index - 1], _ends[index] - (index == 0 ? 0 : _ends[index - 1]));

        public void Add(ReadOnlySpan<byte> id)
        {
            var start = _count == 0 ? 0 : _ends[_count - 1];
            if (start + id.Length > _bytes.Length)
            {
                Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, start + id.Length));
            }

            if (_count == _ends.Length)
            {
                Array.Resize(ref _ends, _ends.Length * 2);
            }

            id.CopyTo(_bytes.AsSpan(start));
            _ends[_count++] = start + id.Length;
        }

        public void Clear() => _count = 0;

        /// <summary>Keeps the ids at the positions marked true, in order.</summary>
        public void Keep(bool[] kept)
        {
            var count = _count;
            var ids = new List<byte[]>(count);
            for (var i = 0; i < count; i++)
            {
                if (kept[i])
                {
                    ids.Add(this[i].ToArray());
                }
            }

            Clear();
            foreach (var id in ids)
            {
                Add(id);
            }
        }
    }
}
