using System.ComponentModel.DataAnnotations;

namespace Serverless.Core.Training.Tracking;

/// <summary>The MLflow REST API's settings (section <c>Mlflow</c>).</summary>
public sealed class MlflowOptions
{
    public const string SectionName = "Mlflow";

    /// <summary>Largest artifact one upload may store, in bytes (default 100 MiB, Azure Functions' own request limit).</summary>
    [Range(1, long.MaxValue)]
    public long MaxArtifactBytes { get; set; } = 100L * 1024 * 1024;
}
