using Serverless.Core.Registry.Mlflow;

namespace Serverless.Functions.Mlflow;

/// <summary>One of a registered model's aliases and the version it points at (a traffic split's primary).</summary>
public sealed record MlflowRegisteredModelAlias(string Alias, string Version);

/// <summary>
/// MLflow's ModelVersion: always <c>current_stage</c> "None" (stages are not kept; aliases replace them) and <c>status</c> "READY" (a version is
/// validated and stored before the answer). <c>source</c>, <c>run_id</c> and <c>user_id</c> are absent for versions registered through the app's API.
/// </summary>
public sealed record MlflowModelVersion(string Name, string Version, long CreationTimestamp, long LastUpdatedTimestamp, string? UserId, string CurrentStage,
    string? Description, string? Source, string? RunId, string Status, string? RunLink, IReadOnlyList<MlflowKeyValue> Tags, IReadOnlyList<string> Aliases)
{
    public static MlflowModelVersion From(ModelVersionView v) => new(v.Name, v.Version, v.CreationTimestamp, v.LastUpdatedTimestamp, v.UserId,
        MlflowModelRegistry.NoStage, v.Description, v.Source, v.RunId, "READY", v.RunLink, TagList(v.Tags), v.Aliases);

    internal static IReadOnlyList<MlflowKeyValue> TagList(IReadOnlyDictionary<string, string> tags) =>
        [.. tags.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => new MlflowKeyValue(t.Key, t.Value))];
}

/// <summary>MLflow's RegisteredModel: the latest version (MLflow's latest per stage, and every version is in stage "None"), tags and aliases.</summary>
public sealed record MlflowRegisteredModel(string Name, long CreationTimestamp, long LastUpdatedTimestamp, string? Description,
    IReadOnlyList<MlflowModelVersion> LatestVersions, IReadOnlyList<MlflowKeyValue> Tags, IReadOnlyList<MlflowRegisteredModelAlias> Aliases)
{
    public static MlflowRegisteredModel From(RegisteredModelView m) => new(m.Name, m.CreationTimestamp, m.LastUpdatedTimestamp, m.Description,
        [.. m.LatestVersions.Select(MlflowModelVersion.From)], MlflowModelVersion.TagList(m.Tags),
        [.. m.Aliases.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => new MlflowRegisteredModelAlias(a.Key, a.Value))]);
}

public sealed record MlflowCreateRegisteredModelRequest(string? Name, IReadOnlyList<MlflowKeyValue>? Tags, string? Description);

public sealed record MlflowRegisteredModelNameRequest(string? Name);

public sealed record MlflowUpdateRegisteredModelRequest(string? Name, string? Description);

public sealed record MlflowSearchRegistryRequest(string? Filter, long? MaxResults, IReadOnlyList<string>? OrderBy, string? PageToken);

public sealed record MlflowRegisteredModelTagRequest(string? Name, string? Key, string? Value);

public sealed record MlflowGetLatestVersionsRequest(string? Name, IReadOnlyList<string>? Stages);

public sealed record MlflowCreateModelVersionRequest(string? Name, string? Source, string? RunId, IReadOnlyList<MlflowKeyValue>? Tags, string? RunLink,
    string? Description);

public sealed record MlflowModelVersionRequest(string? Name, string? Version);

public sealed record MlflowUpdateModelVersionRequest(string? Name, string? Version, string? Description);

public sealed record MlflowModelVersionTagRequest(string? Name, string? Version, string? Key, string? Value);

public sealed record MlflowAliasRequest(string? Name, string? Alias, string? Version);

public sealed record MlflowRegisteredModelResponse(MlflowRegisteredModel RegisteredModel);

public sealed record MlflowSearchRegisteredModelsResponse(IReadOnlyList<MlflowRegisteredModel> RegisteredModels, string? NextPageToken);

public sealed record MlflowModelVersionResponse(MlflowModelVersion ModelVersion);

public sealed record MlflowModelVersionsResponse(IReadOnlyList<MlflowModelVersion> ModelVersions);

public sealed record MlflowSearchModelVersionsResponse(IReadOnlyList<MlflowModelVersion> ModelVersions, string? NextPageToken);

public sealed record MlflowDownloadUriResponse(string ArtifactUri);
