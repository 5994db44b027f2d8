using System.ComponentModel.DataAnnotations;
using Serverless.Core.Storage;

namespace Serverless.Core.Registry;

/// <summary>Settings of the model registry (configuration section <c>Registry</c>).</summary>
public sealed class RegistryOptions
{
    public const string SectionName = "Registry";

    /// <summary>Blob container that holds model bytes.</summary>
    [Required, ContainerName]
    public string ContainerName { get; set; } = "models";

    /// <summary>Table that holds one entity per version and per alias.</summary>
    [Required, RegularExpression("^[A-Za-z][A-Za-z0-9]{2,62}$")]
    public string TableName { get; set; } = "modelregistry";

    /// <summary>The most <see cref="MaxModelBytes"/> may be: Azure Functions' own HTTP request limit (100 MB).</summary>
    public const long MaxModelBytesCeiling = 100L * 1024 * 1024;

    /// <summary>Largest model accepted by registration, in bytes (at most <see cref="MaxModelBytesCeiling"/>).</summary>
    [Range(1, MaxModelBytesCeiling)]
    public long MaxModelBytes { get; set; } = MaxModelBytesCeiling;

    /// <summary>
    /// Most memory one model's session may take, in bytes, measured at registration (weights after ONNX Runtime's
    /// constant folding plus tensors its generator nodes allocate); a model over it is refused with 400. The default of
    /// 1 GiB leaves room for the host and requests on the smallest Functions instances (1.5 GB on Consumption) and
    /// lets two such sessions fit <c>Serving:MaxLoadedBytes</c> (2 GiB).
    /// </summary>
    [Range(1024, long.MaxValue)]
    public long MaxSessionBytes { get; set; } = 1L * 1024 * 1024 * 1024;
}
