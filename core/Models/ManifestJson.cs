using System.Text.Json;
using System.Text.Json.Serialization;
using Serverless.Core.Buffers;
using Serverless.Core.Errors;

namespace Serverless.Core.Models;

/// <summary>
/// The manifest's JSON form (snake_case): reads it with System.Text.Json (unknown members refused, so a typo
/// such as "treshold" is an error rather than silently ignored) and writes the canonical form. Thread-safe.
/// </summary>
internal static class ManifestJson
{
    private static readonly JsonSerializerOptions ReadOptions = new()
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        AllowTrailingCommas = false,
        MaxDepth = 16,
    };

    public static ModelManifest Read(ReadOnlySpan<byte> json)
    {
        Document? document;
        try
        {
            document = JsonSerializer.Deserialize<Document>(json, ReadOptions);
        }
        catch (JsonException e)
        {
            throw JsonErrorText.BadRequest(e, json, "The manifest", ReadOptions.GetTypeInfo(typeof(Document)));
        }

        if (document is null)
        {
            throw ServingException.BadRequest("The manifest must be a JSON object.");
        }

        return new ModelManifest
        {
            Task = document.Task switch
            {
                "binary" => TabularTask.Binary,
                "multiclass" => TabularTask.Multiclass,
                "regression" => TabularTask.Regression,
                null => throw ServingException.BadRequest("Manifest field 'task' is required: binary, multiclass or regression."),
                _ => throw ServingException.BadRequest($"Manifest field 'task' is '{document.Task}'; use binary, multiclass or regression."),
            },
            Features = (document.Features ?? throw ServingException.BadRequest("Manifest field 'features' is required: list the model's features in order."))
                .Select((f, i) => ToFeature(f, i))
                .ToArray(),
            Inputs = ToInputs(document.Inputs),
            Outputs = document.Outputs is null
                ? throw ServingException.BadRequest("Manifest field 'outputs' is required: name the model outputs holding probability, label or score.")
                : new ManifestOutputs(document.Outputs.Label, document.Outputs.Probability, document.Outputs.Score, document.Outputs.Value),
            ClassLabels = document.ClassLabels?.ToArray(),
            Threshold = document.Threshold,
            FeatureSets = document.FeatureSets?.Select((f, i) => f is null
                    ? throw ServingException.BadRequest($"Manifest field 'feature_sets[{i}]' must be an object with 'name', 'version' and 'features'.")
                    : new ManifestFeatureSet(f.Name ?? "", f.Version ?? "", f.Features?.ToArray() ?? []))
                .ToArray(),
            Pre = ManifestStepsJson.ReadPre(document.Pre),
            Post = ManifestStepsJson.ReadPost(document.Post),
        };
    }

    public static byte[] Write(ModelManifest manifest)
    {
        using var buffer = new PooledBufferWriter(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("task", TaskName(manifest.Task));
            writer.WriteStartArray("features");
            foreach (var feature in manifest.Features)
            {
                writer.WriteStartObject();
                writer.WriteString("name", feature.Name);
                writer.WriteString("type", feature.Type == FeatureType.Numeric ? "numeric" : "categorical");
                WriteNumber(writer, "min", feature.Min);
                WriteNumber(writer, "max", feature.Max);
                if (feature.Values is not null)
                {
                    writer.WriteStartArray("values");
                    foreach (var value in feature.Values)
                    {
                        writer.WriteStringValue(value);
                    }

                    writer.WriteEndArray();
                }

                if (feature.AllowMissing)
                {
                    writer.WriteBoolean("allow_missing", true);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteStartObject("inputs");
            writer.WriteString("layout", manifest.Inputs.Layout == InputLayout.Tensor ? "tensor" : "per_feature");
            WriteString(writer, "name", manifest.Inputs.Name);
            writer.WriteEndObject();
            writer.WriteStartObject("outputs");
            WriteString(writer, "label", manifest.Outputs.Label);
            WriteString(writer, "probability", manifest.Outputs.Probability);
            WriteString(writer, "score", manifest.Outputs.Score);
            WriteString(writer, "value", manifest.Outputs.Value);
            writer.WriteEndObject();
            if (manifest.ClassLabels is not null)
            {
                writer.WriteStartArray("class_labels");
                foreach (var label in manifest.ClassLabels)
                {
                    writer.WriteStringValue(label);
                }

                writer.WriteEndArray();
            }

            WriteNumber(writer, "threshold", manifest.Threshold);
            WriteFeatureSets(writer, manifest.FeatureSets);
            ManifestStepsJson.Write(writer, manifest);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static string TaskName(TabularTask task) => task switch
    {
        TabularTask.Binary => "binary",
        TabularTask.Multiclass => "multiclass",
        _ => "regression",
    };

    private static FeatureSpec ToFeature(FeatureDocument? feature, int index)
    {
        if (feature is null)
        {
            throw ServingException.BadRequest($"Manifest field 'features[{index}]' must be an object with 'name' and 'type'.");
        }

        var type = feature.Type switch
        {
            "numeric" => FeatureType.Numeric,
            "categorical" => FeatureType.Categorical,
            null => throw ServingException.BadRequest($"Manifest field 'features[{index}].type' is required: numeric or categorical."),
            _ => throw ServingException.BadRequest($"Manifest field 'features[{index}].type' is '{feature.Type}'; use numeric or categorical."),
        };
        return new FeatureSpec(feature.Name ?? "", type, feature.Min, feature.Max, feature.Values?.ToArray(), feature.AllowMissing ?? false);
    }

    private static ManifestInputs ToInputs(InputsDocument? inputs)
    {
        if (inputs is null)
        {
            throw ServingException.BadRequest("Manifest field 'inputs' is required, e.g. {\"layout\": \"tensor\", \"name\": \"input\"} or {\"layout\": \"per_feature\"}.");
        }

        var layout = inputs.Layout switch
        {
            "tensor" => InputLayout.Tensor,
            "per_feature" => InputLayout.PerFeature,
            null => throw ServingException.BadRequest("Manifest field 'inputs.layout' is required: tensor or per_feature."),
            _ => throw ServingException.BadRequest($"Manifest field 'inputs.layout' is '{inputs.Layout}'; use tensor or per_feature."),
        };
        return new ManifestInputs(layout, inputs.Name);
    }

    /// <summary>Only when present, so the canonical JSON (and hash) of manifests without feature sets is unchanged.</summary>
    private static void WriteFeatureSets(Utf8JsonWriter writer, IReadOnlyList<ManifestFeatureSet>? sets)
    {
        if (sets is null)
        {
            return;
        }

        writer.WriteStartArray("feature_sets");
        foreach (var set in sets)
        {
            writer.WriteStartObject();
            writer.WriteString("name", set.Name);
            writer.WriteString("version", set.Version);
            writer.WriteStartArray("features");
            foreach (var feature in set.Features)
            {
                writer.WriteStringValue(feature);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static void WriteString(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    private static void WriteNumber(Utf8JsonWriter writer, string name, double? value)
    {
        if (value is not null)
        {
            writer.WriteNumber(name, value.Value);
        }
    }

    private sealed class Document
    {
        [JsonPropertyName("task")] public string? Task { get; set; }

        [JsonPropertyName("features")] public List<FeatureDocument?>? Features { get; set; }

        [JsonPropertyName("inputs")] public InputsDocument? Inputs { get; set; }

        [JsonPropertyName("outputs")] public OutputsDocument? Outputs { get; set; }

        [JsonPropertyName("class_labels")] public List<string>? ClassLabels { get; set; }

        [JsonPropertyName("threshold")] public double? Threshold { get; set; }

        [JsonPropertyName("feature_sets")] public List<FeatureSetDocument?>? FeatureSets { get; set; }

        [JsonPropertyName("pre")] public List<ManifestStepsJson.StepDocument?>? Pre { get; set; }

        [JsonPropertyName("post")] public List<ManifestStepsJson.StepDocument?>? Post { get; set; }
    }

    private sealed class FeatureSetDocument
    {
        [JsonPropertyName("name")] public string? Name { get; set; }

        [JsonPropertyName("version")] public string? Version { get; set; }

        [JsonPropertyName("features")] public List<string>? Features { get; set; }
    }

    private sealed class FeatureDocument
    {
        [JsonPropertyName("name")] public string? Name { get; set; }

        [JsonPropertyName("type")] public string? Type { get; set; }

        [JsonPropertyName("min")] public double? Min { get; set; }

        [JsonPropertyName("max")] public double? Max { get; set; }

        [JsonPropertyName("values")] public List<string>? Values { get; set; }

        [JsonPropertyName("allow_missing")] public bool? AllowMissing { get; set; }
    }

    private sealed class InputsDocument
    {
        [JsonPropertyName("layout")] public string? Layout { get; set; }

        [JsonPropertyName("name")] public string? Name { get; set; }
    }

    private sealed class OutputsDocument
    {
        [JsonPropertyName("label")] public string? Label { get; set; }

        [JsonPropertyName("probability")] public string? Probability { get; set; }

        [JsonPropertyName("score")] public string? Score { get; set; }

        [JsonPropertyName("value")] public string? Value { get; set; }
    }
}
