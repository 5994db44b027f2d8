using Serverless.Core.Monitoring.Monitor;

namespace Serverless.Core.Monitoring.Feedback;

/// <summary>
/// The outcomes a monitor run joins with a model's logged predictions: those received in the window, at most
/// <see cref="WindowLimits.MaxFeedbackRows"/> of them. When more arrived, <see cref="Records"/> is a uniform sample
/// chosen by <see cref="RowSampler"/> (so the same seed keeps the same outcomes) and <see cref="Received"/> says how
/// many there were. Immutable.
/// </summary>
public sealed class FeedbackWindow
{
    public FeedbackWindow(IReadOnlyDictionary<(string RequestId, int Row), FeedbackRecord> records, long? received = null)
    {
        ArgumentNullException.ThrowIfNull(records);
        Records = records;
        Received = Math.Max(received ?? records.Count, records.Count);
    }

    public static FeedbackWindow Empty { get; } = new(new Dictionary<(string, int), FeedbackRecord>());

    /// <summary>The kept outcomes by (request id, row).</summary>
    public IReadOnlyDictionary<(string RequestId, int Row), FeedbackRecord> Records { get; }

    /// <summary>Outcomes received in the window, kept or not.</summary>
    public long Received { get; }

    /// <summary>Reads <paramref name="records"/> to the end, keeping a uniform sample of at most <paramref name="maxRecords"/> (a later duplicate key replaces an earlier one).</summary>
    public static async Task<FeedbackWindow> CollectAsync(IAsyncEnumerable<FeedbackRecord> records, int maxRecords, RowSampler sampler, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(sampler);
        var sample = new PrioritySample<FeedbackRecord>(maxRecords);
        await foreach (var record in records.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            sample.Add(sampler.Priority(record.RequestId, record.Row), record);
        }

        var kept = new Dictionary<(string, int), FeedbackRecord>();
        foreach (var record in sample.ToArray())
        {
            kept[(record.RequestId, record.Row)] = record;
        }

        return new FeedbackWindow(kept, sample.Offered);
    }
}
