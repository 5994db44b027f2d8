namespace Serverless.Core.Models;

/// <summary>A model name with its versions (oldest first) and its aliases (alias → version).</summary>
public sealed record ModelSummary(
    string Name,
    IReadOnlyList<string> Versions,
    IReadOnlyDictionary<string, string> Aliases,
    string? LatestVersion);
