using Serverless.Core.Errors;

namespace Serverless.Core.Models;

/// <summary>
/// Checks a manifest: on its own (<see cref="ValidateStructure"/>) and against a model's signature
/// (<see cref="Validate(ModelManifest, IReadOnlyList{TensorSpec}, IReadOnlyList{TensorSpec})"/>). Every failure
/// is a <see cref="ServingException"/> (BadRequest) whose message names the manifest field. Stateless; thread-safe.
/// </summary>
public static class ManifestValidator
{
    private static readonly string[] NumericInputDatatypes = ["FP32", "FP64", "INT64"];
    private static readonly string[] TensorLayoutDatatypes = ["FP32", "FP64"];

    public static void Validate(ModelManifest manifest, ModelVersion version) => Validate(manifest, version.Inputs, version.Outputs);

    /// <summary>Structure, then the input layout and the declared outputs against the model's signature.</summary>
    public static void Validate(ModelManifest manifest, IReadOnlyList<TensorSpec> inputs, IReadOnlyList<TensorSpec> outputs)
    {
        ValidateStructure(manifest);
        if (manifest.Inputs.Layout == InputLayout.Tensor)
        {
            ValidateTensorLayout(manifest, inputs);
        }
        else
        {
            ValidatePerFeatureLayout(manifest, inputs);
        }

        ValidateOutputs(manifest, outputs);
    }

    /// <summary>
    /// Everything that does not depend on the model: features, layout, outputs per task, labels, threshold. The pre and post
    /// steps are compiled (and so checked) by <c>Tabular.Steps.TabularStepCatalog.Check</c> at registration and when bound.
    /// </summary>
    public static void ValidateStructure(ModelManifest manifest)
    {
        ValidateFeatures(manifest);
        ValidateInputsField(manifest);
        ValidateOutputsField(manifest);
        ValidateClassLabels(manifest);
        ManifestFeatureSet.ValidateAll(manifest);
        if (manifest.Threshold is { } threshold)
        {
            if (manifest.Task != TabularTask.Binary)
            {
                throw Bad($"Manifest field 'threshold' is only for binary tasks, not {ManifestJson.TaskName(manifest.Task)}.");
            }

            if (!(threshold >= 0 && threshold <= 1))
            {
                throw Bad($"Manifest field 'threshold' must be between 0 and 1; got {threshold}.");
            }
        }
    }

    private static void ValidateFeatures(ModelManifest manifest)
    {
        if (manifest.Features.Count == 0)
        {
            throw Bad("Manifest field 'features' is empty: list the model's features in order.");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < manifest.Features.Count; i++)
        {
            var feature = manifest.Features[i];
            var field = $"features[{i}]";
            if (string.IsNullOrWhiteSpace(feature.Name))
            {
                throw Bad($"Manifest field '{field}.name' is empty: every feature needs a name.");
            }

            if (!names.Add(feature.Name))
            {
                throw Bad($"Manifest field '{field}.name': feature '{feature.Name}' is listed more than once.");
            }

            if (feature.Type == FeatureType.Numeric)
            {
                if (feature.Values is not null)
                {
                    throw Bad($"Manifest field '{field}.values': only categorical features list values, and '{feature.Name}' is numeric.");
                }

                if (feature.Min is { } min && feature.Max is { } max && min > max)
                {
                    throw Bad($"Manifest field '{field}.min' ({min}) is greater than '{field}.max' ({max}).");
                }
            }
            else
            {
                if (feature.Min is not null || feature.Max is not null)
                {
                    throw Bad($"Manifest field '{field}.{(feature.Min is not null ? "min" : "max")}': only numeric features have a range, and '{feature.Name}' is categorical.");
                }

                if (feature.Values is not null)
                {
                    ValidateDistinctStrings(feature.Values, $"{field}.values", allowEmpty: true);
                }
            }
        }
    }

    private static void ValidateInputsField(ModelManifest manifest)
    {
        if (manifest.Inputs.Layout == InputLayout.PerFeature)
        {
            if (manifest.Inputs.Name is not null)
            {
                throw Bad("Manifest field 'inputs.name' is only for the tensor layout; per_feature inputs are named like the features.");
            }

            return;
        }

        if (string.IsNullOrEmpty(manifest.Inputs.Name))
        {
            throw Bad("Manifest field 'inputs.name' is required for the tensor layout: name the model input that takes the [N, features] tensor.");
        }

        for (var i = 0; i < manifest.Features.Count; i++)
        {
            if (manifest.Features[i].Type != FeatureType.Numeric)
            {
                throw Bad($"Manifest field 'features[{i}].type': '{manifest.Features[i].Name}' is categorical, but the tensor layout takes numeric features only; use the per_feature layout.");
            }
        }
    }

    private static void ValidateOutputsField(ModelManifest manifest)
    {
        var outputs = manifest.Outputs;
        foreach (var (field, value) in new[] { ("label", outputs.Label), ("probability", outputs.Probability), ("score", outputs.Score), ("value", outputs.Value) })
        {
            if (value is not null && value.Length == 0)
            {
                throw Bad($"Manifest field 'outputs.{field}' is empty: name a model output or leave it out.");
            }
        }

        if (manifest.Task == TabularTask.Regression)
        {
            if (outputs.Label is not null || outputs.Probability is not null)
            {
                throw Bad($"Manifest field 'outputs.{(outputs.Label is not null ? "label" : "probability")}' is for classification; a regression task reads 'outputs.score' (or 'outputs.value').");
            }

            if (outputs.Score is not null && outputs.Value is not null)
            {
                throw Bad("Manifest fields 'outputs.score' and 'outputs.value' mean the same; give one of them.");
            }

            if (outputs.RegressionOutput is null)
            {
                throw Bad("Manifest field 'outputs.score' (or 'outputs.value') is required for a regression task: name the output holding the predicted value.");
            }

            return;
        }

        if (outputs.Score is not null || outputs.Value is not null)
        {
            throw Bad($"Manifest field 'outputs.{(outputs.Score is not null ? "score" : "value")}' is for regression; a {ManifestJson.TaskName(manifest.Task)} task reads 'outputs.probability' or 'outputs.label'.");
        }

        if (outputs.Probability is null && outputs.Label is null)
        {
            throw Bad($"Manifest field 'outputs.probability' or 'outputs.label' is required for a {ManifestJson.TaskName(manifest.Task)} task.");
        }
    }

    private static void ValidateClassLabels(ModelManifest manifest)
    {
        var labels = manifest.ClassLabels;
        if (labels is null)
        {
            return;
        }

        switch (manifest.Task)
        {
            case TabularTask.Regression:
                throw Bad("Manifest field 'class_labels' is only for classification tasks.");
            case TabularTask.Binary when labels.Count != 2:
                throw Bad($"Manifest field 'class_labels' must have 2 labels for a binary task (negative, then positive); it has {labels.Count}.");
            case TabularTask.Multiclass when labels.Count < 2:
                throw Bad($"Manifest field 'class_labels' must have at least 2 labels for a multiclass task; it has {labels.Count}.");
        }

        ValidateDistinctStrings(labels, "class_labels", allowEmpty: false);
    }

    private static void ValidateTensorLayout(ModelManifest manifest, IReadOnlyList<TensorSpec> inputs)
    {
        var name = manifest.Inputs.Name!;
        var input = inputs.FirstOrDefault(i => i.Name == name)
            ?? throw Bad($"Manifest field 'inputs.name': '{name}' is not an input of the model; its inputs are {Describe(inputs)}.");
        var others = inputs.Where(i => i.Name != name).ToList();
        if (others.Count > 0)
        {
            throw Bad($"Manifest field 'inputs.layout': the model also has input(s) {Describe(others)}, which the tensor layout cannot fill; use per_feature or a single-input model.");
        }

        if (!TensorLayoutDatatypes.Contains(input.Datatype))
        {
            throw Bad($"Manifest field 'inputs.name': input '{name}' is {input.Datatype}, but the tensor layout needs FP32 or FP64.");
        }

        if (input.Shape.Length != 2)
        {
            throw Bad($"Manifest field 'inputs.name': input '{name}' has shape {ShapeText(input.Shape)}, but the tensor layout needs [N, features].");
        }

        if (input.Shape[1] >= 0 && input.Shape[1] != manifest.Features.Count)
        {
            throw Bad($"Manifest field 'features' lists {manifest.Features.Count} feature(s), but input '{name}' (shape {ShapeText(input.Shape)}) takes {input.Shape[1]}.");
        }
    }

    private static void ValidatePerFeatureLayout(ModelManifest manifest, IReadOnlyList<TensorSpec> inputs)
    {
        var byName = inputs.ToDictionary(i => i.Name, StringComparer.Ordinal);
        for (var i = 0; i < manifest.Features.Count; i++)
        {
            var feature = manifest.Features[i];
            if (!byName.TryGetValue(feature.Name, out var input))
            {
                throw Bad($"Manifest field 'features[{i}].name': the per_feature layout needs a model input named '{feature.Name}'; the model's inputs are {Describe(inputs)}.");
            }

            if (!IsColumnShape(input.Shape))
            {
                throw Bad($"Manifest field 'features[{i}]': input '{feature.Name}' has shape {ShapeText(input.Shape)}, but per_feature inputs must be [N, 1] or [N].");
            }

            if (feature.Type == FeatureType.Numeric && !NumericInputDatatypes.Contains(input.Datatype))
            {
                throw Bad($"Manifest field 'features[{i}].type': '{feature.Name}' is numeric, but its model input is {input.Datatype}; numeric features need FP32, FP64 or INT64 inputs.");
            }

            if (feature.Type == FeatureType.Categorical && input.Datatype != "BYTES")
            {
                throw Bad($"Manifest field 'features[{i}].type': '{feature.Name}' is categorical, but its model input is {input.Datatype}; categorical features need BYTES (string) inputs.");
            }

            if (feature.AllowMissing && input.Datatype == "INT64")
            {
                throw Bad($"Manifest field 'features[{i}].allow_missing': input '{feature.Name}' is INT64, which cannot hold a missing value (NaN).");
            }
        }

        var names = manifest.Features.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        var unfed = inputs.Where(i => !names.Contains(i.Name)).ToList();
        if (unfed.Count > 0)
        {
            throw Bad($"Manifest field 'features': model input(s) {Describe(unfed)} have no feature; the per_feature layout needs one feature per model input.");
        }
    }

    private static void ValidateOutputs(ModelManifest manifest, IReadOnlyList<TensorSpec> outputs)
    {
        var outputsField = manifest.Outputs;
        if (outputsField.Probability is { } probabilityName)
        {
            ValidateProbability(manifest, Find(outputs, "probability", probabilityName));
        }

        if (outputsField.Label is { } labelName)
        {
            var label = Find(outputs, "label", labelName);
            if (label.Datatype is not ("INT64" or "BYTES"))
            {
                throw Bad($"Manifest field 'outputs.label': output '{labelName}' is {label.Datatype}; a label output must be INT64 or BYTES.");
            }
        }

        if (outputsField.RegressionOutput is { } scoreName)
        {
            var field = outputsField.Score is not null ? "score" : "value";
            var score = Find(outputs, field, scoreName);
            if (score.Datatype is not ("FP32" or "FP64"))
            {
                throw Bad($"Manifest field 'outputs.{field}': output '{scoreName}' is {score.Datatype}; a regression output must be FP32 or FP64.");
            }

            if (!IsColumnShape(score.Shape))
            {
                throw Bad($"Manifest field 'outputs.{field}': output '{scoreName}' has shape {ShapeText(score.Shape)}; a regression output must be [N, 1] or [N].");
            }
        }
    }

    private static void ValidateProbability(ModelManifest manifest, TensorSpec probability)
    {
        var name = probability.Name;
        if (probability.Datatype == "BYTES")
        {
            // A sequence of maps (ZipMap) is registered as BYTES [-1]; its classes are only known at run time.
            return;
        }

        if (probability.Datatype is not ("FP32" or "FP64"))
        {
            throw Bad($"Manifest field 'outputs.probability': output '{name}' is {probability.Datatype}; probabilities must be FP32, FP64 or a sequence of maps (ZipMap).");
        }

        var shape = probability.Shape;
        var columns = shape.Length switch
        {
            1 => 1L,
            2 => shape[1],
            _ => throw Bad($"Manifest field 'outputs.probability': output '{name}' has shape {ShapeText(shape)}; probabilities must be [N, classes], [N, 1] or [N]."),
        };
        if (columns < 0)
        {
            return;
        }

        if (columns == 1 && manifest.Task != TabularTask.Binary)
        {
            throw Bad($"Manifest field 'outputs.probability': output '{name}' (shape {ShapeText(shape)}) holds one probability per row, which only a binary task can read; a multiclass output must be [N, classes].");
        }

        if (manifest.Task == TabularTask.Binary && columns > 2)
        {
            throw Bad($"Manifest field 'outputs.probability': output '{name}' has {columns} columns, but a binary task needs 2 (or 1: the positive class).");
        }

        if (columns >= 2 && manifest.ClassLabels is { } labels && labels.Count != columns)
        {
            throw Bad($"Manifest field 'class_labels' has {labels.Count} labels, but output '{name}' (shape {ShapeText(shape)}) has {columns} classes.");
        }
    }

    private static TensorSpec Find(IReadOnlyList<TensorSpec> outputs, string field, string name) =>
        outputs.FirstOrDefault(o => o.Name == name)
        ?? throw Bad($"Manifest field 'outputs.{field}': '{name}' is not an output of the model; its outputs are {Describe(outputs)}.");

    private static void ValidateDistinctStrings(IReadOnlyList<string> values, string field, bool allowEmpty)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < values.Count; i++)
        {
            var value = values[i];
            if (value is null || (!allowEmpty && value.Length == 0))
            {
                throw Bad($"Manifest field '{field}[{i}]' is {(value is null ? "null" : "empty")}.");
            }

            if (!seen.Add(value))
            {
                throw Bad($"Manifest field '{field}' lists '{value}' more than once.");
            }
        }
    }

    /// <summary>[N, 1], [N, -1] (one column at run time) or [N].</summary>
    internal static bool IsColumnShape(long[] shape) => shape.Length == 1 || (shape.Length == 2 && shape[1] is 1 or -1);

    private static string Describe(IEnumerable<TensorSpec> specs)
    {
        var text = string.Join(", ", specs.Select(s => $"'{s.Name}' ({s.Datatype} {ShapeText(s.Shape)})"));
        return text.Length == 0 ? "(none)" : text;
    }

    private static string ShapeText(long[] shape) => "[" + string.Join(",", shape) + "]";

    private static ServingException Bad(string message) => ServingException.BadRequest(message);
}
