using System.Diagnostics;
using System.Diagnostics.Metrics;
using Serverless.Core.Monitoring.Logging;

namespace Serverless.Core.Telemetry;

/// <summary>
/// The app's own metrics (<see cref="System.Diagnostics.Metrics"/>), one meter per area, every meter name starting
/// with <see cref="MeterPrefix"/> so one wildcard (<see cref="MeterWildcard"/>) collects them all:
/// <list type="bullet">
/// <item><description><see cref="ServingMeter"/>: <c>serving.inference.requests</c> (count) and
/// <c>serving.inference.duration</c> (milliseconds, from request start to answer) per model, served version, API
/// (<c>infer</c>, <c>predict</c>) and outcome (<see cref="Outcomes"/>); the process's own warm-up requests are not counted.</description></item>
/// <item><description><see cref="InferenceLogBuffer.MeterName"/>: the inference log's records enqueued, written,
/// dropped (buffer full or writer stopped), failed and pending.</description></item>
/// <item><description><see cref="MonitoringMeter"/>: <c>monitoring.findings</c> per model, version and kind
/// (<c>data_drift</c>, <c>prediction_drift</c>, <c>performance_decay</c>, <c>data_quality</c>, <c>errors</c>) and
/// <c>monitoring.reports</c> per model and version.</description></item>
/// <item><description><see cref="TrainingMeter"/>: <c>training.trials</c> per algorithm and final status, and
/// <c>training.trial.duration</c> (seconds of training the trainer reported).</description></item>
/// <item><description><see cref="BatchScoringMeter"/>: <c>batch_scoring.chunks</c> and <c>batch_scoring.rows</c>
/// (scored or bad) per model and version, and <c>batch_scoring.chunk.duration</c> (milliseconds).</description></item>
/// <item><description><see cref="MirrorMeter"/>: <c>mirror.copies.sent</c> (to the queue), <c>mirror.copies.scored</c> per
/// <c>outcome</c> (<c>ok</c>, or <c>failed</c> on the mirror) and <c>mirror.copies.dropped</c> per <c>reason</c> (<c>queue_full</c>,
/// <c>too_large</c>, <c>unavailable</c>, <c>stale</c>).</description></item>
/// </list>
/// Activities may run again after a failure (Durable's at-least-once delivery), so training and batch counts are
/// counts of completed executions, not of distinct trials or chunks. Thread-safe: instruments are static and lock-free.
/// </summary>
public static class AppMetrics
{
    public const string MeterPrefix = "Serverless.";
    public const string MeterWildcard = "Serverless.*";
    public const string ServingMeter = "Serverless.Serving";
    public const string MonitoringMeter = "Serverless.Monitoring";
    public const string TrainingMeter = "Serverless.Training";
    public const string BatchScoringMeter = "Serverless.BatchScoring";
    public const string MirrorMeter = "Serverless.Mirror";

    private static readonly Meter Serving = new(ServingMeter);
    private static readonly Counter<long> InferenceRequests = Serving.CreateCounter<long>("serving.inference.requests", "{request}",
        "Inference requests answered, per model, served version, API and outcome.");
    private static readonly Histogram<double> InferenceDuration = Serving.CreateHistogram<double>("serving.inference.duration", "ms",
        "Time from an inference request's start to its answer.");

    private static readonly Meter Monitoring = new(MonitoringMeter);
    private static readonly Counter<long> Findings = Monitoring.CreateCounter<long>("monitoring.findings", "{finding}",
        "Findings of monitoring runs (drift, decay, data quality, errors), per model, version and kind.");
    private static readonly Counter<long> Reports = Monitoring.CreateCounter<long>("monitoring.reports", "{report}",
        "Monitoring reports written, per model and version.");

    private static readonly Meter Training = new(TrainingMeter);
    private static readonly Counter<long> Trials = Training.CreateCounter<long>("training.trials", "{trial}",
        "Trials that ended, per algorithm and final status.");
    private static readonly Histogram<double> TrialDuration = Training.CreateHistogram<double>("training.trial.duration", "s",
        "Training time the trainer reported for a trial that succeeded.");

    private static readonly Meter BatchScoring = new(BatchScoringMeter);
    private static readonly Counter<long> Chunks = BatchScoring.CreateCounter<long>("batch_scoring.chunks", "{chunk}",
        "Batch scoring chunks scored, per model and version.");
    private static readonly Counter<long> Rows = BatchScoring.CreateCounter<long>("batch_scoring.rows", "{row}",
        "Batch scoring rows, per model, version and result (scored or bad).");
    private static readonly Histogram<double> ChunkDuration = BatchScoring.CreateHistogram<double>("batch_scoring.chunk.duration", "ms",
        "Time to score one chunk.");

    private static readonly Meter Mirror = new(MirrorMeter);
    private static readonly Counter<long> MirrorSent = Mirror.CreateCounter<long>("mirror.copies.sent", "{copy}",
        "Mirror copies sent to the mirror queue.");
    private static readonly Counter<long> MirrorScored = Mirror.CreateCounter<long>("mirror.copies.scored", "{copy}",
        "Mirror copies the mirror version scored, per outcome (ok, failed).");
    private static readonly Counter<long> MirrorDropped = Mirror.CreateCounter<long>("mirror.copies.dropped", "{copy}",
        "Mirror copies dropped, per reason (queue_full, too_large, unavailable, stale, rate_limited).");

    /// <summary>Every meter of the app, for a collector that takes names rather than <see cref="MeterWildcard"/>.</summary>
    public static IReadOnlyList<string> Meters { get; } = [ServingMeter, InferenceLogBuffer.MeterName, MonitoringMeter, TrainingMeter, BatchScoringMeter, MirrorMeter];

    /// <summary>One mirror copy sent to the queue.</summary>
    public static void RecordMirrorSent() => MirrorSent.Add(1);

    /// <summary>One mirror copy scored: <paramref name="ok"/>, or failed on the mirror.</summary>
    public static void RecordMirrorScored(bool ok) => MirrorScored.Add(1, new KeyValuePair<string, object?>("outcome", ok ? "ok" : "failed"));

    /// <summary>One mirror copy dropped for <paramref name="reason"/>.</summary>
    public static void RecordMirrorDropped(string reason) => MirrorDropped.Add(1, new KeyValuePair<string, object?>("reason", reason));

    /// <summary>One answered inference request. <paramref name="version"/>: the version that served, else the one asked for (null: none resolved).</summary>
    public static void RecordInference(string model, string? version, string api, string outcome, double milliseconds)
    {
        var tags = new TagList { { "model", model }, { "version", version ?? "" }, { "api", api }, { "outcome", outcome } };
        InferenceRequests.Add(1, tags);
        InferenceDuration.Record(milliseconds, tags);
    }

    /// <summary>One monitoring report and its findings, by kind.</summary>
    public static void RecordReport(string model, string version, IEnumerable<string> findingKinds)
    {
        Reports.Add(1, new TagList { { "model", model }, { "version", version } });
        foreach (var kind in findingKinds)
        {
            Findings.Add(1, new TagList { { "model", model }, { "version", version }, { "kind", kind } });
        }
    }

    /// <summary>One trial that ended with <paramref name="status"/>; <paramref name="trainSeconds"/> when the trainer reported it.</summary>
    public static void RecordTrial(string algorithm, string status, double? trainSeconds)
    {
        var tags = new TagList { { "algorithm", algorithm }, { "status", status } };
        Trials.Add(1, tags);
        if (trainSeconds is { } seconds)
        {
            TrialDuration.Record(seconds, tags);
        }
    }

    /// <summary>One scored chunk of a batch scoring job.</summary>
    public static void RecordChunk(string model, string version, long scoredRows, long badRows, double milliseconds)
    {
        var tags = new TagList { { "model", model }, { "version", version } };
        Chunks.Add(1, tags);
        ChunkDuration.Record(milliseconds, tags);
        Rows.Add(scoredRows, new TagList { { "model", model }, { "version", version }, { "result", "scored" } });
        Rows.Add(badRows, new TagList { { "model", model }, { "version", version }, { "result", "bad" } });
    }

    /// <summary>The <c>outcome</c> tag of inference requests.</summary>
    public static class Outcomes
    {
        /// <summary>Answered with a prediction.</summary>
        public const string Ok = "ok";

        /// <summary>Refused as the client's mistake (a 4xx).</summary>
        public const string ClientError = "client_error";

        /// <summary>Failed on the server's side (a 5xx).</summary>
        public const string ServerError = "server_error";

        /// <summary>The client went away before the answer.</summary>
        public const string Canceled = "canceled";
    }
}
