namespace Serverless.Core.Registry.Mlflow;

/// <summary>
/// A registered model as MLflow shows it: the app's model of that name (its versions, aliases) with the MLflow metadata kept beside it.
/// Times are Unix epoch milliseconds; <see cref="Aliases"/> maps each alias to the version it points at (a split's primary). Immutable.
/// </summary>
public sealed record RegisteredModelView(
    string Name,
    long CreationTimestamp,
    long LastUpdatedTimestamp,
    string? Description,
    IReadOnlyDictionary<string, string> Tags,
    IReadOnlyList<ModelVersionView> LatestVersions,
    IReadOnlyDictionary<string, string> Aliases);

/// <summary>
/// A model version as MLflow shows it: one version of the app's registry, with the source, run, tags and description MLflow gave it
/// (null for a version registered through the app's own API). Immutable.
/// </summary>
public sealed record ModelVersionView(
    string Name,
    string Version,
    long CreationTimestamp,
    long LastUpdatedTimestamp,
    string? UserId,
    string? Description,
    string? Source,
    string? RunId,
    string? RunLink,
    IReadOnlyDictionary<string, string> Tags,
    IReadOnlyList<string> Aliases);

/// <summary>What a create-model-version request asks for; <see cref="UserId"/> is who asked (the caller's identity).</summary>
public sealed record ModelVersionRequest(
    string? Name,
    string? Source,
    string? RunId,
    string? RunLink,
    string? Description,
    IReadOnlyList<KeyValuePair<string, string>> Tags,
    string? UserId);

/// <summary>The ONNX model a version's source names, read from the run's artifacts, with the app's manifest when the directory holds one.</summary>
public sealed record ResolvedModelSource(string RunId, string ArtifactPath, byte[] Model, byte[]? Manifest);
