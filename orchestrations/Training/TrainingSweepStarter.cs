using System.Text;
using Azure;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;
using Serverless.Core.Errors;
using Serverless.Core.Registry;
using Serverless.Core.Storage;
using Serverless.Core.Training.Runners;
using Serverless.Core.Training.Tracking;
using Serverless.Orchestrations.BatchScoring;

namespace Serverless.Orchestrations.Training;

/// <summary>
/// Starts a validated sweep request: the dataset must exist, be at most <see cref="TrainingOptions.MaxDatasetBytes"/>
/// and have a header row naming the target and any listed features; under <c>promote-if-better</c> an existing
/// promotion alias must point at a version with a manifest, since the sweep scores that version on its validation
/// rows before moving the alias (each a 400 naming the field now rather than a failed sweep later; messages quote
/// only the header's names). Then a slot must be free (<see cref="SweepQuota"/>), and the orchestration is scheduled
/// with the host's trial settings fixed into its input. Thread-safe.
/// </summary>
public sealed class TrainingSweepStarter
{
    /// <summary>Bytes read from the dataset's start to find its header row.</summary>
    public const int HeaderProbeBytes = 64 * 1024;

    private readonly InputBlobReader _input;
    private readonly IModelRegistry _registry;
    private readonly SweepQuota _quota;
    private readonly TrainingOptions _options;
    private readonly TimeProvider _clock;

    public TrainingSweepStarter(InputBlobReader input, IModelRegistry registry, SweepQuota quota, IOptions<TrainingOptions> options, TimeProvider clock)
    {
        _input = input;
        _registry = registry;
        _quota = quota;
        _options = options.Value;
        _clock = clock;
    }

    /// <summary>Checks, reserves and schedules; returns the sweep id (also the instance id).</summary>
    public async Task<string> StartAsync(TrainingSweepRequest sweep, string requestJson, DurableTaskClient client, CancellationToken cancellationToken)
    {
        await CheckDatasetAsync(sweep, cancellationToken).ConfigureAwait(false);
        await CheckPromotionAsync(sweep, cancellationToken).ConfigureAwait(false);
        var now = _clock.GetUtcNow();
        var sweepId = $"sweep-{now:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..6]}";
        var input = CreateInput(sweepId, sweep, requestJson, _options);
        await _quota.ReserveAsync(new SweepRecord
        {
            SweepId = sweepId,
            Status = SweepRecord.Starting,
            ModelName = sweep.ModelName,
            Dataset = sweep.Dataset,
            Target = sweep.Target,
            Task = sweep.Task,
            Metric = sweep.Metric,
            RequestJson = requestJson,
            CreatedUtc = now,
        }, client, cancellationToken).ConfigureAwait(false);
        try
        {
            await client.ScheduleNewOrchestrationInstanceAsync(TrainingSweepOrchestrator.Name, input, new StartOrchestrationOptions { InstanceId = sweepId },
                cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await _quota.ReleaseAsync(sweepId).ConfigureAwait(false);
            throw;
        }

        return sweepId;
    }

    /// <summary>The orchestration's input: the request's trial timeout (else the host's default), the poll interval and the trial cap, fixed now.</summary>
    public static SweepInput CreateInput(string sweepId, TrainingSweepRequest sweep, string requestJson, TrainingOptions options) =>
        new(sweepId, sweep, requestJson, options.PollInterval,
            sweep.TrialTimeoutMinutes is { } minutes ? TimeSpan.FromMinutes(minutes) : options.TrialTimeout, options.MaxTrialsPerSweep);

    /// <summary>The dataset exists, is within the size cap, and its header row holds the target and the listed features.</summary>
    public async Task CheckDatasetAsync(TrainingSweepRequest sweep, CancellationToken cancellationToken)
    {
        long size;
        try
        {
            size = (await _input.Blob(sweep.Dataset).GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value.ContentLength;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            throw ServingException.BadRequest($"'dataset' names blob {DataText.Quote(sweep.Dataset)}, which does not exist.");
        }

        CheckSize(size, _options.MaxDatasetBytes);
        var head = await _input.ReadAsync(sweep.Dataset, 0, (int)Math.Min(size, HeaderProbeBytes), cancellationToken).ConfigureAwait(false);
        var newline = Array.IndexOf(head, (byte)'\n');
        if (newline < 0 && size > head.Length)
        {
            throw ServingException.BadRequest($"'dataset' has no header row within its first {HeaderProbeBytes / 1024} KiB: expected a CSV with a header row.");
        }

        var header = Encoding.UTF8.GetString(head, 0, newline < 0 ? head.Length : newline).TrimEnd('\r').TrimStart('\uFEFF')
            .Split(',').Select(c => c.Trim().Trim('"')).ToList();
        var names = header.ToHashSet(StringComparer.Ordinal);
        // With feature sets joined, a listed feature may be one a set adds (no column of the file): the join checks those when it runs.
        var columns = new List<(string Field, string Column)> { ("target", sweep.Target) };
        if (sweep.FeatureSets is { Count: > 0 })
        {
            columns.Add(("event_time_column", sweep.EventTimeColumn));
        }
        else
        {
            columns.AddRange(sweep.Features?.Select(f => ("features", f.Name)) ?? []);
        }

        foreach (var (field, column) in columns)
        {
            if (!names.Contains(column))
            {
                throw ServingException.BadRequest($"'{field}' names column {DataText.Quote(column)}, which is not in the dataset's header ({DataText.List(header)}).");
            }
        }
    }

    /// <summary>
    /// Under <c>promote-if-better</c>, the version an existing promotion alias points at has a manifest (the sweep
    /// scores it as served to compare); no alias yet is fine (the winner takes it).
    /// </summary>
    public async Task CheckPromotionAsync(TrainingSweepRequest sweep, CancellationToken cancellationToken)
    {
        if (sweep.Promotion.Policy != PromotionPolicy.PromoteIfBetter)
        {
            return;
        }

        var alias = await _registry.GetAliasAsync(sweep.ModelName, sweep.Promotion.Alias, cancellationToken).ConfigureAwait(false);
        if (alias is null)
        {
            return;
        }

        var incumbent = await _registry.GetVersionAsync(sweep.ModelName, alias.Version, cancellationToken).ConfigureAwait(false);
        if (incumbent is not null && incumbent.ManifestSha256 is null)
        {
            throw ServingException.BadRequest(
                $"'promotion.alias': alias '{alias.Alias}' of model '{alias.ModelName}' points at version '{alias.Version}', which has no manifest, so the sweep " +
                "could not score it to compare with the new version. Register one with " +
                $"PUT /api/models/{alias.ModelName}/versions/{alias.Version}/manifest, or name another alias (or policy 'none').");
        }
    }

    /// <summary>BadRequest when a dataset of <paramref name="size"/> bytes is over <paramref name="maxBytes"/> (Training:MaxDatasetBytes).</summary>
    public static void CheckSize(long size, long maxBytes)
    {
        if (size > maxBytes)
        {
            throw ServingException.BadRequest(
                $"'dataset' is {size} bytes; sweeps take datasets of at most {maxBytes} bytes (Training:MaxDatasetBytes). Sample it down or ask the operator.");
        }
    }
}
