using Microsoft.Extensions.Options;
using Serverless.Core.Models;
using Serverless.Core.Monitoring;
using Serverless.Core.Monitoring.Feedback;
using Serverless.Core.Monitoring.Logging;
using Serverless.Core.Monitoring.Monitor;
using Serverless.Core.Registry;

namespace Serverless.Core.Retraining;

/// <summary>What a run reads the live evidence from (<see cref="LiveComparisonReader"/>).</summary>
public interface ILiveComparisons
{
    /// <summary>
    /// The challenger against the champion since <paramref name="from"/>: the challenger's mirror copies when
    /// <paramref name="shadow"/> (scored on the very rows the champion answered), else its served rows.
    /// </summary>
    Task<LiveComparison> ReadAsync(string model, string champion, string challenger, bool shadow, DateTimeOffset from, DateTimeOffset now,
        CancellationToken cancellationToken);
}

/// <summary>
/// Reads the live evidence with the monitor's own pieces: the model's inference log since the stage began, each served (or,
/// in a shadow, mirrored) row of either version joined with the feedback received since then by request id and row
/// (<see cref="FeedbackWindow"/>), each side a bounded uniform sample of at most <see cref="MonitoringOptions.MaxFeedbackRows"/>,
/// scored by <see cref="LivePerformanceCalculator"/> (the training metrics' code) on its own manifest. The metric is the
/// calculator's primary one for the task. Memory is bounded by <see cref="WindowLimits"/>. Thread-safe.
/// </summary>
public sealed class LiveComparisonReader : ILiveComparisons
{
    private readonly InferenceLogReader _logs;
    private readonly FeedbackStore _feedback;
    private readonly IModelRegistry _registry;
    private readonly MonitoringOptions _options;

    public LiveComparisonReader(InferenceLogReader logs, FeedbackStore feedback, IModelRegistry registry, IOptions<MonitoringOptions> options)
    {
        _logs = logs;
        _feedback = feedback;
        _registry = registry;
        _options = options.Value;
    }

    public async Task<LiveComparison> ReadAsync(string model, string champion, string challenger, bool shadow, DateTimeOffset from, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var championManifest = await ManifestAsync(model, champion, cancellationToken).ConfigureAwait(false);
        var challengerManifest = await ManifestAsync(model, challenger, cancellationToken).ConfigureAwait(false);
        if (championManifest is null || challengerManifest is null)
        {
            return LiveComparison.Empty(from, now);
        }

        var limits = WindowLimits.From(_options);
        var sampler = new RowSampler(RowSampler.NewSeed());
        var feedback = await FeedbackWindow.CollectAsync(_feedback.ReadReceivedAsync(model, from, cancellationToken), limits.MaxFeedbackRows, sampler, cancellationToken)
            .ConfigureAwait(false);
        var mine = new PrioritySample<LabelledPrediction>(limits.MaxFeedbackRows);
        var theirs = new PrioritySample<LabelledPrediction>(limits.MaxFeedbackRows);
        await foreach (var record in _logs.ReadUnorderedAsync(model, from, now, cancellationToken).ConfigureAwait(false))
        {
            if (record.IsError || record.Row < 0 || !feedback.Records.TryGetValue((record.RequestId, record.Row), out var outcome))
            {
                continue;
            }

            var isChallenger = record.Version == challenger && record.Mirror == shadow;
            var isChampion = record.Version == champion && !record.Mirror;
            if (!isChallenger && !isChampion)
            {
                continue;
            }

            var manifest = isChallenger ? challengerManifest : championManifest;
            var probability = manifest.Task == TabularTask.Binary ? PredictionValues.PositiveProbability(record, manifest) : null;
            (isChallenger ? mine : theirs).Add(sampler.Priority(record.RequestId, record.Row, record.TimestampUtc.UtcTicks),
                new LabelledPrediction(outcome.Actual, record.Label, record.Value, probability));
        }

        var challengerLive = LivePerformanceCalculator.Compute(mine.ToArray(), challengerManifest, null, 0, 1);
        var championLive = LivePerformanceCalculator.Compute(theirs.ToArray(), championManifest, null, 0, 1);
        var metric = challengerLive.Metric ?? championLive.Metric;
        return new LiveComparison(from, now, metric,
            metric is not null && challengerLive.Live.TryGetValue(metric, out var a) ? a : null,
            metric is not null && championLive.Live.TryGetValue(metric, out var b) ? b : null,
            challengerLive.LabelledRows, championLive.LabelledRows);
    }

    private async Task<ModelManifest?> ManifestAsync(string model, string version, CancellationToken cancellationToken) =>
        await _registry.GetVersionAsync(model, version, cancellationToken).ConfigureAwait(false) is { } found
            ? await _registry.GetManifestAsync(found, cancellationToken).ConfigureAwait(false)
            : null;
}
