using Microsoft.DurableTask;
using Serverless.Core.Errors;
using Serverless.Core.Registry;

namespace Serverless.Orchestrations.Training;

/// <summary>The alias a sweep would move, as it stands now.</summary>
public sealed record IncumbentInput(string Model, string Alias);

/// <summary>The version an alias points to and its ETag (for a conditional move), or none.</summary>
public sealed record Incumbent(string? Version, string? ETag);

/// <summary>
/// Move <c>Alias</c> to <c>Version</c> if the alias still has <c>IfMatch</c> (null: only if it still does not exist);
/// the move is recorded as by "sweep {SweepId}" with <c>Reason</c> (cut to 500 characters).
/// </summary>
public sealed record PromotionInput(string Model, string Alias, string Version, string? IfMatch, string? SweepId = null, string? Reason = null);

/// <summary>Reads where an alias points. Idempotent.</summary>
[DurableTask(Name)]
public sealed class ResolveIncumbentActivity : TaskActivity<IncumbentInput, Incumbent>
{
    public const string Name = "TrainingResolveIncumbent";

    private readonly IModelRegistry _registry;

    public ResolveIncumbentActivity(IModelRegistry registry)
    {
        _registry = registry;
    }

    public override async Task<Incumbent> RunAsync(TaskActivityContext context, IncumbentInput input)
    {
        var alias = await _registry.GetAliasAsync(input.Model, input.Alias, CancellationToken.None).ConfigureAwait(false);
        return new Incumbent(alias?.Version, alias?.ETag);
    }
}

/// <summary>
/// Moves the alias conditionally, so a promotion decided on one incumbent never overwrites a move someone made
/// since. Returns null when promoted, else why not.
/// </summary>
[DurableTask(Name)]
public sealed class PromoteModelActivity : TaskActivity<PromotionInput, string?>
{
    public const string Name = "TrainingPromote";

    private readonly IModelRegistry _registry;

    public PromoteModelActivity(IModelRegistry registry)
    {
        _registry = registry;
    }

    public override async Task<string?> RunAsync(TaskActivityContext context, PromotionInput input)
    {
        var current = await _registry.GetAliasAsync(input.Model, input.Alias, CancellationToken.None).ConfigureAwait(false);
        if (current?.Version == input.Version)
        {
            return null;
        }

        if (current?.ETag != input.IfMatch)
        {
            return $"alias '{input.Alias}' moved to version {current?.Version ?? "(deleted)"} while the sweep was deciding; left as it is";
        }

        try
        {
            var note = AliasMoveNote.System(input.SweepId is null ? "sweep" : $"sweep {input.SweepId}", input.Reason);
            await _registry.SetAliasAsync(input.Model, input.Alias, input.Version, input.IfMatch, note, CancellationToken.None).ConfigureAwait(false);
            return null;
        }
        catch (ServingException e) when (e.Kind is ServingErrorKind.PreconditionFailed or ServingErrorKind.Conflict)
        {
            return $"alias '{input.Alias}' moved while the sweep was deciding ({e.Message}); left as it is";
        }
    }
}
