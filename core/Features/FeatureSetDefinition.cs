namespace Serverless.Core.Features;

/// <summary>
/// A declared feature set version: the entity key column(s) its rows are found by, its features (in declaration order,
/// which is also their order in storage) and the TTL after which a value counts as missing online. Versions are
/// immutable; <see cref="Sha256"/> is the hash of the canonical declaration (<see cref="FeatureSetJson"/>). Immutable; thread-safe.
/// </summary>
public sealed record FeatureSetDefinition
{
    public required string Name { get; init; }

    public required string Version { get; init; }

    /// <summary>The key columns, in order; a row's key is their values together.</summary>
    public required IReadOnlyList<string> EntityKeys { get; init; }

    public required IReadOnlyList<FeatureSetFeature> Features { get; init; }

    /// <summary>How long a value stays servable after its event time, in seconds.</summary>
    public required long TtlSeconds { get; init; }

    public string? Description { get; init; }

    /// <summary>SHA-256 of the canonical declaration, lower-case hex.</summary>
    public string Sha256 { get; init; } = "";

    public DateTimeOffset CreatedUtc { get; init; }

    public TimeSpan Ttl => TimeSpan.FromSeconds(TtlSeconds);

    /// <summary><c>name@version</c>: the set version's id in storage and messages.</summary>
    public string Id => $"{Name}@{Version}";

    /// <summary>The feature's position, or -1.</summary>
    public int IndexOf(string feature)
    {
        for (var i = 0; i < Features.Count; i++)
        {
            if (Features[i].Name == feature)
            {
                return i;
            }
        }

        return -1;
    }
}
