using System.Globalization;
using System.Text.Json;
using Serverless.Core.Baselines;
using Serverless.Core.Models;
using Serverless.Core.Monitoring.Logging;
using Serverless.Core.Monitoring.Drift;

namespace Serverless.Core.Monitoring.Monitor;

/// <summary>
/// How logged values become drift-column values, typed like the baseline's features: numbers (a JSON number, or a
/// numeric string) for numeric features, text for categorical ones; null, absent, empty or non-finite is missing.
/// Also the data-quality figures of a feature (exact over the window, whatever was sampled; unseen categories are
/// quoted cut to <see cref="CategoryKeys.MaxShownLength"/> characters). Pure; thread-safe.
/// </summary>
public static class WindowColumns
{
    public static FeatureQuality Quality(FeatureBaseline feature, WindowColumn current, long rows)
    {
        var missingRate = rows == 0 ? 0 : (double)current.Column.Missing / rows;
        var baselineMissing = feature.Count == 0 ? 0 : (double)feature.Missing / feature.Count;
        if (current.Column is not CategoricalColumn categorical)
        {
            return new FeatureQuality(feature.Name, feature.Type, missingRate, baselineMissing, Rate(current.OutOfRange, current.Present), 0, []);
        }

        var known = feature.Categories ?? new Dictionary<string, long>();
        var unseen = feature.OtherCount > 0
            ? []
            : categorical.Counts.Where(c => !known.ContainsKey(c.Key)).OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal).ToList();
        var examples = unseen.Where(c => current.Pooled == 0 || c.Key != CategoricalColumn.OtherCategory).Take(10).Select(c => CategoryKeys.Shown(c.Key)).ToList();
        return new FeatureQuality(feature.Name, feature.Type, missingRate, baselineMissing, 0, Rate(unseen.Sum(c => c.Value), categorical.ValueCount), examples,
            current.Pooled);
    }

    /// <summary>A logged value as a finite number (a JSON number, or a numeric string), or null (missing, other text, non-finite).</summary>
    public static double? Number(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number when value.TryGetDouble(out var d) && double.IsFinite(d) => d,
        JsonValueKind.String when double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) => d,
        _ => null,
    };

    /// <summary>A logged value as a category (numbers and booleans as their text), or null when missing.</summary>
    public static string? Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => null,
    };

    /// <summary>
    /// A feature's logged value: under its name, else (an Open Inference Protocol row logged with tensor names) under
    /// <paramref name="tensorName"/>; default (missing) when neither.
    /// </summary>
    public static JsonElement Lookup(InferenceLogRecord record, string name, string? tensorName)
    {
        if (record.Features.TryGetValue(name, out var logged))
        {
            return logged;
        }

        return tensorName is not null && record.Source == InferenceLogSource.Infer && record.Features.TryGetValue(tensorName, out logged) ? logged : default;
    }

    /// <summary>The name the log gives a manifest feature in an OIP row without the manifest: <c>x{i}</c> (tensor layout, or a lone per_feature input).</summary>
    public static string? TensorName(ModelManifest? manifest, string feature)
    {
        if (manifest is null)
        {
            return null;
        }

        var index = -1;
        for (var i = 0; i < manifest.Features.Count; i++)
        {
            if (manifest.Features[i].Name == feature)
            {
                index = i;
                break;
            }
        }

        return index < 0 || (manifest.Inputs.Layout == InputLayout.PerFeature && manifest.Features.Count > 1)
            ? null
            : "x" + index.ToString(CultureInfo.InvariantCulture);
    }

    private static double Rate(long count, long total) => total == 0 ? 0 : (double)count / total;
}
