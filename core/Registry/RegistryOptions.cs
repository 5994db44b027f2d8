using System.ComponentModel.DataAnnotations;

namespace Serverless.Core.Registry;

/// <summary>Settings of the model registry (configuration section <c>Registry</c>).</summary>
public sealed class RegistryOptions
{
    public const string SectionName = "Registry";

    /// <summary>Blob container that holds model bytes.</summary>
    [Required, RegularExpression("^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$")]
    public string ContainerName { get; set; } = "models";

    /// <summary>Table that holds one entity per version and per alias.</summary>
    [Required, RegularExpression("^[A-Za-z][A-Za-z0-9]{2,62}$")]
    public string TableName { get; set; } = "modelregistry";

    /// <summary>Largest model accepted by registration, in bytes (Azure Functions' own HTTP limit is 100 MiB).</summary>
    [Range(1, long.MaxValue)]
    public long MaxModelBytes { get; set; } = 100L * 1024 * 1024;
}
