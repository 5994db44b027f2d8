using System.Security.Cryptography;
using Serverless.Core.Models;
using Serverless.Core.Onnx;
using Serverless.Core.Training;

namespace Serverless.Trainer;

/// <summary>
/// Writes the tabular manifest the platform serves an exported trial with: the task; the features in spec order
/// (no ranges or category lists, so categories never seen in training are still scored, as all zeros; every
/// feature allows missing values, which the graph imputes as ML.NET did: numbers by the training mean, categories
/// as all zeros); the
/// per_feature layout (ML.NET names each input after its feature: numeric FP32, categorical BYTES); and the
/// outputs: binary → <c>Probability.output</c> (the positive class) with class_labels [negative, positive];
/// multiclass → <c>Score.output</c> (the [N, C] class probabilities) with the sorted class labels; regression →
/// <c>Score.output</c>. <see cref="Validate"/> checks it against the model exactly as registration does.
/// </summary>
public static class ManifestBuilder
{
    public static ModelManifest Build(TrialSpec spec, IReadOnlyList<string>? classLabels)
    {
        var features = spec.Features
            .Select(f => new FeatureSpec(f.Name, f.Type == TrialFeature.Numeric ? FeatureType.Numeric : FeatureType.Categorical, AllowMissing: true))
            .ToArray();
        return spec.Task switch
        {
            Algorithms.Binary => Manifest(TabularTask.Binary, features, new ManifestOutputs(Probability: OnnxExport.OutputName("Probability")), classLabels),
            Algorithms.Multiclass => Manifest(TabularTask.Multiclass, features, new ManifestOutputs(Probability: OnnxExport.OutputName("Score")), classLabels),
            _ => Manifest(TabularTask.Regression, features, new ManifestOutputs(Score: OnnxExport.OutputName("Score")), null),
        };
    }

    /// <summary>
    /// Validates the manifest against the ONNX model's signature with <see cref="ManifestValidator"/>, as the
    /// registry does when the manifest is set; throws <see cref="TrialException"/> with the validator's message.
    /// </summary>
    public static void Validate(ModelManifest manifest, byte[] onnx, ModelSignature signature, string trialId)
    {
        var version = new ModelVersion(trialId, "trial", Convert.ToHexStringLower(SHA256.HashData(onnx)), onnx.Length, DateTimeOffset.UtcNow, null,
            signature.Inputs, signature.Outputs, $"{trialId}/trial/{TrialOutputs.Model}");
        try
        {
            ManifestValidator.Validate(manifest, version);
        }
        catch (Core.Errors.ServingException e)
        {
            throw new TrialException($"The manifest does not fit the exported model: {e.Message}", e);
        }
    }

    private static ModelManifest Manifest(TabularTask task, FeatureSpec[] features, ManifestOutputs outputs, IReadOnlyList<string>? classLabels) => new()
    {
        Task = task,
        Features = features,
        Inputs = new ManifestInputs(InputLayout.PerFeature),
        Outputs = outputs,
        ClassLabels = classLabels,
    };
}
