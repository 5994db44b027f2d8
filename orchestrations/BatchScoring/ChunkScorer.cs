using Serverless.Core.Serving;
using Serverless.Core.Tabular;

namespace Serverless.Orchestrations.BatchScoring;

/// <summary>
/// Collects rows into a <see cref="FeatureBatch"/> and, every few thousand rows, runs the model and writes the
/// accepted rows' predictions in input order. Refused rows are collected as errors. Not thread-safe.
/// </summary>
internal sealed class ChunkScorer
{
    private const int BatchRows = 2048;

    private readonly TabularModel _tabular;
    private readonly LoadedModel _model;
    private readonly PredictionCsv _output;
    private readonly List<RowError> _errors;
    private readonly Dictionary<long, string> _ids = new(BatchRows);

    public ChunkScorer(TabularModel tabular, LoadedModel model, PredictionCsv output, List<RowError> errors)
    {
        _tabular = tabular;
        _model = model;
        _output = output;
        _errors = errors;
        Batch = tabular.CreateBatch(BatchRows, UnknownFeatures.Ignore);
    }

    public FeatureBatch Batch { get; }

    public long Accepted { get; private set; }

    public void Add(long row, string id, Func<FeatureBatch, bool> add)
    {
        if (add(Batch))
        {
            _ids[row] = id;
        }

        if (Batch.RowCount + Batch.RejectedRowCount >= BatchRows)
        {
            Flush();
        }
    }

    public void Flush()
    {
        if (Batch.RowCount > 0)
        {
            var predictions = _tabular.Predict(_model, Batch);
            var rows = Batch.RowIndexes;
            for (var i = 0; i < predictions.Length; i++)
            {
                _output.WriteRow(_ids[rows[i]], predictions[i]);
            }

            Accepted += predictions.Length;
        }

        _errors.AddRange(Batch.Errors);
        _ids.Clear();
        Batch.Clear();
    }
}
