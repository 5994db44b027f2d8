using Serverless.Core.Errors;

namespace Serverless.Core.Models;

/// <summary>
/// A manifest's <c>feature_sets</c> entry: model features whose values come from a declared feature set version rather
/// than from the request. The request then carries the set's entity key column(s) instead; the app looks the rest up.
/// Each named feature must be one of the manifest's <c>features</c> and sourced from one set at most (checked by
/// <see cref="ValidateAll"/>); that the set version exists and declares the features with the same type is checked
/// against the store (core/Features) when the manifest is registered and when it is bound. Immutable.
/// </summary>
public sealed record ManifestFeatureSet(string Name, string Version, IReadOnlyList<string> Features)
{
    /// <summary>The most feature sets one manifest may join.</summary>
    public const int MaxPerManifest = 8;

    /// <summary>Structural checks of a manifest's <c>feature_sets</c> (BadRequest naming the field); no storage is read.</summary>
    public static void ValidateAll(ModelManifest manifest)
    {
        var sets = manifest.FeatureSets;
        if (sets is null)
        {
            return;
        }

        if (sets.Count is 0 or > MaxPerManifest)
        {
            throw ServingException.BadRequest($"Manifest field 'feature_sets' must list 1 to {MaxPerManifest} feature sets, or be left out; it lists {sets.Count}.");
        }

        var features = manifest.Features.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        var sourced = new HashSet<string>(StringComparer.Ordinal);
        var named = new HashSet<(string, string)>();
        for (var s = 0; s < sets.Count; s++)
        {
            var set = sets[s];
            var field = $"feature_sets[{s}]";
            if (string.IsNullOrEmpty(set.Name) || string.IsNullOrEmpty(set.Version))
            {
                throw ServingException.BadRequest($"Manifest field '{field}.{(string.IsNullOrEmpty(set.Name) ? "name" : "version")}' is required: name a declared feature set version.");
            }

            if (!named.Add((set.Name, set.Version)))
            {
                throw ServingException.BadRequest($"Manifest field '{field}': feature set '{set.Name}' version '{set.Version}' is listed more than once.");
            }

            if (set.Features.Count == 0)
            {
                throw ServingException.BadRequest($"Manifest field '{field}.features' is empty: name the model features this set supplies.");
            }

            for (var i = 0; i < set.Features.Count; i++)
            {
                var name = set.Features[i];
                if (name is null || !features.Contains(name))
                {
                    throw ServingException.BadRequest(
                        $"Manifest field '{field}.features[{i}]': {Quote(name)} is not one of the manifest's features.");
                }

                if (!sourced.Add(name!))
                {
                    throw ServingException.BadRequest($"Manifest field '{field}.features[{i}]': feature '{name}' is already supplied by another feature set.");
                }
            }
        }
    }

    private static string Quote(string? name) => name is null ? "null" : "'" + (name.Length <= 40 ? name : name[..40] + "...") + "'";
}
