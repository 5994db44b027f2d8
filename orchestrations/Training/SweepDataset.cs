using System.Globalization;
using CsvHelper;
using Serverless.Core.Errors;
using Serverless.Core.Storage;
using Serverless.Core.Training;

namespace Serverless.Orchestrations.Training;

/// <summary>
/// A sweep's dataset in memory: header and rows of text cells, read with the CSV library; column types inferred
/// (numeric when every present cell parses as a finite number, else categorical). Its errors quote header names only,
/// never cells. Not thread-safe.
/// </summary>
internal sealed class SweepDataset
{
    private static readonly CsvReaderOptions Options = new() { HasHeader = false, Separator = ',', DetectSeparatorHint = false, IncludeValuesInExceptions = false };

    private SweepDataset(string[] header, List<string[]> rows, IReadOnlySet<string>? notFeatures = null, IReadOnlyList<SweepFeatureSet>? joinedSets = null,
        IReadOnlyDictionary<string, string>? declaredTypes = null)
    {
        Header = header;
        Rows = rows;
        NotFeatures = notFeatures ?? new HashSet<string>(StringComparer.Ordinal);
        JoinedSets = joinedSets ?? [];
        DeclaredTypes = declaredTypes ?? new Dictionary<string, string>(StringComparer.Ordinal);
    }

    public string[] Header { get; }

    public List<string[]> Rows { get; }

    /// <summary>Columns never inferred as features (a point-in-time join's event time and entity keys), besides the request's excluded ones.</summary>
    public IReadOnlySet<string> NotFeatures { get; }

    /// <summary>The feature sets a point-in-time join added columns from, each with exactly the columns it added.</summary>
    public IReadOnlyList<SweepFeatureSet> JoinedSets { get; }

    /// <summary>
    /// Columns whose type is declared rather than inferred (<see cref="TrialFeature.Numeric"/> or <see cref="TrialFeature.Categorical"/>):
    /// a joined feature keeps its feature set's type, so a categorical code such as "3" stays categorical.
    /// </summary>
    public IReadOnlyDictionary<string, string> DeclaredTypes { get; }

    /// <summary>
    /// This dataset with <paramref name="columns"/> appended (one cell per row each, with its declared type when it has one),
    /// <paramref name="notFeatures"/> kept out of inferred features, and <paramref name="joinedSets"/> (where the columns came from)
    /// added to <see cref="JoinedSets"/>.
    /// </summary>
    public SweepDataset WithColumns(IReadOnlyList<(string Name, string[] Cells, string? Type)> columns, IEnumerable<string> notFeatures,
        IReadOnlyList<SweepFeatureSet>? joinedSets = null)
    {
        var declared = new Dictionary<string, string>(DeclaredTypes, StringComparer.Ordinal);
        foreach (var (name, _, type) in columns)
        {
            if (type is not null)
            {
                declared[name] = type;
            }
        }

        var header = Header.Concat(columns.Select(c => c.Name)).ToArray();
        var rows = new List<string[]>(Rows.Count);
        for (var r = 0; r < Rows.Count; r++)
        {
            var row = new string[header.Length];
            Rows[r].CopyTo(row, 0);
            for (var c = 0; c < columns.Count; c++)
            {
                row[Header.Length + c] = columns[c].Cells[r];
            }

            rows.Add(row);
        }

        return new SweepDataset(header, rows, NotFeatures.Concat(notFeatures).ToHashSet(StringComparer.Ordinal), [.. JoinedSets, .. joinedSets ?? []], declared);
    }

    public static SweepDataset Parse(byte[] csv)
    {
        using var reader = CsvReader.Create(new MemoryStream(csv, writable: false), Options);
        if (!reader.Read())
        {
            throw ServingException.BadRequest("The dataset is empty: expected a header row and data rows.");
        }

        var header = Cells(reader).Select(h => h.Trim().TrimStart('\uFEFF')).ToArray();
        var duplicate = header.GroupBy(h => h, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw ServingException.BadRequest($"The dataset's header names column {DataText.Quote(duplicate.Key)} twice.");
        }

        var rows = new List<string[]>();
        while (reader.Read())
        {
            var cells = Cells(reader);
            if (cells.Length == 1 && string.IsNullOrWhiteSpace(cells[0]))
            {
                continue;
            }

            if (cells.Length != header.Length)
            {
                throw ServingException.BadRequest($"Dataset row {rows.Count + 1} has {cells.Length} cell(s), but the header has {header.Length}.");
            }

            rows.Add(cells);
        }

        return rows.Count == 0 ? throw ServingException.BadRequest("The dataset has a header but no data rows.") : new SweepDataset(header, rows);
    }

    public int IndexOf(string column) => Array.IndexOf(Header, column);

    /// <summary>
    /// The features: as given (checked against the header), or every column but the target and the excluded ones, typed as
    /// declared (<see cref="DeclaredTypes"/>) or else by inference.
    /// </summary>
    public IReadOnlyList<TrialFeature> ResolveFeatures(TrainingSweepRequest request)
    {
        if (request.Features is { Count: > 0 } given)
        {
            foreach (var feature in given)
            {
                if (IndexOf(feature.Name) < 0)
                {
                    throw ServingException.BadRequest($"Feature {DataText.Quote(feature.Name)} is not a column of the dataset ({DataText.List(Header)}).");
                }
            }

            return given.Select(f => new TrialFeature(f.Name, f.Type)).ToList();
        }

        var features = Header.Where(c => c != request.Target && !request.ExcludeColumns.Contains(c) && !NotFeatures.Contains(c))
            .Select(c => new TrialFeature(c, DeclaredTypes.TryGetValue(c, out var type) ? type : IsNumeric(IndexOf(c)) ? TrialFeature.Numeric : TrialFeature.Categorical))
            .ToList();
        return features.Count == 0 ? throw ServingException.BadRequest("The dataset has no feature columns besides the target.") : features;
    }

    /// <summary>BadRequest naming the feature and the first data row when a feature typed numeric holds a cell that is not a number.</summary>
    public void CheckNumeric(IReadOnlyList<TrialFeature> features)
    {
        foreach (var feature in features.Where(f => f.Type == TrialFeature.Numeric))
        {
            var column = IndexOf(feature.Name);
            var row = Rows.FindIndex(r => !IsNumberOrEmpty(r[column]));
            if (row >= 0)
            {
                throw ServingException.BadRequest(
                    $"Feature {DataText.Quote(feature.Name)} is numeric, but data row {row + 1} holds a value that is not a number (leave the cell empty for a missing value, or type the feature categorical).");
            }
        }
    }

    public bool IsNumeric(int column) =>
        Rows.All(r => IsNumberOrEmpty(r[column]));

    private static bool IsNumberOrEmpty(string cell) =>
        string.IsNullOrWhiteSpace(cell) || (double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value));

    private static string[] Cells(CsvReader reader)
    {
        var cells = new string[reader.FieldCount];
        for (var i = 0; i < cells.Length; i++)
        {
            cells[i] = reader.GetString(i);
        }

        return cells;
    }
}
