using System.Security.Cryptography;

namespace Serverless.Core.Models;

/// <summary>
/// What a tabular model's rows look like and how to read its outputs: the task, the features in order, the
/// input layout, which outputs hold label, probabilities or value, the class labels, the binary threshold,
/// and the <c>pre</c> and <c>post</c> steps around the model.
/// Stored beside a model version as snake_case JSON (see <see cref="ManifestJson"/>). Immutable; thread-safe.
/// Build one with <see cref="Parse"/>, which also checks everything that does not depend on the model;
/// <see cref="ManifestValidator.Validate(ModelManifest, ModelVersion)"/> checks it against a model.
/// </summary>
public sealed record ModelManifest
{
    /// <summary>The threshold binary tasks use when the manifest gives none.</summary>
    public const double DefaultThreshold = 0.5;

    public required TabularTask Task { get; init; }

    /// <summary>The features, in the order the tensor layout expects them.</summary>
    public required IReadOnlyList<FeatureSpec> Features { get; init; }

    public required ManifestInputs Inputs { get; init; }

    public required ManifestOutputs Outputs { get; init; }

    /// <summary>Names of the classes in probability-column order (index 1 is the positive class of a binary task).</summary>
    public IReadOnlyList<string>? ClassLabels { get; init; }

    /// <summary>Binary tasks: the positive class is predicted when its probability is at least this (0 to 1).</summary>
    public double? Threshold { get; init; }

    public double EffectiveThreshold => Threshold ?? DefaultThreshold;

    /// <summary>Features whose values are looked up in feature sets by entity key instead of sent (null: every feature is sent).</summary>
    public IReadOnlyList<ManifestFeatureSet>? FeatureSets { get; init; }

    /// <summary>Steps run on each row before the model (derived features, defaults, clipping, code); empty when none.</summary>
    public IReadOnlyList<PreStepSpec> Pre { get; init; } = [];

    /// <summary>Steps run on each prediction (segment thresholds, rules, label maps, code); empty when none.</summary>
    public IReadOnlyList<PostStepSpec> Post { get; init; } = [];

    /// <summary>
    /// Parses manifest JSON and checks its structure. Throws <see cref="Errors.ServingException"/> (BadRequest)
    /// naming the field for malformed JSON, unknown fields, unknown names (task, type, layout) and structural mistakes.
    /// </summary>
    public static ModelManifest Parse(ReadOnlySpan<byte> json)
    {
        var manifest = ManifestJson.Read(json);
        ManifestValidator.ValidateStructure(manifest);
        return manifest;
    }

    /// <summary>The canonical JSON (fixed member order, no whitespace, absent members omitted), as stored.</summary>
    public byte[] ToCanonicalJson() => ManifestJson.Write(this);

    /// <summary>SHA-256 of <see cref="ToCanonicalJson"/> as lower-case hex: equal for manifests that mean the same.</summary>
    public string ComputeSha256() => Convert.ToHexStringLower(SHA256.HashData(ToCanonicalJson()));
}
