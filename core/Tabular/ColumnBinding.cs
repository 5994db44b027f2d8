namespace Serverless.Core.Tabular;

/// <summary>
/// A header mapped to features (see <see cref="FeatureSchema.BindColumns"/>): which feature each column holds,
/// or none for an ignored column. Bind once per file, reuse for every row. Immutable; thread-safe.
/// </summary>
public sealed class ColumnBinding
{
    private readonly int[] _featureByColumn;

    internal ColumnBinding(FeatureSchema schema, IReadOnlyList<string> columns, int[] featureByColumn)
    {
        Schema = schema;
        Columns = columns;
        _featureByColumn = featureByColumn;
    }

    public FeatureSchema Schema { get; }

    public IReadOnlyList<string> Columns { get; }

    public int ColumnCount => _featureByColumn.Length;

    /// <summary>The feature column <paramref name="column"/> holds, or -1 when it is ignored.</summary>
    public int FeatureOf(int column) => _featureByColumn[column];
}
