using System.Text.Json;
using System.Text.Json.Serialization;

namespace Serverless.Core.Training;

/// <summary>
/// The trial contract's input (<c>spec.json</c>, snake_case): what to train, on which data, and where to write the
/// outputs. Any trainer image that reads this and writes <see cref="TrialOutputs"/> under <see cref="OutputUri"/> can
/// run trials. URIs are absolute: <c>file://</c> paths, or blob URLs (Azure or Azurite) the trainer reaches with the
/// storage account's credentials from its environment (<c>AzureWebJobsStorage</c>). Immutable.
/// </summary>
public sealed record TrialSpec
{
    public required string TrialId { get; init; }

    public required string SweepId { get; init; }

    /// <summary>Training rows: CSV with a header row (the target column plus the features).</summary>
    public required string TrainUri { get; init; }

    /// <summary>Validation rows, same columns as the training rows; metrics are computed on these.</summary>
    public required string ValidationUri { get; init; }

    public required string Target { get; init; }

    /// <summary><c>binary</c>, <c>multiclass</c> or <c>regression</c>.</summary>
    public required string Task { get; init; }

    /// <summary>The features in model-input order.</summary>
    public required IReadOnlyList<TrialFeature> Features { get; init; }

    /// <summary>Binary only: the target value (as text) that is the positive class.</summary>
    public string? PositiveClass { get; init; }

    /// <summary><c>lightgbm</c>, <c>fasttree</c>, <c>lbfgs</c> or <c>sdca</c> for the built-in trainer; any name a custom trainer knows.</summary>
    public required string Algorithm { get; init; }

    /// <summary>Hyperparameters by name: numbers, strings or booleans (JSON scalars).</summary>
    public IReadOnlyDictionary<string, JsonElement> Hyperparameters { get; init; } = new Dictionary<string, JsonElement>();

    public int Seed { get; init; }

    /// <summary>The folder URI the trainer writes <c>model.onnx</c>, <c>metrics.json</c> and <c>manifest.json</c> under.</summary>
    public required string OutputUri { get; init; }

    /// <summary>
    /// Optional: a previous trial's fitted model to continue from (warm start) instead of starting from scratch. A trainer
    /// that cannot continue from it trains from scratch and says why in <see cref="TrialMetrics.WarmStartNote"/>.
    /// </summary>
    public TrialWarmStart? WarmStart { get; init; }

    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static TrialSpec FromJson(string json) =>
        JsonSerializer.Deserialize<TrialSpec>(json, Json) ?? throw new JsonException("The trial spec is null.");
}

/// <summary>One feature of a trial: its column name and <c>numeric</c> or <c>categorical</c>.</summary>
public sealed record TrialFeature(string Name, string Type)
{
    public const string Numeric = "numeric";
    public const string Categorical = "categorical";
}

/// <summary>
/// Where a trial may warm-start from: the URI of a previous trial's <see cref="TrialOutputs.MlnetModel"/>, the algorithm that
/// trained it, and what it is in words (e.g. "version 1 of churn"), resolved by the app from the registry's lineage.
/// </summary>
public sealed record TrialWarmStart(string ModelUri, string Algorithm, string From);
