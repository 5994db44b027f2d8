using System.ComponentModel.DataAnnotations;

namespace Serverless.Core.Serving;

/// <summary>Settings of online serving (configuration section <c>Serving</c>).</summary>
public sealed class ServingOptions
{
    public const string SectionName = "Serving";

    /// <summary>The default of <see cref="MaxWarmupElements"/>.</summary>
    public const long DefaultMaxWarmupElements = 1_000_000;

    /// <summary>The largest <see cref="MaxRequestBodyBytes"/> accepted: 100 MiB, the Azure Functions host's own request limit.</summary>
    public const long MaxRequestBodyBytesCeiling = 100L * 1024 * 1024;

    /// <summary>
    /// Largest infer (<c>/infer</c>) and records (<c>/predict</c>) request body, in bytes; larger bodies get 413. At most
    /// 100 MiB (<see cref="MaxRequestBodyBytesCeiling"/>): the Functions host refuses requests over 100 MB itself, so a
    /// larger setting could never take effect in Azure. Bodies are read as they arrive, never pre-allocated from the
    /// client's <c>Content-Length</c>.
    /// </summary>
    [Range(1024L, MaxRequestBodyBytesCeiling)]
    public long MaxRequestBodyBytes { get; set; } = 32L * 1024 * 1024;

    /// <summary>
    /// Threads ONNX Runtime may use inside one Run (0: one per core). The default of 1 suits serverless
    /// instances, where concurrency comes from parallel requests rather than from splitting one request.
    /// </summary>
    [Range(0, 256)]
    public int IntraOpThreads { get; set; } = 1;

    /// <summary>Threads for running independent graph branches in parallel (1: sequential execution).</summary>
    [Range(0, 256)]
    public int InterOpThreads { get; set; } = 1;

    /// <summary>Graph optimisations applied when a session is created.</summary>
    public GraphOptimization GraphOptimizationLevel { get; set; } = GraphOptimization.All;

    /// <summary>Most sessions kept loaded; beyond it the least recently used is evicted.</summary>
    [Range(1, 100_000)]
    public int MaxLoadedSessions { get; set; } = 16;

    /// <summary>Most bytes of sessions kept loaded (each version counts its session size measured at registration, else its file size).</summary>
    [Range(1, long.MaxValue)]
    public long MaxLoadedBytes { get; set; } = 2L * 1024 * 1024 * 1024;

    /// <summary>How long an alias or "latest" resolution is reused before the registry is asked again (0: never cached).</summary>
    [Range(0, 3600)]
    public int ResolutionCacheSeconds { get; set; } = 5;

    /// <summary>Load and warm every version an alias points to at startup, before readiness turns true.</summary>
    public bool WarmAliasesOnStartup { get; set; } = true;

    /// <summary>The alias unversioned routes serve; without it they serve the latest version.</summary>
    [Required, RegularExpression("^[A-Za-z][A-Za-z0-9_.-]{0,62}$")]
    public string DefaultAlias { get; set; } = "production";

    /// <summary>
    /// Most input elements a model's synthetic warm-up request may hold (fixed dimensions multiplied, free ones counted
    /// as 1, summed over inputs). Registration refuses a model over it; a version already registered that is over it
    /// is loaded but not warmed.
    /// </summary>
    [Range(1, long.MaxValue)]
    public long MaxWarmupElements { get; set; } = DefaultMaxWarmupElements;

    /// <summary>
    /// How long a version that failed to load answers with the same error before a request tries loading it again
    /// (0: every request retries).
    /// </summary>
    [Range(0, 3600)]
    public int FailedLoadRetrySeconds { get; set; } = 30;
}

/// <summary>ONNX Runtime graph optimisation levels, by the names used in configuration.</summary>
public enum GraphOptimization
{
    None,
    Basic,
    Extended,
    All,
}
