using Serverless.Core.Models;

namespace Serverless.Core.Serving;

/// <summary>
/// What an unversioned request to a model is served by: one version, or a traffic split. A split chooses per request with
/// weighted rendezvous hashing on the routing key's value: each version scores <c>weight / -ln(u)</c>, u a hash of the key
/// and the version in (0, 1), and the highest score serves. So a key stays on one version while the split is unchanged, each
/// version gets its weight's share of keys, and moving weight between versions moves only the keys that must move (about 10 %
/// of keys when 10 points move). Without a key the choice is random by weight. The hash (FNV-1a over the key's UTF-16
/// units, mixed per version with a SplitMix64 finalizer) is fixed, so every instance routes a key alike. Immutable;
/// thread-safe; choosing allocates nothing.
/// </summary>
public sealed class ModelRoute
{
    private readonly ModelVersion[] _versions;
    private readonly int[] _weights;
    private readonly ulong[] _seeds;

    private ModelRoute(ModelVersion primary, ModelVersion[] versions, int[] weights, string? routingKey)
    {
        Primary = primary;
        _versions = versions;
        _weights = weights;
        RoutingKey = routingKey;
        _seeds = versions.Select(v => Mix(Fnv1a(v.Version))).ToArray();
    }

    /// <summary>The one version, or the split's version with the largest weight.</summary>
    public ModelVersion Primary { get; }

    /// <summary>The header whose value routes a request; null for one version.</summary>
    public string? RoutingKey { get; }

    /// <summary>True when the route splits traffic.</summary>
    public bool IsSplit => _versions.Length > 1;

    /// <summary>The versions a request may be served by, in version order.</summary>
    public IReadOnlyList<ModelVersion> Versions => _versions;

    /// <summary>The version a share of the route's requests is copied to (the default alias's mirror); null for none.</summary>
    public ModelVersion? Mirror { get; private init; }

    /// <summary>The share of requests, 1 to 100, copied to <see cref="Mirror"/>; 0 without one.</summary>
    public int MirrorPercent { get; private init; }

    /// <summary>The same route, copying <paramref name="percent"/> (1 to 100) of its requests to <paramref name="mirror"/>.</summary>
    public ModelRoute WithMirror(ModelVersion mirror, int percent)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(percent, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percent, 100);
        return new ModelRoute(Primary, _versions, _weights, RoutingKey) { Mirror = mirror, MirrorPercent = percent };
    }

    /// <summary>A route to one version.</summary>
    public static ModelRoute Single(ModelVersion version) => new(version, [version], [100], null);

    /// <summary>
    /// A split over <paramref name="versions"/> with <paramref name="weights"/> (same order, whole percent; at least one
    /// positive). One version, or one version with all the weight, is <see cref="Single"/>'s route.
    /// </summary>
    public static ModelRoute Split(IReadOnlyList<ModelVersion> versions, IReadOnlyList<int> weights, string routingKey)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(weights.Count, versions.Count);
        var primary = 0;
        for (var i = 1; i < weights.Count; i++)
        {
            if (weights[i] > weights[primary])
            {
                primary = i;
            }
        }

        if (weights[primary] <= 0)
        {
            throw new ArgumentException("A split needs a version with a positive weight.", nameof(weights));
        }

        return versions.Count == 1 ? Single(versions[0]) : new ModelRoute(versions[primary], versions.ToArray(), weights.ToArray(), routingKey);
    }

    /// <summary>The version for a request whose routing key is <paramref name="key"/>; an empty key chooses at random by weight.</summary>
    public ModelVersion Choose(ReadOnlySpan<char> key)
    {
        if (_versions.Length == 1)
        {
            return Primary;
        }

        return key.IsEmpty ? ChooseRandom(Random.Shared.Next(100)) : _versions[IndexFor(Fnv1a(key))];
    }

    /// <summary>The version a draw from [0, 100) picks through the cumulative weights in version order.</summary>
    public ModelVersion ChooseRandom(int draw)
    {
        var cumulative = 0;
        for (var i = 0; i < _versions.Length; i++)
        {
            cumulative += _weights[i];
            if (draw < cumulative)
            {
                return _versions[i];
            }
        }

        return Primary;
    }

    private int IndexFor(ulong keyHash)
    {
        var best = 0;
        var bestScore = double.NegativeInfinity;
        for (var i = 0; i < _versions.Length; i++)
        {
            if (_weights[i] <= 0)
            {
                continue;
            }

            // u in (0, 1) from the top 53 bits; -ln(u) > 0, so a larger weight and a smaller -ln(u) both score higher.
            var u = ((Mix(keyHash ^ _seeds[i]) >> 11) + 0.5) * (1.0 / (1UL << 53));
            var score = _weights[i] / -Math.Log(u);
            if (score > bestScore)
            {
                bestScore = score;
                best = i;
            }
        }

        return best;
    }

    private static ulong Fnv1a(ReadOnlySpan<char> text)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return hash;
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
