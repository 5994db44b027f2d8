namespace Serverless.Core.Models;

/// <summary>What moved an alias.</summary>
public enum AliasMoveKind
{
    /// <summary>Pointed at a version or a split (PUT alias, or a sweep's promotion); from null when it created the alias.</summary>
    Set,

    /// <summary>Deleted; to null.</summary>
    Delete,

    /// <summary>Pointed back at the version (or split) a set moved it from.</summary>
    Rollback,

    /// <summary>A rollout began: from its champion to the split of its first step. A rollback undoes it like a set.</summary>
    RolloutStart,

    /// <summary>
    /// A rollout moved on by itself: to its next step, to the new version alone (completed), or back to the champion (a guard
    /// broke, or it was aborted). A rollback passes over these to the rollout's start.
    /// </summary>
    RolloutStep,
}

/// <summary>
/// One recorded move of an alias. <paramref name="Sequence"/> numbers the alias's moves from 1 (never reused, also across
/// deletes); <paramref name="UndoesSequence"/> is, for a rollback, the set it undid. <paramref name="FromVersion"/> and
/// <paramref name="ToVersion"/> are the one version, or a split's primary; <see cref="FromTraffic"/> and <see cref="ToTraffic"/>
/// the whole state before and after.
/// </summary>
public sealed record AliasMove(
    long Sequence,
    DateTimeOffset AtUtc,
    AliasMoveKind Kind,
    string? FromVersion,
    string? ToVersion,
    string By,
    string? Reason,
    long? UndoesSequence = null)
{
    /// <summary>Where the alias sent traffic before the move; null when the move created it.</summary>
    public AliasTraffic? FromTraffic { get; init; } = FromVersion is null ? null : AliasTraffic.Single(FromVersion);

    /// <summary>Where the alias sends traffic after the move; null after a delete.</summary>
    public AliasTraffic? ToTraffic { get; init; } = ToVersion is null ? null : AliasTraffic.Single(ToVersion);
}

/// <summary>The newest moves of an alias, newest first; <paramref name="More"/> when older ones exist beyond the limit asked for.</summary>
public sealed record AliasHistory(IReadOnlyList<AliasMove> Moves, bool More)
{
    /// <summary>The most moves one read returns.</summary>
    public const int MaxLimit = 1000;

    /// <summary>How many moves a read returns when not told.</summary>
    public const int DefaultLimit = 100;
}

/// <summary>How the API and the registry's table spell an <see cref="AliasMoveKind"/>: set, delete, rollback, rollout_start, rollout_step.</summary>
public static class AliasMoveKinds
{
    public static string Name(AliasMoveKind kind) => kind switch
    {
        AliasMoveKind.Delete => "delete",
        AliasMoveKind.Rollback => "rollback",
        AliasMoveKind.RolloutStart => "rollout_start",
        AliasMoveKind.RolloutStep => "rollout_step",
        _ => "set",
    };

    /// <summary>The kind a stored name stands for; anything unknown reads as a set.</summary>
    public static AliasMoveKind Parse(string? name) => name switch
    {
        "delete" => AliasMoveKind.Delete,
        "rollback" => AliasMoveKind.Rollback,
        "rollout_start" => AliasMoveKind.RolloutStart,
        "rollout_step" => AliasMoveKind.RolloutStep,
        _ => AliasMoveKind.Set,
    };
}
