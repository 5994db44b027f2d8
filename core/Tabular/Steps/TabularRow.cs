namespace Serverless.Core.Tabular.Steps;

/// <summary>
/// One row of a <see cref="FeatureBatch"/> as a code step sees it: its features by name (or index in
/// <see cref="Schema"/>), after the request's checks and the steps before. Pre steps may set features (a value a pre step
/// sets is checked against the manifest afterwards, as a client's is); post steps read them only. Valid only during the
/// step's call; not thread-safe.
/// </summary>
public readonly struct TabularRow
{
    private readonly FeatureBatch _batch;
    private readonly int _row;
    private readonly bool _writable;

    internal TabularRow(FeatureBatch batch, int row, bool writable)
    {
        _batch = batch;
        _row = row;
        _writable = writable;
    }

    /// <summary>The model's features, in manifest order.</summary>
    public FeatureSchema Schema => _batch.Schema;

    /// <summary>A numeric feature's value (NaN: missing).</summary>
    public double GetNumber(string feature) => _batch.NumberAt(IndexOf(feature), _row);

    /// <summary>A categorical feature's value (empty: missing).</summary>
    public string GetCategory(string feature) => _batch.CategoryAt(IndexOf(feature), _row);

    /// <summary>Sets a numeric feature (pre steps only).</summary>
    public void SetNumber(string feature, double value)
    {
        EnsureWritable();
        _batch.SetNumberAt(IndexOf(feature), _row, value);
    }

    /// <summary>Sets a categorical feature (pre steps only).</summary>
    public void SetCategory(string feature, string value)
    {
        EnsureWritable();
        ArgumentNullException.ThrowIfNull(value);
        _batch.SetCategoryAt(IndexOf(feature), _row, value);
    }

    private int IndexOf(string feature)
    {
        var index = _batch.Schema.IndexOf(feature);
        return index >= 0 ? index : throw new ArgumentException($"'{feature}' is not a feature of this model.", nameof(feature));
    }

    private void EnsureWritable()
    {
        if (!_writable)
        {
            throw new InvalidOperationException("Post steps read the row's features; only pre steps set them.");
        }
    }
}
