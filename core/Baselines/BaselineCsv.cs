using CsvHelper;
using Serverless.Core.Errors;
using Serverless.Core.Models;

namespace Serverless.Core.Baselines;

/// <summary>
/// Builds a baseline from a CSV with a header row (a team's own reference data): one <see cref="BaselineBuilder"/>
/// per feature of the model's manifest, typed as the manifest says; columns the model does not use are ignored.
/// Malformed input is a <see cref="ServingException"/> (BadRequest) naming the row or column.
/// </summary>
public static class BaselineCsv
{
    private static readonly CsvReaderOptions Options = new() { HasHeader = false, Separator = ',', DetectSeparatorHint = false };

    public static DatasetBaseline Build(ReadOnlyMemory<byte> csv, IReadOnlyList<FeatureSpec> features, string source, DateTimeOffset now)
    {
        using var reader = CsvReader.Create(new MemoryStream(csv.ToArray(), writable: false), Options);
        if (!reader.Read())
        {
            throw ServingException.BadRequest("The baseline CSV is empty: expected a header row and data rows.");
        }

        var header = Enumerable.Range(0, reader.FieldCount).Select(i => reader.GetString(i).Trim().TrimStart('\uFEFF')).ToArray();
        var columns = features.Select(f => (Index: Array.IndexOf(header, f.Name), Builder: new BaselineBuilder(f.Name, f.Type == FeatureType.Numeric))).ToList();
        var absent = features.Where((f, i) => columns[i].Index < 0).Select(f => $"'{f.Name}'").ToList();
        if (absent.Count > 0)
        {
            throw ServingException.BadRequest($"The baseline CSV has no column for feature(s) {string.Join(", ", absent)}; its header is {string.Join(", ", header)}.");
        }

        long rows = 0;
        while (reader.Read())
        {
            if (reader.FieldCount == 1 && string.IsNullOrWhiteSpace(reader.GetString(0)))
            {
                continue;
            }

            if (reader.FieldCount != header.Length)
            {
                throw ServingException.BadRequest($"Baseline CSV row {rows + 1} has {reader.FieldCount} cell(s), but the header has {header.Length}.");
            }

            foreach (var (index, builder) in columns)
            {
                builder.AddText(reader.GetString(index));
            }

            rows++;
        }

        return rows == 0
            ? throw ServingException.BadRequest("The baseline CSV has a header but no data rows.")
            : new DatasetBaseline { Rows = rows, Features = columns.Select(c => c.Builder.Build()).ToList(), Source = source, CreatedUtc = now };
    }
}
