using Microsoft.DurableTask;
using Serverless.Core.Errors;
using Serverless.Core.Models;
using Serverless.Core.Registry;
using Serverless.Core.Retraining;
using Serverless.Core.Rollouts;
using Serverless.Core.Serving;

namespace Serverless.Orchestrations.Retraining;

/// <summary>Stores the run's next revision, conditional on the ETag of its previous one (<see cref="RetrainingStore.SaveRunAsync"/>); idempotent on retry.</summary>
[DurableTask(Name)]
public sealed class SaveRetrainingRunActivity(RetrainingStore store) : TaskActivity<RetrainingRun, RetrainingRun>
{
    public const string Name = "RetrainingSaveRun";

    public override Task<RetrainingRun> RunAsync(TaskActivityContext context, RetrainingRun input) => store.SaveRunAsync(input, CancellationToken.None);
}

/// <summary>
/// Puts the challenger on the alias as a mirror (or takes it off with percent 0), conditional on the alias's ETag as read
/// and only while the alias serves the champion alone; the move is recorded as by "retraining {run}". Returns null when
/// done (or already so), else why not. Idempotent.
/// </summary>
[DurableTask(Name)]
public sealed class SetShadowActivity(IModelRegistry registry, AliasTrafficWarmer warmer) : TaskActivity<ShadowInput, string?>
{
    public const string Name = "RetrainingSetShadow";

    public override async Task<string?> RunAsync(TaskActivityContext context, ShadowInput input)
    {
        var alias = await registry.GetAliasAsync(input.Model, input.Alias, CancellationToken.None).ConfigureAwait(false);
        if (alias is null)
        {
            return $"alias '{input.Alias}' no longer exists";
        }

        var mirror = input.Percent > 0 ? new AliasMirror(input.Challenger, input.Percent) : null;
        if (input.Percent == 0 && alias.Traffic.Mirror?.Version != input.Challenger)
        {
            return null;
        }

        if (Equals(alias.Traffic.Mirror, mirror))
        {
            return null;
        }

        if (alias.Traffic.IsSplit || alias.Version != input.Champion)
        {
            return $"alias '{input.Alias}' moved to {alias.Traffic} since the run began; left as it is";
        }

        var traffic = alias.Traffic.WithMirror(mirror);
        try
        {
            await warmer.WarmAsync(input.Model, traffic, "mirror", CancellationToken.None).ConfigureAwait(false);
            var why = mirror is null ? "shadow of the challenger ended" : $"shadow of challenger '{input.Challenger}' at {input.Percent} %";
            await registry.SetAliasAsync(input.Model, input.Alias, traffic, alias.ETag, AliasMoveNote.System($"retraining {input.RunId}", why), CancellationToken.None)
                .ConfigureAwait(false);
            return null;
        }
        catch (ServingException e) when (e.Kind is ServingErrorKind.PreconditionFailed or ServingErrorKind.Conflict or ServingErrorKind.BadRequest)
        {
            return $"the shadow could not be set: {e.Message}";
        }
    }
}

/// <summary>Starts the policy's guarded rollout of the challenger on the alias (core/Rollouts); null when started (or running already), else why not.</summary>
[DurableTask(Name)]
public sealed class StartRetrainingRolloutActivity(IModelRegistry registry, IAliasRollouts rollouts, AliasTrafficWarmer warmer) : TaskActivity<RolloutInput, string?>
{
    public const string Name = "RetrainingStartRollout";

    public override async Task<string?> RunAsync(TaskActivityContext context, RolloutInput input)
    {
        var existing = await rollouts.GetRolloutAsync(input.Model, input.Alias, CancellationToken.None).ConfigureAwait(false);
        if (existing is { IsRunning: true } && existing.Plan.Version == input.Challenger)
        {
            return null;
        }

        var r = input.Rollout;
        try
        {
            var plan = RolloutPlans.Create(input.Challenger, r.Steps, r.MinStepMinutes, r.MinStepRequests, r.Guards, r.RoutingKey);
            var alias = await registry.GetAliasAsync(input.Model, input.Alias, CancellationToken.None).ConfigureAwait(false);
            if (alias is not null && !alias.Traffic.IsSplit)
            {
                await warmer.WarmAsync(input.Model, RolloutTraffic.At(plan, alias.Version, plan.Steps[0]), "version", CancellationToken.None).ConfigureAwait(false);
            }

            await rollouts.StartRolloutAsync(input.Model, input.Alias, plan, alias?.ETag, AliasMoveNote.System($"retraining {input.RunId}", "rollout of the challenger"),
                CancellationToken.None).ConfigureAwait(false);
            return null;
        }
        catch (ServingException e) when (e.Kind is not ServingErrorKind.Unavailable)
        {
            return $"the rollout could not start: {e.Message}";
        }
    }
}

/// <summary>Reads the live comparison and, outside a shadow, the alias's rollout of the challenger. Read-only.</summary>
[DurableTask(Name)]
public sealed class ObserveRetrainingActivity(ILiveComparisons comparisons, IAliasRollouts rollouts) : TaskActivity<ObserveInput, Observation>
{
    public const string Name = "RetrainingObserve";

    public override async Task<Observation> RunAsync(TaskActivityContext context, ObserveInput input)
    {
        var comparison = await comparisons.ReadAsync(input.Model, input.Champion, input.Challenger, input.Shadow, input.FromUtc, input.NowUtc, CancellationToken.None)
            .ConfigureAwait(false);
        if (input.Shadow)
        {
            return new Observation(comparison, null, 0, null);
        }

        var rollout = await rollouts.GetRolloutAsync(input.Model, input.Alias, CancellationToken.None).ConfigureAwait(false);
        return rollout is null || rollout.Plan.Version != input.Challenger
            ? new Observation(comparison, null, 0, null)
            : new Observation(comparison, RolloutStates.Name(rollout.State), rollout.Weight, rollout.EndReason ?? rollout.Readings?.Note);
    }
}

/// <summary>
/// Takes the challenger off the alias, weight 0: aborts its running rollout (the alias returns to the champion), or, when the
/// rollout completed, moves the alias back to the champion conditionally on its ETag; the move is recorded as by
/// "retraining {run}" with the reason. Returns what it did. Idempotent.
/// </summary>
[DurableTask(Name)]
public sealed class RetireChallengerActivity(IModelRegistry registry, IAliasRollouts rollouts) : TaskActivity<RetireInput, string>
{
    public const string Name = "RetrainingRetire";

    public override async Task<string> RunAsync(TaskActivityContext context, RetireInput input)
    {
        var note = AliasMoveNote.System($"retraining {input.RunId}", input.Reason);
        var rollout = await rollouts.GetRolloutAsync(input.Model, input.Alias, CancellationToken.None).ConfigureAwait(false);
        try
        {
            if (rollout is { IsRunning: true } && rollout.Plan.Version == input.Challenger)
            {
                await rollouts.AbortRolloutAsync(input.Model, input.Alias, null, note, CancellationToken.None).ConfigureAwait(false);
                return $"rollout aborted; alias '{input.Alias}' back at '{rollout.Champion}'";
            }

            var alias = await registry.GetAliasAsync(input.Model, input.Alias, CancellationToken.None).ConfigureAwait(false);
            if (alias is null || !alias.Traffic.Holds(input.Challenger))
            {
                return "the challenger served no traffic on the alias";
            }

            await registry.SetAliasAsync(input.Model, input.Alias, input.Champion, alias.ETag, note, CancellationToken.None).ConfigureAwait(false);
            return $"alias '{input.Alias}' moved back to '{input.Champion}'";
        }
        catch (ServingException e) when (e.Kind is ServingErrorKind.PreconditionFailed or ServingErrorKind.Conflict)
        {
            return $"alias '{input.Alias}' moved meanwhile ({e.Message}); left as it is";
        }
    }
}
