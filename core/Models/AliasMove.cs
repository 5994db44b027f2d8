namespace Serverless.Core.Models;

/// <summary>What moved an alias.</summary>
public enum AliasMoveKind
{
    /// <summary>Pointed at a version (PUT alias, or a sweep's promotion); from null when it created the alias.</summary>
    Set,

    /// <summary>Deleted; to null.</summary>
    Delete,

    /// <summary>Pointed back at the version a set moved it from.</summary>
    Rollback,
}

/// <summary>
/// One recorded move of an alias. <paramref name="Sequence"/> numbers the alias's moves from 1 (never reused, also across
/// deletes); <paramref name="UndoesSequence"/> is, for a rollback, the set it undid.
/// </summary>
public sealed record AliasMove(
    long Sequence,
    DateTimeOffset AtUtc,
    AliasMoveKind Kind,
    string? FromVersion,
    string? ToVersion,
    string By,
    string? Reason,
    long? UndoesSequence = null);

/// <summary>The newest moves of an alias, newest first; <paramref name="More"/> when older ones exist beyond the limit asked for.</summary>
public sealed record AliasHistory(IReadOnlyList<AliasMove> Moves, bool More)
{
    /// <summary>The most moves one read returns.</summary>
    public const int MaxLimit = 1000;

    /// <summary>How many moves a read returns when not told.</summary>
    public const int DefaultLimit = 100;
}

/// <summary>How the API and the registry's table spell an <see cref="AliasMoveKind"/>: set, delete, rollback.</summary>
public static class AliasMoveKinds
{
    public static string Name(AliasMoveKind kind) => kind switch
    {
        AliasMoveKind.Delete => "delete",
        AliasMoveKind.Rollback => "rollback",
        _ => "set",
    };

    /// <summary>The kind a stored name stands for; anything unknown reads as a set.</summary>
    public static AliasMoveKind Parse(string? name) => name switch
    {
        "delete" => AliasMoveKind.Delete,
        "rollback" => AliasMoveKind.Rollback,
        _ => AliasMoveKind.Set,
    };
}
