using System.Globalization;
using System.Text.Json;
using Serverless.Core.Errors;

namespace Serverless.Core.Training.Tracking;

/// <summary>
/// The app's training sweeps as MLflow sees them, read from <see cref="ExperimentStore"/> when asked (a projection, nothing is
/// copied): one experiment, <see cref="ExperimentName"/> (id <see cref="ExperimentId"/>), holding a parent run per sweep (run id
/// the sweep id) and a child run per trial (run id <c>{sweep}-{trial}</c>, tagged <c>mlflow.parentRunId</c>), as MLflow's own
/// hyperparameter tuning nests them. Read-only: every change through MLflow's API is refused (<see cref="ReadOnly"/>); sweeps
/// change through the app's training API. The newest <see cref="MaxSweeps"/> sweeps are listed. Thread-safe.
/// </summary>
public sealed class SweepRuns
{
    public const string ExperimentId = "999999999";
    public const string ExperimentName = "Sweeps";
    public const string SweepIdTag = "sweep_id";
    public const string TrialIdTag = "trial_id";
    public const int MaxSweeps = 1000;

    private const string RunIdPrefix = "sweep-";
    private const string UserId = "sweeps";
    private const int ParallelReads = 8;

    private readonly ExperimentStore _experiments;

    public SweepRuns(ExperimentStore experiments)
    {
        _experiments = experiments;
    }

    /// <summary>The artifact root of a sweep run, under <see cref="ExperimentId"/>.</summary>
    public static string ArtifactUri(string runId) => $"{TrackingStore.ArtifactScheme}/{ExperimentId}/{runId}/artifacts";

    /// <summary>Whether a run id has the shape of a sweep's or a trial's (no run MLflow's API creates has it).</summary>
    public static bool Owns(string runId) => runId.StartsWith(RunIdPrefix, StringComparison.Ordinal);

    /// <summary>Whether a proxied artifact path lies under the sweeps experiment.</summary>
    public static bool OwnsPath(string path) => path == ExperimentId || path.StartsWith(ExperimentId + "/", StringComparison.Ordinal);

    /// <summary>The refusal of a change to a sweep's run or experiment (INVALID_PARAMETER_VALUE in MLflow's shape).</summary>
    public static ServingException ReadOnly(string what) => ServingException.BadRequest(
        $"{what} belongs to the app's training sweeps and is read-only through MLflow's API: sweeps are started and tracked by the app " +
        "(POST api/orchestrations/training-sweeps); log your own runs to another experiment.");

    /// <summary>Creates the sweep store's tables when absent, so that reading sweeps later changes nothing stored.</summary>
    public Task EnsureCreatedAsync() => _experiments.EnsureCreatedAsync();

    public async Task<TrackedExperiment> GetExperimentAsync(CancellationToken cancellationToken)
    {
        var sweeps = await _experiments.ListSweepsAsync(MaxSweeps, cancellationToken).ConfigureAwait(false);
        return ToExperiment(sweeps);
    }

    /// <summary>Every sweep's parent run and its trials' child runs (newest <see cref="MaxSweeps"/> sweeps).</summary>
    public async Task<IReadOnlyList<TrackedRun>> ListRunsAsync(CancellationToken cancellationToken)
    {
        var sweeps = await _experiments.ListSweepsAsync(MaxSweeps, cancellationToken).ConfigureAwait(false);
        var runs = new List<TrackedRun>[sweeps.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, sweeps.Count), new ParallelOptions { MaxDegreeOfParallelism = ParallelReads, CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                var trials = await _experiments.ListTrialsAsync(sweeps[i].SweepId, ct).ConfigureAwait(false);
                runs[i] = [ToRun(sweeps[i]), .. trials.Select(t => ToRun(sweeps[i], t))];
            }).ConfigureAwait(false);
        return [.. runs.SelectMany(r => r)];
    }

    /// <summary>The sweep's or trial's run with this id; null when there is none.</summary>
    public async Task<TrackedRun?> FindRunAsync(string runId, CancellationToken cancellationToken)
    {
        if (!Owns(runId))
        {
            return null;
        }

        var sweep = await _experiments.GetSweepAsync(runId, cancellationToken).ConfigureAwait(false);
        if (sweep is not null)
        {
            return ToRun(sweep);
        }

        var dash = runId.LastIndexOf('-');
        sweep = dash <= RunIdPrefix.Length ? null : await _experiments.GetSweepAsync(runId[..dash], cancellationToken).ConfigureAwait(false);
        if (sweep is null)
        {
            return null;
        }

        var trial = (await _experiments.ListTrialsAsync(sweep.SweepId, cancellationToken).ConfigureAwait(false)).FirstOrDefault(t => t.TrialId == runId[(dash + 1)..]);
        return trial is null ? null : ToRun(sweep, trial);
    }

    /// <summary>Where a trial run's artifacts are (its output folder URI), from a proxied path <c>{experiment}/{run}/artifacts[/...]</c>; null for a sweep's own run.</summary>
    public async Task<(string? OutputUri, string Relative)> ResolveArtifactsAsync(string path, CancellationToken cancellationToken)
    {
        var segments = path.Split('/');
        if (segments.Length < 3 || segments[0] != ExperimentId || segments[2] != "artifacts")
        {
            return (null, string.Empty);
        }

        var run = await FindRunAsync(segments[1], cancellationToken).ConfigureAwait(false)
            ?? throw ServingException.NotFound($"Run with id={segments[1]} not found");
        var trialId = run.Tags.GetValueOrDefault(TrialIdTag);
        if (trialId is null)
        {
            return (null, string.Join('/', segments[3..]));
        }

        var trials = await _experiments.ListTrialsAsync(run.Tags[SweepIdTag], cancellationToken).ConfigureAwait(false);
        return (trials.FirstOrDefault(t => t.TrialId == trialId)?.OutputUri, string.Join('/', segments[3..]));
    }

    /// <summary>The experiment: created with the first sweep, updated with the latest.</summary>
    public static TrackedExperiment ToExperiment(IReadOnlyList<SweepRecord> sweeps)
    {
        var created = sweeps.Count == 0 ? 0 : sweeps.Min(s => Millis(s.CreatedUtc));
        var updated = sweeps.Count == 0 ? 0 : sweeps.Max(s => Millis(s.CompletedUtc ?? s.CreatedUtc));
        return new TrackedExperiment(ExperimentId, ExperimentName, $"{TrackingStore.ArtifactScheme}/{ExperimentId}", Lifecycle.Active, created, updated,
            new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["mlflow.note.content"] = "The app's training sweeps (read-only): a parent run per sweep, a child run per trial.",
            });
    }

    /// <summary>A sweep's parent run: what it trained (params), its best value and trial counts (metrics), its outcome (tags).</summary>
    public static TrackedRun ToRun(SweepRecord sweep)
    {
        var end = sweep.CompletedUtc is { } completed ? Millis(completed) : (long?)null;
        var info = new TrackedRunInfo(sweep.SweepId, ExperimentId, sweep.SweepId, UserId, Status(sweep.Status), Millis(sweep.CreatedUtc), end,
            ArtifactUri(sweep.SweepId), Lifecycle.Active);
        var at = end ?? info.StartTime;
        List<LoggedMetric> metrics =
        [
            new("trials_total", sweep.TrialsTotal, at, 0),
            new("trials_succeeded", sweep.TrialsSucceeded, at, 0),
            new("trials_failed", sweep.TrialsFailed, at, 0),
        ];
        if (sweep.BestValue is { } best && sweep.Metric.Length > 0)
        {
            metrics.Add(new LoggedMetric(sweep.Metric, best, at, 0));
        }

        var parameters = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["model_name"] = sweep.ModelName,
            ["dataset"] = sweep.Dataset,
            ["target"] = sweep.Target,
            ["task"] = sweep.Task,
            ["metric"] = sweep.Metric,
            ["train_rows"] = sweep.TrainRows.ToString(CultureInfo.InvariantCulture),
            ["validation_rows"] = sweep.ValidationRows.ToString(CultureInfo.InvariantCulture),
        };
        var tags = Tags(sweep.SweepId, sweep.SweepId);
        Put(tags, "sweep_status", sweep.Status);
        Put(tags, "best_trial_id", sweep.BestTrialId);
        Put(tags, "registered_version", sweep.RegisteredVersion);
        Put(tags, "promoted", sweep.RegisteredVersion is null ? null : sweep.Promoted ? "true" : "false");
        Put(tags, "promotion_reason", sweep.PromotionReason);
        Put(tags, "data_fingerprint", sweep.DataFingerprint);
        Put(tags, "error", sweep.Error);
        return new TrackedRun(info, metrics, parameters, tags);
    }

    /// <summary>A trial's child run: its algorithm and hyperparameters (params), validation metrics, where it ran (tags).</summary>
    public static TrackedRun ToRun(SweepRecord sweep, TrialRecord trial)
    {
        var runId = $"{sweep.SweepId}-{trial.TrialId}";
        var start = Millis(trial.StartedUtc ?? sweep.CreatedUtc);
        var end = trial.EndedUtc is { } ended && trial.Status != SweepRecord.Running ? Millis(ended) : (long?)null;
        var info = new TrackedRunInfo(runId, ExperimentId, $"{trial.TrialId}-{trial.Algorithm}", UserId, Status(trial.Status), start, end,
            ArtifactUri(runId), Lifecycle.Active);
        var at = end ?? start;
        var metrics = trial.Metrics.Select(m => new LoggedMetric(m.Key, m.Value, at, 0)).ToList();
        if (trial.TrainSeconds is { } seconds)
        {
            metrics.Add(new LoggedMetric("train_seconds", seconds, at, 0));
        }

        var parameters = Hyperparameters(trial.HyperparametersJson);
        parameters["algorithm"] = trial.Algorithm;
        var tags = Tags(info.RunName, sweep.SweepId);
        tags[Lifecycle.ParentRunIdTag] = sweep.SweepId;
        tags[TrialIdTag] = trial.TrialId;
        Put(tags, "trial_status", trial.Status);
        Put(tags, "best_trial", sweep.BestTrialId == trial.TrialId ? "true" : null);
        Put(tags, "runner", trial.Runner);
        Put(tags, "execution_id", trial.ExecutionId);
        Put(tags, "error", trial.Error);
        return new TrackedRun(info, metrics, parameters, tags);
    }

    /// <summary>MLflow's run status of a sweep's or trial's status.</summary>
    public static string Status(string status) => status switch
    {
        SweepRecord.Starting => Lifecycle.Scheduled,
        SweepRecord.Running => Lifecycle.Running,
        SweepRecord.Completed or "succeeded" => Lifecycle.Finished,
        SweepRecord.Failed => Lifecycle.Failed,
        _ => Lifecycle.Killed,
    };

    private static Dictionary<string, string> Hyperparameters(string json)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        using var document = JsonDocument.Parse(string.IsNullOrEmpty(json) ? "{}" : json);
        if (document.RootElement.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in document.RootElement.EnumerateObject())
            {
                parameters[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
            }
        }

        return parameters;
    }

    private static Dictionary<string, string> Tags(string runName, string sweepId) => new(StringComparer.Ordinal)
    {
        [Lifecycle.RunNameTag] = runName,
        [SweepIdTag] = sweepId,
        ["mlflow.user"] = UserId,
    };

    private static void Put(Dictionary<string, string> tags, string key, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            tags[key] = value.Length > TrackingLimits.MaxTagValueLength ? value[..TrackingLimits.MaxTagValueLength] : value;
        }
    }

    private static long Millis(DateTimeOffset time) => time.ToUnixTimeMilliseconds();
}
