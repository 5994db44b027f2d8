using Serverless.Core.Serving;
using Serverless.Core.Tabular;

namespace Serverless.Orchestrations.BatchScoring;

/// <summary>
/// Collects rows into a <see cref="FeatureBatch"/> and, every few thousand rows (the reader awaits <see cref="FlushAsync"/> when
/// <see cref="IsFull"/>), runs the model or graph and writes the accepted rows' predictions in input order, each with its id (kept
/// as UTF-8 as read). Refused rows are collected as errors. Not thread-safe.
/// </summary>
internal sealed class ChunkScorer
{
    private const int BatchRows = 2048;

    private readonly IRecordScorer _model;
    private readonly PredictionCsv _output;
    private readonly List<RowError> _errors;
    private readonly Utf8Ids _ids = new(BatchRows);
    private byte[] _idScratch = new byte[256];

    public ChunkScorer(IRecordScorer model, PredictionCsv output, List<RowError> errors)
    {
        _model = model;
        _output = output;
        _errors = errors;
        Batch = model.Tabular.CreateBatch(BatchRows, UnknownFeatures.Ignore);
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
        if (Batch.RowCount > 0)
        {
            var predictions = await _model.PredictAsync(Batch, CancellationToken.None).ConfigureAwait(false);
            for (var i = 0; i < predictions.Length; i++)
            {
                _output.WriteRow(_ids[i], predictions[i]);
            }

            Accepted += predictions.Length;
        }

        _errors.AddRange(Batch.Errors);
        _ids.Clear();
        Batch.Clear();
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
    }
}
