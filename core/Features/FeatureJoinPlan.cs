using Serverless.Core.Errors;
using Serverless.Core.Models;
using Serverless.Core.Tabular;

namespace Serverless.Core.Features;

/// <summary>
/// How a tabular model's rows are assembled from a request and its feature sets, bound once per bound model
/// (<see cref="FeatureRowAssembler"/> keeps it beside the <see cref="TabularModel"/>):
/// <list type="bullet">
/// <item>the request schema: the model's features as its pre steps let a request give them, except that features supplied by a set may be
/// left out (then they are looked up; a value sent wins), also from a file's header, plus each set's key columns that are not model
/// features (text; a header must name them);</item>
/// <item>per model feature, where its value comes from: the request, or (set, declared position).</item>
/// </list>
/// Immutable; thread-safe.
/// </summary>
public sealed class FeatureJoinPlan
{
    private FeatureJoinPlan(FeatureSchema requestSchema, Source[] sources, SetPlan[] sets, int[] sourced)
    {
        RequestSchema = requestSchema;
        Sources = sources;
        Sets = sets;
        SourcedFeatures = sourced;
    }

    /// <summary>What a request row may hold: model feature f at position f, then the key columns that are not model features.</summary>
    public FeatureSchema RequestSchema { get; }

    /// <summary>Per model feature, the set (index into <see cref="Sets"/>) and declared position it is looked up at; Set -1 when only the request gives it.</summary>
    internal Source[] Sources { get; }

    internal SetPlan[] Sets { get; }

    /// <summary>The model features a set supplies, in model order (the columns of a feature status report).</summary>
    internal int[] SourcedFeatures { get; }

    /// <summary>Binds a model's manifest to the declarations of its feature sets (in the manifest's order); BadRequest as <see cref="CheckSet"/>.</summary>
    public static FeatureJoinPlan Bind(TabularModel tabular, IReadOnlyList<FeatureSetDefinition> definitions)
    {
        var manifest = tabular.Manifest;
        var joined = manifest.FeatureSets ?? [];
        if (definitions.Count != joined.Count)
        {
            throw new ArgumentException("One definition per manifest feature set, in order.", nameof(definitions));
        }

        var features = manifest.Features;
        var sources = Enumerable.Repeat(new Source(-1, -1), features.Count).ToArray();
        for (var s = 0; s < joined.Count; s++)
        {
            CheckSet(manifest, s, definitions[s]);
            foreach (var name in joined[s].Features)
            {
                var feature = tabular.Schema.IndexOf(name);
                sources[feature] = new Source(s, definitions[s].IndexOf(name));
            }
        }

        // The model's request features as its pre steps compiled them (a derived feature may be left out, a defaulted one missing).
        var requestFeatures = tabular.Schema.Features;
        var specs = new List<FeatureSpec>(features.Count + 4);
        var integerOnly = new List<bool>(features.Count + 4);
        for (var f = 0; f < features.Count; f++)
        {
            specs.Add(sources[f].Set < 0 ? requestFeatures[f] : requestFeatures[f] with { AllowMissing = true });
            integerOnly.Add(tabular.Schema.Rules[f].IntegerOnly);
        }

        foreach (var key in definitions.SelectMany(d => d.EntityKeys).Distinct(StringComparer.Ordinal))
        {
            if (tabular.Schema.IndexOf(key) < 0)
            {
                specs.Add(new FeatureSpec(key, FeatureType.Categorical, AllowMissing: true));
                integerOnly.Add(false);
            }
        }

        // A header (batch scoring's files) need not name what a set supplies or a pre step derives; key columns it must name.
        var optional = Enumerable.Range(0, specs.Count).Select(f => f < features.Count && (sources[f].Set >= 0 || tabular.Schema.IsDerived(f))).ToArray();
        var schema = new FeatureSchema(specs, integerOnly, pre: null, optional);
        var sets = definitions.Select((d, s) => new SetPlan(d, d.EntityKeys.Select(schema.IndexOf).ToArray(),
            Enumerable.Range(0, features.Count).Where(f => sources[f].Set == s).ToArray())).ToArray();
        var sourced = Enumerable.Range(0, features.Count).Where(f => sources[f].Set >= 0).ToArray();
        return new FeatureJoinPlan(schema, sources, sets, sourced);
    }

    /// <summary>
    /// Checks the manifest's feature set <paramref name="index"/> against its declaration: each feature it names is declared with the
    /// manifest feature's type, and no key column is a feature a set supplies. BadRequest naming the manifest field.
    /// </summary>
    public static void CheckSet(ModelManifest manifest, int index, FeatureSetDefinition definition)
    {
        var joined = manifest.FeatureSets![index];
        var field = $"feature_sets[{index}]";
        for (var i = 0; i < joined.Features.Count; i++)
        {
            var name = joined.Features[i];
            var declared = definition.IndexOf(name);
            if (declared < 0)
            {
                throw ServingException.BadRequest(
                    $"Manifest field '{field}.features[{i}]': feature set '{definition.Id}' declares no feature '{name}'; it declares {Storage.DataText.List(definition.Features.Select(f => f.Name))}.");
            }

            var type = manifest.Features.First(f => f.Name == name).Type;
            if (definition.Features[declared].Type != type)
            {
                throw ServingException.BadRequest(
                    $"Manifest field '{field}.features[{i}]': '{name}' is {TypeName(type)} in the manifest but {TypeName(definition.Features[declared].Type)} in feature set '{definition.Id}'.");
            }
        }

        var supplied = manifest.FeatureSets!.SelectMany(s => s.Features).ToHashSet(StringComparer.Ordinal);
        foreach (var key in definition.EntityKeys.Where(supplied.Contains))
        {
            throw ServingException.BadRequest(
                $"Manifest field '{field}': key column '{key}' of feature set '{definition.Id}' is a feature a feature set supplies; a key must come from the request.");
        }
    }

    private static string TypeName(FeatureType type) => type == FeatureType.Numeric ? "numeric" : "categorical";

    /// <summary>Where a model feature's value is looked up: set index (-1: request only) and declared position.</summary>
    internal readonly record struct Source(int Set, int Feature);

    /// <summary>One joined set: its declaration, its key columns' positions in the request schema, the model features it supplies.</summary>
    internal sealed record SetPlan(FeatureSetDefinition Definition, int[] KeyColumns, int[] ModelFeatures);
}
