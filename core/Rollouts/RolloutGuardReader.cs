using Microsoft.Extensions.Options;
using Serverless.Core.Models;
using Serverless.Core.Monitoring;
using Serverless.Core.Monitoring.Feedback;
using Serverless.Core.Monitoring.Logging;
using Serverless.Core.Monitoring.Monitor;
using Serverless.Core.Registry;
using Serverless.Core.Training;

namespace Serverless.Core.Rollouts;

/// <summary>What a run reads a rollout's guards from (<see cref="RolloutGuardReader"/>).</summary>
public interface IRolloutGuards
{
    /// <summary>The readings of <paramref name="rollout"/>'s current step up to <paramref name="now"/>; with <paramref name="withMetric"/> the live metrics too.</summary>
    Task<RolloutReadings> ReadAsync(string model, AliasRollout rollout, DateTimeOffset now, bool withMetric, CancellationToken cancellationToken);
}

/// <summary>
/// Reads a rollout's guard readings from the inference log with the monitor's own pieces: the new version's requests
/// since its step began (mirror copies left out) through a <see cref="ServiceAccumulator"/> (exact counts, p95 of a uniform
/// sample of at most <see cref="MonitoringOptions.MaxSampleRows"/> latencies) and, when asked, the live primary metric of
/// the new version (since the step began) and of the champion (since the rollout began) from their predictions joined with
/// the feedback received since the rollout began (<see cref="FeedbackWindow"/>), computed by <see cref="LivePerformanceCalculator"/>
/// once each has <see cref="MonitoringOptions.MinimumFeedbackRows"/> labelled rows. Memory is bounded by
/// <see cref="WindowLimits"/>, whatever the traffic. Thread-safe.
/// </summary>
public sealed class RolloutGuardReader : IRolloutGuards
{
    private readonly InferenceLogReader _logs;
    private readonly FeedbackStore _feedback;
    private readonly IModelRegistry _registry;
    private readonly MonitoringOptions _options;

    public RolloutGuardReader(InferenceLogReader logs, FeedbackStore feedback, IModelRegistry registry, IOptions<MonitoringOptions> options)
    {
        _logs = logs;
        _feedback = feedback;
        _registry = registry;
        _options = options.Value;
    }

    public async Task<RolloutReadings> ReadAsync(string model, AliasRollout rollout, DateTimeOffset now, bool withMetric, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        var limits = WindowLimits.From(_options);
        var sampler = new RowSampler(RowSampler.NewSeed());
        var service = new ServiceAccumulator(limits);
        var version = rollout.Plan.Version;
        var stepFrom = rollout.StepStartedUtc;
        Labels? labels = null;
        if (withMetric)
        {
            labels = await LabelsAsync(model, rollout, limits, sampler, cancellationToken).ConfigureAwait(false);
        }

        var from = labels is null ? stepFrom : rollout.StartedUtc;
        await foreach (var record in _logs.ReadUnorderedAsync(model, from, now, cancellationToken).ConfigureAwait(false))
        {
            if (record.Mirror)
            {
                continue;
            }

            var isNew = record.Version == version;
            if (isNew && record.Row <= 0 && record.TimestampUtc >= stepFrom)
            {
                service.AddRequest(record, sampler.Priority(record.RequestId, record.Row, record.TimestampUtc.UtcTicks));
            }

            if (labels is not null && !record.IsError && record.Row >= 0 && (isNew ? record.TimestampUtc >= stepFrom : record.Version == rollout.Champion))
            {
                labels.Add(record, isNew, sampler);
            }
        }

        var health = service.Build();
        var readings = new RolloutReadings(now, stepFrom, health.Requests, health.Errors, health.Requests > 0 ? health.ErrorRate : null,
            health.Requests > 0 ? RolloutJudge.WilsonLowerBound(health.Errors, health.Requests) : null, health.LatencyP95Ms,
            null, null, null, 0, 0, null);
        return labels is null ? readings : labels.Judge(readings, _options.MinimumFeedbackRows);
    }

    private async Task<Labels> LabelsAsync(string model, AliasRollout rollout, WindowLimits limits, RowSampler sampler, CancellationToken cancellationToken)
    {
        var newManifest = await ManifestAsync(model, rollout.Plan.Version, cancellationToken).ConfigureAwait(false);
        var championManifest = await ManifestAsync(model, rollout.Champion, cancellationToken).ConfigureAwait(false);
        var feedback = newManifest is null || championManifest is null
            ? FeedbackWindow.Empty
            : await FeedbackWindow.CollectAsync(_feedback.ReadReceivedAsync(model, rollout.StartedUtc, cancellationToken), limits.MaxFeedbackRows, sampler, cancellationToken)
                .ConfigureAwait(false);
        return new Labels(newManifest, championManifest, feedback, limits.MaxFeedbackRows);
    }

    private async Task<ModelManifest?> ManifestAsync(string model, string version, CancellationToken cancellationToken) =>
        await _registry.GetVersionAsync(model, version, cancellationToken).ConfigureAwait(false) is { } found
            ? await _registry.GetManifestAsync(found, cancellationToken).ConfigureAwait(false)
            : null;

    /// <summary>The labelled predictions of the new version and of the champion, each a bounded uniform sample.</summary>
    private sealed class Labels(ModelManifest? newManifest, ModelManifest? championManifest, FeedbackWindow feedback, int maxRows)
    {
        private readonly PrioritySample<LabelledPrediction> _new = new(maxRows);
        private readonly PrioritySample<LabelledPrediction> _champion = new(maxRows);

        public void Add(InferenceLogRecord record, bool isNew, RowSampler sampler)
        {
            var manifest = isNew ? newManifest : championManifest;
            if (manifest is null || !feedback.Records.TryGetValue((record.RequestId, record.Row), out var outcome))
            {
                return;
            }

            var probability = manifest.Task == TabularTask.Binary ? PredictionValues.PositiveProbability(record, manifest) : null;
            (isNew ? _new : _champion).Add(sampler.Priority(record.RequestId, record.Row, record.TimestampUtc.UtcTicks),
                new LabelledPrediction(outcome.Actual, record.Label, record.Value, probability));
        }

        public RolloutReadings Judge(RolloutReadings readings, int minimumRows)
        {
            if (newManifest is null || championManifest is null)
            {
                return readings with { Note = "max_metric_drop cannot be judged: both versions need a manifest for a live metric" };
            }

            var mine = LivePerformanceCalculator.Compute(_new.ToArray(), newManifest, null, 0, minimumRows);
            var theirs = LivePerformanceCalculator.Compute(_champion.ToArray(), championManifest, null, 0, minimumRows);
            readings = readings with { LabelledRows = mine.LabelledRows, ChampionLabelledRows = theirs.LabelledRows };
            if (mine.Metric is not { } metric || !mine.Live.TryGetValue(metric, out var value) || !theirs.Live.TryGetValue(metric, out var champion))
            {
                return readings with
                {
                    Metric = mine.Metric,
                    Note = $"waiting for feedback: {mine.LabelledRows} labelled predictions of the new version in this step and {theirs.LabelledRows} of the champion; " +
                           $"max_metric_drop is judged once each has {minimumRows} (Monitoring:MinimumFeedbackRows)",
                };
            }

            var drop = MetricNames.HigherIsBetter(metric) ? champion - value : value - champion;
            return readings with { Metric = metric, MetricValue = value, ChampionMetricValue = champion, MetricDrop = drop };
        }
    }
}
