using Serverless.Core.Errors;

namespace Serverless.Core.Tabular;

/// <summary>
/// A columnar buffer of validated rows for one model: per feature a <c>double[]</c> (numeric) or <c>string[]</c>
/// (categorical), filled row by row from CSV cells (<see cref="AddRow(IReadOnlyDictionary{string, string?}, long?)"/>,
/// <see cref="AddRow(ColumnBinding, IReadOnlyList{string?}, long?)"/>), one JSON object per row
/// (<see cref="AddJsonRow"/>, JSON Lines) or a records request body (<see cref="AddRecordsJson"/>).
/// <para>
/// Each row is checked as it is added: every feature present once (missing: absent, JSON null or an empty CSV
/// cell), numbers finite, whole for INT64 inputs and inside [min, max] when the manifest bounds them, categories
/// among the manifest's <c>values</c> when it lists them (an unknown category is refused: a model cannot score a
/// category it never saw), and no unknown fields unless <see cref="UnknownFeatures.Ignore"/>. A bad row is not
/// added; its <see cref="RowError"/>s (row index and feature) are recorded in <see cref="Errors"/> and the
/// caller decides: the HTTP API refuses the whole request, batch scoring drops the row and reports it.
/// </para>
/// <para>
/// A row that passes is then completed by the manifest's <c>pre</c> steps, when it has some (the schema's compiled
/// program: derived features, defaults, clipping, code steps), and the features they touched are checked again; a failure
/// refuses the row like a bad cell, naming the step. Every reader (records API, batch scoring, evaluation) gets the same
/// steps this way.
/// </para>
/// <para>
/// Memory follows the rows accepted (one value per feature per row), never a count the input declares. A row records at
/// most one error per feature plus <see cref="MaxExtraErrorsPerRow"/> (unknown or repeated fields), so a row of many bad
/// fields cannot grow <see cref="Errors"/> without bound; the row is refused all the same. Names a client sent are cut to
/// 40 characters in errors.
/// </para>
/// Not thread-safe: one batch per request or per chunk; <see cref="Clear"/> to reuse.
/// </summary>
public sealed partial class FeatureBatch
{
    /// <summary>Errors a row records beyond one per feature (unknown fields, repeated fields, the row as a whole).</summary>
    public const int MaxExtraErrorsPerRow = 16;

    private const int MaxFeaturesNamed = 20;

    private readonly FeatureRule[] _rules;
    private readonly double[]?[] _numbers;
    private readonly string[]?[] _categories;
    private readonly bool[] _seen;
    private readonly List<RowError> _errors = [];
    private long[] _rowIndexes;
    private int _capacity;
    private long _nextRowIndex;
    private long _currentRow;
    private bool _rowFailed;
    private int _rowErrors;
    private string? _featureList;

    public FeatureBatch(FeatureSchema schema, int capacity = 64, UnknownFeatures unknownFeatures = UnknownFeatures.Reject)
    {
        Schema = schema;
        UnknownFeatures = unknownFeatures;
        _rules = schema.Rules;
        _capacity = Math.Max(1, capacity);
        _numbers = new double[]?[schema.Count];
        _categories = new string[]?[schema.Count];
        for (var f = 0; f < _rules.Length; f++)
        {
            if (_rules[f].IsNumeric)
            {
                _numbers[f] = new double[_capacity];
            }
            else
            {
                _categories[f] = new string[_capacity];
            }
        }

        _seen = new bool[schema.Count];
        _rowIndexes = new long[_capacity];
    }

    public FeatureSchema Schema { get; }

    public UnknownFeatures UnknownFeatures { get; }

    /// <summary>Rows accepted so far.</summary>
    public int RowCount { get; private set; }

    /// <summary>Rows refused so far (each has at least one entry in <see cref="Errors"/>).</summary>
    public int RejectedRowCount { get; private set; }

    /// <summary>Why rows were refused, in the order found.</summary>
    public IReadOnlyList<RowError> Errors => _errors;

    /// <summary>For each accepted row, the index the caller gave it (or its position among all rows offered).</summary>
    public ReadOnlySpan<long> RowIndexes => _rowIndexes.AsSpan(0, RowCount);

    /// <summary>The accepted values of a numeric feature, one per row.</summary>
    public ReadOnlySpan<double> GetNumeric(int feature) =>
        (_numbers[feature] ?? throw new InvalidOperationException($"Feature '{_rules[feature].Name}' is categorical.")).AsSpan(0, RowCount);

    public ReadOnlySpan<double> GetNumeric(string feature) => GetNumeric(IndexOrThrow(feature));

    /// <summary>The accepted values of a categorical feature, one per row.</summary>
    public ReadOnlySpan<string> GetCategorical(int feature) =>
        (_categories[feature] ?? throw new InvalidOperationException($"Feature '{_rules[feature].Name}' is numeric.")).AsSpan(0, RowCount);

    public ReadOnlySpan<string> GetCategorical(string feature) => GetCategorical(IndexOrThrow(feature));

    /// <summary>
    /// Adds a row of text cells by column name (a CSV row read with its header): numbers parse with the invariant
    /// culture, an empty or null cell is missing. Returns false (and records errors) when the row is refused.
    /// </summary>
    /// <param name="rowIndex">The row's index for error messages; default: one after the previous row.</param>
    public bool AddRow(IReadOnlyDictionary<string, string?> cells, long? rowIndex = null)
    {
        BeginRow(rowIndex);
        foreach (var (name, text) in cells)
        {
            var feature = Schema.IndexOf(name);
            if (feature < 0)
            {
                RejectUnknown(name);
            }
            else
            {
                SetText(feature, text);
            }
        }

        return EndRow();
    }

    /// <summary>Maps a header to features under this batch's <see cref="UnknownFeatures"/>; see <see cref="FeatureSchema.BindColumns"/>.</summary>
    public ColumnBinding BindColumns(IReadOnlyList<string> columns) => Schema.BindColumns(columns, UnknownFeatures);

    /// <summary>
    /// Adds a row of text cells by position (a CSV row under a bound header); the same rules as the by-name
    /// overload. A row with more or fewer cells than the header is refused.
    /// </summary>
    public bool AddRow(ColumnBinding columns, IReadOnlyList<string?> cells, long? rowIndex = null)
    {
        if (!ReferenceEquals(columns.Schema, Schema))
        {
            throw new ArgumentException("The column binding was made for another schema.", nameof(columns));
        }

        BeginRow(rowIndex);
        if (cells.Count != columns.ColumnCount)
        {
            Reject(-1, $"has {cells.Count} cell(s), but the header has {columns.ColumnCount}");
            return EndRow();
        }

        for (var c = 0; c < cells.Count; c++)
        {
            var feature = columns.FeatureOf(c);
            if (feature >= 0)
            {
                SetText(feature, cells[c]);
            }
        }

        return EndRow();
    }

    /// <summary>
    /// Adds a row of UTF-8 cells by position, with the same rules as the string overload, without allocating
    /// per cell (numbers parse straight from the bytes; categories are matched against the manifest's values).
    /// </summary>
    public bool AddRow<TCells>(ColumnBinding columns, TCells cells, long? rowIndex = null)
        where TCells : IUtf8Cells
    {
        if (!ReferenceEquals(columns.Schema, Schema))
        {
            throw new ArgumentException("The column binding was made for another schema.", nameof(columns));
        }

        BeginRow(rowIndex);
        var count = cells.Count;
        if (count != columns.ColumnCount)
        {
            Reject(-1, $"has {count} cell(s), but the header has {columns.ColumnCount}");
            return EndRow();
        }

        for (var c = 0; c < count; c++)
        {
            var feature = columns.FeatureOf(c);
            if (feature >= 0)
            {
                SetUtf8Text(feature, cells[c]);
            }
        }

        return EndRow();
    }

    /// <summary>
    /// Adds one row given as a JSON object of feature values (a JSON Lines line): numbers for numeric features;
    /// strings (numbers and booleans are taken as their text) for categorical ones; null is missing.
    /// Malformed JSON refuses the row. Returns false when the row is refused.
    /// </summary>
    public bool AddJsonRow(ReadOnlySpan<byte> json, long? rowIndex = null) => RecordsJsonReader.ReadRow(json, this, rowIndex);

    /// <summary>
    /// Fills the batch from a records request body, <c>{"instances": [{...}, ...]}</c> or
    /// <c>{"dataframe_split": {"columns": [...], "data": [[...], ...]}}</c>, in one pass with Utf8JsonReader.
    /// All or nothing: throws <see cref="ServingException"/> (BadRequest) naming the rows and features at fault
    /// (up to <paramref name="maxReportedErrors"/>) when any row is refused, or when there is no row.
    /// </summary>
    public void AddRecordsJson(ReadOnlySpan<byte> body, int maxReportedErrors = 10) => RecordsJsonReader.ReadRequest(body, this, maxReportedErrors);

    /// <summary>Forgets every row and error; keeps the buffers. The next row index starts at 0 again.</summary>
    public void Clear()
    {
        RowCount = 0;
        RejectedRowCount = 0;
        _errors.Clear();
        _nextRowIndex = 0;
        for (var f = 0; f < _categories.Length; f++)
        {
            _categories[f]?.AsSpan().Clear();
        }
    }

    internal void BeginRow(long? rowIndex)
    {
        _currentRow = rowIndex ?? _nextRowIndex;
        _rowFailed = false;
        _rowErrors = 0;
        Array.Clear(_seen);
        if (RowCount == _capacity)
        {
            Grow();
        }
    }

    internal bool EndRow()
    {
        for (var f = 0; f < _seen.Length; f++)
        {
            if (!_seen[f])
            {
                if (_rules[f].Spec.AllowMissing)
                {
                    SetMissing(f);
                }
                else
                {
                    Reject(f, "missing");
                }
            }
        }

        if (!_rowFailed && Schema.Pre is { } pre)
        {
            pre.Run(this, RowCount);
        }

        _nextRowIndex = _currentRow + 1;
        if (_rowFailed)
        {
            RejectedRowCount++;
            return false;
        }

        _rowIndexes[RowCount] = _currentRow;
        RowCount++;
        return true;
    }

    /// <summary>
    /// Records a row error; feature -1 for the row as a whole, which also stops the row's features from being
    /// reported missing one by one.
    /// </summary>
    internal void Reject(int feature, string reason)
    {
        _rowFailed = true;
        if (TakeErrorSlot())
        {
            _errors.Add(new RowError(_currentRow, feature < 0 ? null : _rules[feature].Name, reason));
        }

        if (feature >= 0)
        {
            _seen[feature] = true;
        }
        else
        {
            Array.Fill(_seen, true);
        }
    }

    internal void RejectUnknown(string name)
    {
        if (UnknownFeatures == UnknownFeatures.Reject)
        {
            _rowFailed = true;
            if (TakeErrorSlot())
            {
                _featureList ??= DescribeFeatures(Schema);
                _errors.Add(new RowError(_currentRow, Truncate(name), $"unknown feature; the model's features are {_featureList}"));
            }
        }
    }

    /// <summary>Marks a feature as given; false (and an error) when it was already given in this row.</summary>
    internal bool Claim(int feature)
    {
        if (_seen[feature])
        {
            _rowFailed = true;
            if (TakeErrorSlot())
            {
                _errors.Add(new RowError(_currentRow, _rules[feature].Name, "is given more than once"));
            }

            return false;
        }

        _seen[feature] = true;
        return true;
    }

    /// <summary>The model's feature names for an error message, the first <see cref="MaxFeaturesNamed"/> of them.</summary>
    internal static string DescribeFeatures(FeatureSchema schema)
    {
        var named = string.Join(", ", schema.Features.Take(MaxFeaturesNamed).Select(f => $"'{f.Name}'"));
        return schema.Count <= MaxFeaturesNamed ? named : $"{named} and {schema.Count - MaxFeaturesNamed} more";
    }

    /// <summary>A numeric feature's value at a row position (the row being added included), for the manifest's steps.</summary>
    internal double NumberAt(int feature, int row) => _numbers[feature]![row];

    internal string CategoryAt(int feature, int row) => _categories[feature]![row] ?? string.Empty;

    internal void SetNumberAt(int feature, int row, double value) => _numbers[feature]![row] = value;

    internal void SetCategoryAt(int feature, int row, string value) => _categories[feature]![row] = value;

    private bool TakeErrorSlot() => _rowErrors++ < _rules.Length + MaxExtraErrorsPerRow;

    private void Grow()
    {
        _capacity *= 2;
        Array.Resize(ref _rowIndexes, _capacity);
        for (var f = 0; f < _rules.Length; f++)
        {
            if (_numbers[f] is not null)
            {
                Array.Resize(ref _numbers[f], _capacity);
            }
            else
            {
                Array.Resize(ref _categories[f], _capacity);
            }
        }
    }

    private int IndexOrThrow(string feature)
    {
        var index = Schema.IndexOf(feature);
        return index >= 0 ? index : throw new ArgumentException($"'{feature}' is not a feature of this batch.", nameof(feature));
    }

    internal static string Truncate(string text) => text.Length <= 40 ? text : text[..40] + "...";

    internal static string Truncate(ReadOnlySpan<char> text) => text.Length <= 40 ? new string(text) : string.Concat(text[..40], "...");
}
