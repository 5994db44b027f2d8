using System.Globalization;
using System.Text.Json;
using Serverless.Core.Baselines;
using Serverless.Core.Monitoring.Drift;
using Serverless.Core.Monitoring.Logging;

namespace Serverless.Core.Monitoring.Monitor;

/// <summary>
/// The current window's logged rows as drift columns, typed like the baseline's features: numbers (a JSON number,
/// or a numeric string) for numeric features, text for categorical ones; null, absent, empty or non-finite is
/// missing. Also the data-quality figures of a feature. Pure; thread-safe.
/// </summary>
public static class WindowColumns
{
    public static IReadOnlyList<DriftColumn> Build(DatasetBaseline baseline, IReadOnlyList<InferenceLogRecord> rows) =>
        baseline.Features.Select(f => Column(f, rows.Select(r => (JsonElement?)r.Features.GetValueOrDefault(f.Name)).ToList())).ToList();

    /// <summary>One column of logged values (null: absent), typed like <paramref name="feature"/>.</summary>
    public static DriftColumn Column(FeatureBaseline feature, IReadOnlyList<JsonElement?> rows)
    {
        if (feature.Type == "numeric")
        {
            var values = new List<double>(rows.Count);
            long missing = 0;
            foreach (var row in rows)
            {
                if (Number(row) is { } value)
                {
                    values.Add(value);
                }
                else
                {
                    missing++;
                }
            }

            return new NumericColumn(feature.Name, values.ToArray(), missing);
        }

        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        long absent = 0;
        foreach (var row in rows)
        {
            if (Text(row) is { Length: > 0 } category)
            {
                counts[category] = counts.GetValueOrDefault(category) + 1;
            }
            else
            {
                absent++;
            }
        }

        return new CategoricalColumn(feature.Name, counts, absent);
    }

    public static FeatureQuality Quality(FeatureBaseline feature, DriftColumn current, long rows)
    {
        var missingRate = rows == 0 ? 0 : (double)current.Missing / rows;
        var baselineMissing = feature.Count == 0 ? 0 : (double)feature.Missing / feature.Count;
        if (current is NumericColumn numeric)
        {
            var outside = feature.Min is { } min && feature.Max is { } max ? numeric.Values.Count(v => v < min || v > max) : 0;
            return new FeatureQuality(feature.Name, feature.Type, missingRate, baselineMissing, Rate(outside, numeric.Values.Count), 0, []);
        }

        var categorical = (CategoricalColumn)current;
        var known = feature.Categories ?? new Dictionary<string, long>();
        var unseen = feature.OtherCount > 0
            ? []
            : categorical.Counts.Where(c => !known.ContainsKey(c.Key)).OrderByDescending(c => c.Value).ToList();
        return new FeatureQuality(feature.Name, feature.Type, missingRate, baselineMissing, 0, Rate(unseen.Sum(c => c.Value), categorical.ValueCount),
            unseen.Take(10).Select(c => c.Key).ToList());
    }

    /// <summary>A logged value as a finite number, or null (missing, text, non-finite).</summary>
    public static double? Number(JsonElement? value) => value switch
    {
        { ValueKind: JsonValueKind.Number } v when v.TryGetDouble(out var d) && double.IsFinite(d) => d,
        { ValueKind: JsonValueKind.String } v when double.TryParse(v.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) => d,
        _ => null,
    };

    /// <summary>A logged value as a category (numbers and booleans as their text), or null when missing.</summary>
    public static string? Text(JsonElement? value) => value switch
    {
        { ValueKind: JsonValueKind.String } v => v.GetString(),
        { ValueKind: JsonValueKind.Number } v => v.GetRawText(),
        { ValueKind: JsonValueKind.True } => "true",
        { ValueKind: JsonValueKind.False } => "false",
        _ => null,
    };

    private static double Rate(long count, long total) => total == 0 ? 0 : (double)count / total;
}
