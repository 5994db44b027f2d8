using Serverless.Core.Errors;
using Serverless.Core.Models;

namespace Serverless.Core.Tabular;

/// <summary>
/// The features a <see cref="FeatureBatch"/> holds, in manifest order, with their checks and a by-name lookup.
/// Immutable; thread-safe; share one per bound model (<see cref="TabularModel.Schema"/>).
/// </summary>
public sealed class FeatureSchema
{
    private readonly Dictionary<string, int> _indexByName;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly bool[]? _derived;

    /// <param name="features">The manifest's features (names distinct).</param>
    /// <param name="integerOnly">Per feature, whether values must be whole numbers (the model input is INT64); null: none.</param>
    public FeatureSchema(IReadOnlyList<FeatureSpec> features, IReadOnlyList<bool>? integerOnly = null)
        : this(features, integerOnly, null, null)
    {
    }

    /// <param name="pre">The manifest's pre steps, run as each row is completed (see <see cref="FeatureBatch"/>).</param>
    /// <param name="derived">Per feature, whether a pre step sets it, so a header need not name it.</param>
    internal FeatureSchema(IReadOnlyList<FeatureSpec> features, IReadOnlyList<bool>? integerOnly, Steps.PreStepProgram? pre, bool[]? derived)
    {
        Pre = pre;
        _derived = derived;
        Features = features;
        Rules = features.Select((f, i) => new FeatureRule(f, integerOnly is not null && integerOnly[i])).ToArray();
        _indexByName = new Dictionary<string, int>(features.Count, StringComparer.Ordinal);
        for (var i = 0; i < features.Count; i++)
        {
            _indexByName.Add(features[i].Name, i);
        }

        _lookup = _indexByName.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public IReadOnlyList<FeatureSpec> Features { get; }

    public int Count => Features.Count;

    internal FeatureRule[] Rules { get; }

    internal Steps.PreStepProgram? Pre { get; }

    /// <summary>Whether a header may leave the feature out (a pre step sets it, or a feature set supplies it).</summary>
    internal bool IsDerived(int feature) => _derived?[feature] == true;

    /// <summary>The feature's position, or -1 when there is no such feature.</summary>
    public int IndexOf(string name) => _indexByName.GetValueOrDefault(name, -1);

    internal int IndexOf(ReadOnlySpan<char> name) => _lookup.TryGetValue(name, out var index) ? index : -1;

    /// <summary>
    /// Maps a header (CSV columns, or dataframe_split's columns) to features. Refuses (BadRequest, naming the
    /// column) a duplicate column, a feature without a column and, under <see cref="UnknownFeatures.Reject"/>,
    /// a column that is not a feature.
    /// </summary>
    public ColumnBinding BindColumns(IReadOnlyList<string> columns, UnknownFeatures unknownFeatures, string source = "the header")
    {
        var featureByColumn = new int[columns.Count];
        var bound = new bool[Count];
        for (var c = 0; c < columns.Count; c++)
        {
            var name = columns[c] ?? throw ServingException.BadRequest($"Column {c} of {source} has no name.");
            var feature = IndexOf(name);
            if (feature < 0)
            {
                if (unknownFeatures == UnknownFeatures.Reject)
                {
                    throw ServingException.BadRequest(
                        $"Column '{FeatureBatch.Truncate(name)}' of {source} is not a feature of the model; its features are {FeatureBatch.DescribeFeatures(this)}.");
                }
            }
            else if (bound[feature])
            {
                throw ServingException.BadRequest($"Column '{FeatureBatch.Truncate(name)}' appears more than once in {source}.");
            }
            else
            {
                bound[feature] = true;
            }

            featureByColumn[c] = feature;
        }

        var missing = Features.Where((_, i) => !bound[i] && _derived?[i] != true).Select(f => $"'{f.Name}'").ToList();
        if (missing.Count > 0)
        {
            throw ServingException.BadRequest($"{char.ToUpperInvariant(source[0])}{source[1..]} has no column for feature(s) {string.Join(", ", missing)}.");
        }

        return new ColumnBinding(this, columns.ToArray(), featureByColumn);
    }
}
