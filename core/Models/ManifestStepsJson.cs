using System.Text.Json;
using System.Text.Json.Serialization;
using Serverless.Core.Errors;

namespace Serverless.Core.Models;

/// <summary>
/// The JSON of a manifest's <c>pre</c> and <c>post</c> steps: one object per step with its <c>kind</c>, an optional
/// <c>name</c> and the members of that kind (a member of another kind is refused, naming the step). Writes the
/// canonical form (fixed member order, map keys sorted ordinally). Stateless; thread-safe.
/// </summary>
internal static class ManifestStepsJson
{
    public static IReadOnlyList<PreStepSpec> ReadPre(List<StepDocument?>? steps) =>
        steps is null ? [] : steps.Select((s, i) => ToPre(s ?? throw NotAnObject($"pre[{i}]"), $"pre[{i}]")).ToArray();

    public static IReadOnlyList<PostStepSpec> ReadPost(List<StepDocument?>? steps) =>
        steps is null ? [] : steps.Select((s, i) => ToPost(s ?? throw NotAnObject($"post[{i}]"), $"post[{i}]")).ToArray();

    public static void Write(Utf8JsonWriter writer, ModelManifest manifest)
    {
        if (manifest.Pre.Count > 0)
        {
            writer.WriteStartArray("pre");
            foreach (var step in manifest.Pre)
            {
                WritePre(writer, step);
            }

            writer.WriteEndArray();
        }

        if (manifest.Post.Count > 0)
        {
            writer.WriteStartArray("post");
            foreach (var step in manifest.Post)
            {
                WritePost(writer, step);
            }

            writer.WriteEndArray();
        }
    }

    private static PreStepSpec ToPre(StepDocument step, string field)
    {
        switch (step.Kind)
        {
            case "derive":
                OnlyMembers(step, field, "derive", "feature", "expression");
                return new DeriveStepSpec(step.Name, Required(step.Feature, field, "feature"), Required(step.Expression, field, "expression"));
            case "default":
                OnlyMembers(step, field, "default", "feature", "value");
                return ToDefault(step, field);
            case "clip":
                OnlyMembers(step, field, "clip", "feature", "min", "max");
                return new ClipStepSpec(step.Name, Required(step.Feature, field, "feature"), step.Min, step.Max);
            case "code":
                OnlyMembers(step, field, "code", "step");
                return new CodePreStepSpec(step.Name, Required(step.Step, field, "step"));
            default:
                throw UnknownKind(step, field, "derive, default, clip or code");
        }
    }

    private static PostStepSpec ToPost(StepDocument step, string field)
    {
        switch (step.Kind)
        {
            case "threshold":
                OnlyMembers(step, field, "threshold", "segment", "thresholds", "default");
                return new ThresholdStepSpec(step.Name, Required(step.Segment, field, "segment"),
                    step.Thresholds ?? throw Missing(field, "thresholds", "map each segment to its threshold"), step.Default);
            case "rule":
                OnlyMembers(step, field, "rule", "when", "label", "annotation");
                return new RuleStepSpec(step.Name, Required(step.When, field, "when"), step.Label, step.Annotation);
            case "label_map":
                OnlyMembers(step, field, "label_map", "map");
                return new LabelMapStepSpec(step.Name, step.Map ?? throw Missing(field, "map", "map model labels to the labels to answer"));
            case "code":
                OnlyMembers(step, field, "code", "step");
                return new CodePostStepSpec(step.Name, Required(step.Step, field, "step"));
            default:
                throw UnknownKind(step, field, "threshold, rule, label_map or code");
        }
    }

    private static DefaultStepSpec ToDefault(StepDocument step, string field)
    {
        var feature = Required(step.Feature, field, "feature");
        return step.Value switch
        {
            { ValueKind: JsonValueKind.Number } number => new DefaultStepSpec(step.Name, feature, number.GetDouble(), null),
            { ValueKind: JsonValueKind.String } text => new DefaultStepSpec(step.Name, feature, null, text.GetString()),
            null => throw Missing(field, "value", "the number or category a missing value becomes"),
            _ => throw ServingException.BadRequest($"Manifest field '{field}.value' must be a number or a string."),
        };
    }

    /// <summary>Refuses members the kind does not take (name and kind are every kind's).</summary>
    private static void OnlyMembers(StepDocument step, string field, string kind, params string[] allowed)
    {
        foreach (var (member, present) in step.Members())
        {
            if (present && !allowed.Contains(member))
            {
                throw ServingException.BadRequest($"Manifest field '{field}.{member}' is not a member of a '{kind}' step; it takes {string.Join(", ", allowed)}.");
            }
        }
    }

    private static void WritePre(Utf8JsonWriter writer, PreStepSpec step)
    {
        writer.WriteStartObject();
        switch (step)
        {
            case DeriveStepSpec derive:
                Head(writer, "derive", step.Name);
                writer.WriteString("feature", derive.Feature);
                writer.WriteString("expression", derive.Expression);
                break;
            case DefaultStepSpec value:
                Head(writer, "default", step.Name);
                writer.WriteString("feature", value.Feature);
                if (value.Number is { } number)
                {
                    writer.WriteNumber("value", number);
                }
                else
                {
                    writer.WriteString("value", value.Text);
                }

                break;
            case ClipStepSpec clip:
                Head(writer, "clip", step.Name);
                writer.WriteString("feature", clip.Feature);
                WriteNumber(writer, "min", clip.Min);
                WriteNumber(writer, "max", clip.Max);
                break;
            case CodePreStepSpec code:
                Head(writer, "code", step.Name);
                writer.WriteString("step", code.Step);
                break;
        }

        writer.WriteEndObject();
    }

    private static void WritePost(Utf8JsonWriter writer, PostStepSpec step)
    {
        writer.WriteStartObject();
        switch (step)
        {
            case ThresholdStepSpec threshold:
                Head(writer, "threshold", step.Name);
                writer.WriteString("segment", threshold.Segment);
                writer.WriteStartObject("thresholds");
                foreach (var (key, value) in threshold.Thresholds.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    writer.WriteNumber(key, value);
                }

                writer.WriteEndObject();
                WriteNumber(writer, "default", threshold.Default);
                break;
            case RuleStepSpec rule:
                Head(writer, "rule", step.Name);
                writer.WriteString("when", rule.When);
                WriteString(writer, "label", rule.Label);
                WriteString(writer, "annotation", rule.Annotation);
                break;
            case LabelMapStepSpec map:
                Head(writer, "label_map", step.Name);
                writer.WriteStartObject("map");
                foreach (var (key, value) in map.Map.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    writer.WriteString(key, value);
                }

                writer.WriteEndObject();
                break;
            case CodePostStepSpec code:
                Head(writer, "code", step.Name);
                writer.WriteString("step", code.Step);
                break;
        }

        writer.WriteEndObject();
    }

    private static void Head(Utf8JsonWriter writer, string kind, string? name)
    {
        writer.WriteString("kind", kind);
        WriteString(writer, "name", name);
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

    private static string Required(string? value, string field, string member) =>
        value ?? throw Missing(field, member, null);

    private static ServingException Missing(string field, string member, string? hint) =>
        ServingException.BadRequest($"Manifest field '{field}.{member}' is required{(hint is null ? "" : ": " + hint)}.");

    private static ServingException NotAnObject(string field) =>
        ServingException.BadRequest($"Manifest field '{field}' must be an object with a 'kind'.");

    private static ServingException UnknownKind(StepDocument step, string field, string kinds) => step.Kind is null
        ? ServingException.BadRequest($"Manifest field '{field}.kind' is required: {kinds}.")
        : ServingException.BadRequest($"Manifest field '{field}.kind' is '{Truncate(step.Kind)}'; use {kinds}.");

    internal static string Truncate(string text) => text.Length <= 40 ? text : text[..40] + "...";

    /// <summary>Every member any step kind takes; the reader keeps those of the step's kind.</summary>
    internal sealed class StepDocument
    {
        [JsonPropertyName("kind")] public string? Kind { get; set; }

        [JsonPropertyName("name")] public string? Name { get; set; }

        [JsonPropertyName("feature")] public string? Feature { get; set; }

        [JsonPropertyName("expression")] public string? Expression { get; set; }

        [JsonPropertyName("value")] public JsonElement? Value { get; set; }

        [JsonPropertyName("min")] public double? Min { get; set; }

        [JsonPropertyName("max")] public double? Max { get; set; }

        [JsonPropertyName("step")] public string? Step { get; set; }

        [JsonPropertyName("segment")] public string? Segment { get; set; }

        [JsonPropertyName("thresholds")] public Dictionary<string, double>? Thresholds { get; set; }

        [JsonPropertyName("default")] public double? Default { get; set; }

        [JsonPropertyName("when")] public string? When { get; set; }

        [JsonPropertyName("label")] public string? Label { get; set; }

        [JsonPropertyName("annotation")] public string? Annotation { get; set; }

        [JsonPropertyName("map")] public Dictionary<string, string>? Map { get; set; }

        public IEnumerable<(string Member, bool Present)> Members() =>
        [
            ("feature", Feature is not null), ("expression", Expression is not null), ("value", Value is not null), ("min", Min is not null),
            ("max", Max is not null), ("step", Step is not null), ("segment", Segment is not null), ("thresholds", Thresholds is not null),
            ("default", Default is not null), ("when", When is not null), ("label", Label is not null), ("annotation", Annotation is not null),
            ("map", Map is not null),
        ];
    }
}
