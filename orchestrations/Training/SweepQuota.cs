using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;
using Serverless.Core.Errors;
using Serverless.Core.Training.Runners;
using Serverless.Core.Training.Tracking;

namespace Serverless.Orchestrations.Training;

/// <summary>
/// Keeps at most <see cref="TrainingOptions.MaxConcurrentSweeps"/> sweeps running. A start first saves its sweep's
/// record as <c>starting</c>, then counts the sweeps the experiment store says are starting or running, each
/// confirmed with the Durable client (the store alone would count a terminated sweep forever; the Durable client
/// cannot list instances on every backend): a record whose instance has ended is corrected to <c>ended</c>, and a
/// record with no instance counts only while younger than <see cref="StartingGrace"/> (a start in flight). Over the
/// quota, the start removes its own record and is refused with 409 Conflict. Counting after saving means two
/// simultaneous starts see each other, so together they can never exceed the quota (at worst both are refused).
/// Thread-safe.
/// </summary>
public sealed class SweepQuota
{
    /// <summary>How long a <c>starting</c> record without an orchestration instance still holds its slot.</summary>
    public static readonly TimeSpan StartingGrace = TimeSpan.FromMinutes(5);

    private readonly ExperimentStore _experiments;
    private readonly TrainingOptions _options;
    private readonly TimeProvider _clock;

    public SweepQuota(ExperimentStore experiments, IOptions<TrainingOptions> options, TimeProvider clock)
    {
        _experiments = experiments;
        _options = options.Value;
        _clock = clock;
    }

    /// <summary>Saves <paramref name="starting"/> and keeps it when the quota allows; else removes it and throws Conflict naming the quota.</summary>
    public async Task ReserveAsync(SweepRecord starting, DurableTaskClient client, CancellationToken cancellationToken)
    {
        await _experiments.SaveSweepAsync(starting with { Status = SweepRecord.Starting }, cancellationToken).ConfigureAwait(false);
        var active = await CountActiveAsync(starting.SweepId, client, cancellationToken).ConfigureAwait(false);
        if (active > _options.MaxConcurrentSweeps)
        {
            await ReleaseAsync(starting.SweepId).ConfigureAwait(false);
            throw ServingException.Conflict(
                $"{active - 1} training sweep(s) are already running or starting; at most {_options.MaxConcurrentSweeps} may run at once " +
                "(Training:MaxConcurrentSweeps). Start this one when one of them has ended, or terminate one.");
        }
    }

    /// <summary>
    /// Null when a sweep could start now (fewer than <see cref="TrainingOptions.MaxConcurrentSweeps"/> running or starting),
    /// else why not, in words. Reserves nothing: for a caller whose sweep starts later (a retraining run's, once its data are exported).
    /// </summary>
    public async Task<string?> FullAsync(DurableTaskClient client, CancellationToken cancellationToken)
    {
        var active = await CountActiveAsync(null, client, cancellationToken).ConfigureAwait(false);
        return active < _options.MaxConcurrentSweeps
            ? null
            : $"{active} training sweep(s) are running or starting; at most {_options.MaxConcurrentSweeps} may run at once (Training:MaxConcurrentSweeps)";
    }

    /// <summary>Removes the record of a start that did not go ahead.</summary>
    public Task ReleaseAsync(string sweepId) => _experiments.DeleteSweepAsync(sweepId, CancellationToken.None);

    /// <summary>The sweeps holding a slot, each confirmed with the Durable client; records whose instance ended (but <paramref name="own"/>) are corrected to ended.</summary>
    private async Task<int> CountActiveAsync(string? own, DurableTaskClient client, CancellationToken cancellationToken)
    {
        var active = 0;
        foreach (var record in await _experiments.ListActiveSweepsAsync(cancellationToken).ConfigureAwait(false))
        {
            var instance = await client.GetInstanceAsync(record.SweepId, cancellationToken).ConfigureAwait(false);
            if (IsActive(record, instance, _clock.GetUtcNow()))
            {
                active++;
            }
            else if (record.SweepId != own)
            {
                await _experiments.SaveSweepAsync(Ended(record, instance), cancellationToken).ConfigureAwait(false);
            }
        }

        return active;
    }

    /// <summary>Whether a sweep holds a slot: its instance is pending, running or suspended; or it has none yet and was saved within <see cref="StartingGrace"/>.</summary>
    public static bool IsActive(SweepRecord record, OrchestrationMetadata? instance, DateTimeOffset now) =>
        instance is null ? now - record.CreatedUtc < StartingGrace : !instance.IsCompleted;

    private static SweepRecord Ended(SweepRecord record, OrchestrationMetadata? instance) => record with
    {
        Status = SweepRecord.Ended,
        Error = record.Error ?? (instance is null
            ? "the sweep's orchestration was never started"
            : $"the sweep's orchestration ended as {instance.RuntimeStatus} without recording it"),
        CompletedUtc = record.CompletedUtc ?? instance?.LastUpdatedAt,
    };
}
