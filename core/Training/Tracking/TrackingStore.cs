using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Serverless.Core.Errors;
using Serverless.Core.Storage;

namespace Serverless.Core.Training.Tracking;

/// <summary>
/// MLflow's tracking store on Table storage. Experiments share one partition of <see cref="AppStorageNames.MlflowExperimentsTable"/>
/// (row <c>id:{id}</c> per experiment, <c>name:{sha256}</c> reserving its name, <c>counter</c> handing out ids), so a create or rename is
/// one atomic transaction and a taken name is refused without a race. Runs live in <see cref="AppStorageNames.MlflowRunsTable"/>
/// partitioned by experiment: the run's row (key the run id) followed by its params (<c>{run}|p|{key}</c>), tags (<c>|t|</c>) and
/// latest metrics (<c>|m|</c>), so a run is one range query and an experiment's runs one partition query; row <c>r</c>/<c>{run}</c>
/// finds a run's experiment. Every value of a metric is a row of <see cref="AppStorageNames.MlflowMetricsTable"/> (partition run and
/// key, row step, timestamp and value, so logging the same value twice is one row). Thread-safe; a client's mistake is a
/// <see cref="ServingException"/>; storage outages surface as <see cref="RequestFailedException"/>. With <see cref="SweepRuns"/> the app's sweeps
/// are one more experiment (<see cref="SweepRuns.ExperimentId"/>), read from the sweep store and never written here.
/// </summary>
public sealed partial class TrackingStore
{
    public const string DefaultExperimentId = "0";
    public const string DefaultExperimentName = "Default";

    /// <summary>The scheme of artifact URIs this server proxies (<c>mlflow-artifacts:/{experiment}/{run}/artifacts</c>).</summary>
    public const string ArtifactScheme = "mlflow-artifacts:";

    private const string ExperimentPartition = "e";
    private const string CounterRow = "counter";
    private const int MaxAttempts = 8;
    private const int MaxCachedRuns = 100_000;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly TableClient _experiments;
    private readonly TableClient _runs;
    private readonly TableClient _metrics;
    private readonly TimeProvider _time;
    private readonly Lazy<Task> _created;
    private readonly ConcurrentDictionary<string, string> _runExperiments = new(StringComparer.Ordinal);
    private readonly SweepRuns? _sweeps;

    public TrackingStore(TableServiceClient tables, TimeProvider time, SweepRuns? sweeps = null)
    {
        _sweeps = sweeps;
        _experiments = tables.GetTableClient(AppStorageNames.MlflowExperimentsTable);
        _runs = tables.GetTableClient(AppStorageNames.MlflowRunsTable);
        _metrics = tables.GetTableClient(AppStorageNames.MlflowMetricsTable);
        _time = time;
        _created = new Lazy<Task>(CreateAsync);
    }

    private long Now => _time.GetUtcNow().ToUnixTimeMilliseconds();

    public async Task<string> CreateExperimentAsync(string? name, string? artifactLocation, IReadOnlyList<KeyValuePair<string, string>> tags,
        CancellationToken cancellationToken)
    {
        name = ExperimentName(name, "name");
        RequireFreeName(name);
        var tagMap = ExperimentTags(tags);
        await _created.Value.ConfigureAwait(false);
        for (var attempt = 0; ; attempt++)
        {
            var counter = await FindAsync(_experiments, ExperimentPartition, CounterRow, cancellationToken).ConfigureAwait(false);
            var next = counter?.GetInt64("Next") ?? 1;
            next += next.ToString(CultureInfo.InvariantCulture) == SweepRuns.ExperimentId ? 1 : 0;
            var id = next.ToString(CultureInfo.InvariantCulture);
            var now = Now;
            var counterEntity = new TableEntity(ExperimentPartition, CounterRow) { ["Next"] = next + 1 };
            var experiment = new TableEntity(ExperimentPartition, ExperimentRow(id))
            {
                ["Name"] = name,
                ["ArtifactLocation"] = string.IsNullOrEmpty(artifactLocation) ? $"{ArtifactScheme}/{id}" : artifactLocation,
                ["LifecycleStage"] = Lifecycle.Active,
                ["CreationTime"] = now,
                ["LastUpdateTime"] = now,
                ["Tags"] = JsonSerializer.Serialize(tagMap, Json),
            };
            List<TableTransactionAction> actions =
            [
                counter is null ? new(TableTransactionActionType.Add, counterEntity) : new(TableTransactionActionType.UpdateReplace, counterEntity, counter.ETag),
                new(TableTransactionActionType.Add, experiment),
                new(TableTransactionActionType.Add, NameEntity(name, id)),
            ];
            try
            {
                await _experiments.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
                return id;
            }
            catch (TableTransactionFailedException e) when (e.FailedTransactionActionIndex == 2 && e.Status == 409)
            {
                throw await NameTakenAsync(name, cancellationToken).ConfigureAwait(false);
            }
            catch (TableTransactionFailedException e) when (e.Status is 409 or 412 && attempt < MaxAttempts)
            {
                // Another create took the id first; take the next.
            }
        }
    }

    public async Task<TrackedExperiment> GetExperimentAsync(string? experimentId, CancellationToken cancellationToken)
    {
        experimentId = TrackingLimits.ExperimentId(experimentId);
        await _created.Value.ConfigureAwait(false);
        if (_sweeps is not null && experimentId == SweepRuns.ExperimentId)
        {
            return await _sweeps.GetExperimentAsync(cancellationToken).ConfigureAwait(false);
        }

        var entity = await FindAsync(_experiments, ExperimentPartition, ExperimentRow(experimentId), cancellationToken).ConfigureAwait(false);
        return entity is null ? throw ServingException.NotFound($"No Experiment with id={experimentId} exists") : ToExperiment(entity);
    }

    public async Task<TrackedExperiment> GetExperimentByNameAsync(string? name, CancellationToken cancellationToken)
    {
        name = TrackingLimits.Required(name, "experiment_name");
        await _created.Value.ConfigureAwait(false);
        if (_sweeps is not null && name == SweepRuns.ExperimentName)
        {
            return await _sweeps.GetExperimentAsync(cancellationToken).ConfigureAwait(false);
        }

        var reserved = await FindAsync(_experiments, ExperimentPartition, NameRow(name), cancellationToken).ConfigureAwait(false);
        return reserved is null
            ? throw ServingException.NotFound($"Could not find experiment with name {DataText.Quote(name)}")
            : await GetExperimentAsync(reserved.GetString("ExperimentId"), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Experiments matching MLflow's experiment filter (name, times, tags), ordered (default last_update_time DESC, then id), one page.</summary>
    public async Task<SearchPage<TrackedExperiment>> SearchExperimentsAsync(string? filter, IReadOnlyList<string>? orderBy, ViewType viewType, int maxResults,
        string? pageToken, CancellationToken cancellationToken)
    {
        var parsed = SearchFilter.Parse(filter, SearchTarget.Experiments);
        var offset = TrackingLimits.Offset(pageToken);
        await _created.Value.ConfigureAwait(false);
        var all = new List<TrackedExperiment>();
        var query = _experiments.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {ExperimentPartition} and RowKey ge {"id:"} and RowKey lt {"id;"}"), cancellationToken: cancellationToken);
        await foreach (var entity in query.ConfigureAwait(false))
        {
            var experiment = ToExperiment(entity);
            if (InView(experiment.LifecycleStage, viewType) && parsed.Matches(k => Lookup(experiment, k)))
            {
                all.Add(experiment);
            }
        }

        if (_sweeps is not null && InView(Lifecycle.Active, viewType))
        {
            var sweeps = await _sweeps.GetExperimentAsync(cancellationToken).ConfigureAwait(false);
            if (parsed.Matches(k => Lookup(sweeps, k)))
            {
                all.Add(sweeps);
            }
        }

        var sorted = SearchOrder.Sort(all, orderBy, SearchTarget.Experiments, Lookup,
            [(new SearchKey(SearchField.Attribute, "last_update_time"), false), (new SearchKey(SearchField.Attribute, "experiment_id"), true)]);
        return new SearchPage<TrackedExperiment>(sorted.Skip(offset).Take(maxResults).ToList(), TrackingLimits.NextToken(offset + maxResults, sorted.Count));
    }

    /// <summary>Renames an experiment (RESOURCE_ALREADY_EXISTS when the name is taken, even by a deleted one).</summary>
    public async Task RenameExperimentAsync(string? experimentId, string? newName, CancellationToken cancellationToken)
    {
        var experiment = await GetExperimentAsync(experimentId, cancellationToken).ConfigureAwait(false);
        newName = ExperimentName(newName, "new_name");
        RequireActive(experiment);
        if (newName != experiment.Name)
        {
            RequireFreeName(newName);
        }

        if (newName == experiment.Name)
        {
            return;
        }

        List<TableTransactionAction> actions =
        [
            new(TableTransactionActionType.Delete, new TableEntity(ExperimentPartition, NameRow(experiment.Name)), ETag.All),
            new(TableTransactionActionType.Add, NameEntity(newName, experiment.ExperimentId)),
            new(TableTransactionActionType.UpdateMerge, new TableEntity(ExperimentPartition, ExperimentRow(experiment.ExperimentId))
            {
                ["Name"] = newName,
                ["LastUpdateTime"] = Now,
            }, ETag.All),
        ];
        try
        {
            await _experiments.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
        }
        catch (TableTransactionFailedException e) when (e.FailedTransactionActionIndex == 1 && e.Status == 409)
        {
            throw await NameTakenAsync(newName, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Marks an experiment and its runs deleted (the name stays reserved until it is restored and renamed).</summary>
    public Task DeleteExperimentAsync(string? experimentId, CancellationToken cancellationToken) =>
        SetExperimentStageAsync(experimentId, Lifecycle.Deleted, cancellationToken);

    /// <summary>Marks a deleted experiment and its runs active again.</summary>
    public Task RestoreExperimentAsync(string? experimentId, CancellationToken cancellationToken) =>
        SetExperimentStageAsync(experimentId, Lifecycle.Active, cancellationToken);

    public async Task SetExperimentTagAsync(string? experimentId, string? key, string? value, CancellationToken cancellationToken)
    {
        key = TrackingLimits.Key(key, "key");
        value = TrackingLimits.Value(value, TrackingLimits.MaxExperimentTagValueLength, "value");
        for (var attempt = 0; ; attempt++)
        {
            var id = TrackingLimits.ExperimentId(experimentId);
            RequireNotSweeps(id);
            await _created.Value.ConfigureAwait(false);
            var entity = await FindAsync(_experiments, ExperimentPartition, ExperimentRow(id), cancellationToken).ConfigureAwait(false)
                ?? throw ServingException.NotFound($"No Experiment with id={id} exists");
            var experiment = ToExperiment(entity);
            RequireActive(experiment);
            var tags = new Dictionary<string, string>(experiment.Tags, StringComparer.Ordinal) { [key] = value };
            entity["Tags"] = JsonSerializer.Serialize(tags, Json);
            entity["LastUpdateTime"] = Now;
            try
            {
                await _experiments.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (RequestFailedException e) when (e.Status == 412 && attempt < MaxAttempts)
            {
                // A concurrent change; read again.
            }
        }
    }

    private async Task SetExperimentStageAsync(string? experimentId, string stage, CancellationToken cancellationToken)
    {
        var experiment = await GetExperimentAsync(experimentId, cancellationToken).ConfigureAwait(false);
        RequireNotSweeps(experiment.ExperimentId);
        if (experiment.LifecycleStage == stage)
        {
            throw ServingException.BadRequest(stage == Lifecycle.Deleted
                ? $"Experiment {experiment.ExperimentId} is already deleted."
                : $"Cannot restore an active experiment ({experiment.ExperimentId}).");
        }

        if (stage == Lifecycle.Deleted && experiment.ExperimentId == DefaultExperimentId)
        {
            throw ServingException.BadRequest("Cannot delete the default experiment '0'.");
        }

        await _experiments.UpdateEntityAsync(new TableEntity(ExperimentPartition, ExperimentRow(experiment.ExperimentId))
        {
            ["LifecycleStage"] = stage,
            ["LastUpdateTime"] = Now,
        }, ETag.All, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
        await SetRunsStageAsync(experiment.ExperimentId, stage, cancellationToken).ConfigureAwait(false);
    }

    private async Task CreateAsync()
    {
        await Task.WhenAll(_experiments.CreateIfNotExistsAsync(), _runs.CreateIfNotExistsAsync(), _metrics.CreateIfNotExistsAsync(),
            _sweeps?.EnsureCreatedAsync() ?? Task.CompletedTask).ConfigureAwait(false);
        var now = Now;
        try
        {
            await _experiments.SubmitTransactionAsync(
            [
                new(TableTransactionActionType.Add, new TableEntity(ExperimentPartition, ExperimentRow(DefaultExperimentId))
                {
                    ["Name"] = DefaultExperimentName,
                    ["ArtifactLocation"] = $"{ArtifactScheme}/{DefaultExperimentId}",
                    ["LifecycleStage"] = Lifecycle.Active,
                    ["CreationTime"] = now,
                    ["LastUpdateTime"] = now,
                    ["Tags"] = "{}",
                }),
                new(TableTransactionActionType.Add, NameEntity(DefaultExperimentName, DefaultExperimentId)),
            ]).ConfigureAwait(false);
        }
        catch (TableTransactionFailedException e) when (e.Status == 409)
        {
            // Created before.
        }
    }

    private async Task<ServingException> NameTakenAsync(string name, CancellationToken cancellationToken)
    {
        var existing = await GetExperimentByNameAsync(name, cancellationToken).ConfigureAwait(false);
        return ServingException.Conflict(existing.LifecycleStage == Lifecycle.Deleted
            ? $"Experiment {DataText.Quote(name)} already exists in deleted state (id {existing.ExperimentId}). Restore it, or rename it first."
            : $"Experiment(name={DataText.Quote(name)}) already exists (id {existing.ExperimentId}).");
    }

    /// <summary>Refuses a change to the app's sweeps, read-only here.</summary>
    private static void RequireNotSweeps(string experimentId)
    {
        if (experimentId == SweepRuns.ExperimentId)
        {
            throw SweepRuns.ReadOnly($"Experiment {experimentId} ({DataText.Quote(SweepRuns.ExperimentName)})");
        }
    }

    /// <summary>Refuses a change to an experiment that is deleted, or that is the app's sweeps.</summary>
    private static void RequireActive(TrackedExperiment experiment)
    {
        RequireNotSweeps(experiment.ExperimentId);
        if (experiment.LifecycleStage != Lifecycle.Active)
        {
            throw ServingException.BadRequest($"The experiment {experiment.ExperimentId} must be in the 'active' state. Current state is {experiment.LifecycleStage}.");
        }
    }

    private void RequireFreeName(string name)
    {
        if (_sweeps is not null && name == SweepRuns.ExperimentName)
        {
            throw ServingException.Conflict($"Experiment(name={DataText.Quote(name)}) already exists (id {SweepRuns.ExperimentId}): it holds the app's training sweeps.");
        }
    }

    private static string ExperimentName(string? name, string field)
    {
        name = TrackingLimits.Required(name, field);
        return name.Length > TrackingLimits.MaxNameLength || name.Any(char.IsControl)
            ? throw ServingException.BadRequest($"'{field}' must be at most {TrackingLimits.MaxNameLength} characters without control characters.")
            : name;
    }

    private static Dictionary<string, string> ExperimentTags(IReadOnlyList<KeyValuePair<string, string>> tags)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in tags)
        {
            map[TrackingLimits.Key(key, "tags.key")] = TrackingLimits.Value(value, TrackingLimits.MaxExperimentTagValueLength, "tags.value");
        }

        return map.Count > TrackingLimits.MaxEntitiesPerBatch
            ? throw ServingException.BadRequest($"A request may set at most {TrackingLimits.MaxEntitiesPerBatch} tags.")
            : map;
    }

    private static bool InView(string stage, ViewType view) => view switch
    {
        ViewType.ActiveOnly => stage == Lifecycle.Active,
        ViewType.DeletedOnly => stage == Lifecycle.Deleted,
        _ => true,
    };

    private static object? Lookup(TrackedExperiment experiment, SearchKey key) => key.Field == SearchField.Tag
        ? experiment.Tags.GetValueOrDefault(key.Key)
        : key.Key switch
        {
            "name" => experiment.Name,
            "experiment_id" => double.Parse(experiment.ExperimentId, CultureInfo.InvariantCulture),
            "creation_time" => (double)experiment.CreationTime,
            _ => (double)experiment.LastUpdateTime,
        };

    private static string ExperimentRow(string id) => "id:" + id;

    private static string NameRow(string name) => "name:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)));

    private static TableEntity NameEntity(string name, string id) => new(ExperimentPartition, NameRow(name)) { ["ExperimentId"] = id, ["Name"] = name };

    private static TrackedExperiment ToExperiment(TableEntity entity) => new(
        entity.RowKey["id:".Length..],
        entity.GetString("Name") ?? string.Empty,
        entity.GetString("ArtifactLocation") ?? string.Empty,
        entity.GetString("LifecycleStage") ?? Lifecycle.Active,
        entity.GetInt64("CreationTime") ?? 0,
        entity.GetInt64("LastUpdateTime") ?? 0,
        JsonSerializer.Deserialize<Dictionary<string, string>>(entity.GetString("Tags") ?? "{}", Json) ?? []);

    private static async Task<TableEntity?> FindAsync(TableClient table, string partition, string row, CancellationToken cancellationToken)
    {
        var found = await table.GetEntityIfExistsAsync<TableEntity>(partition, row, cancellationToken: cancellationToken).ConfigureAwait(false);
        return found.HasValue ? found.Value : null;
    }
}
