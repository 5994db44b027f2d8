namespace Serverless.Core.Onnx;

/// <summary>
/// Limits a model must fit to be registered: the bytes its session takes (<c>Registry:MaxSessionBytes</c>) and
/// the input elements its warm-up request needs (<c>Serving:MaxWarmupElements</c>). Immutable.
/// </summary>
public sealed record ModelBudgets(long MaxSessionBytes, long MaxWarmupElements)
{
    public const string SessionBytesSetting = "Registry:MaxSessionBytes";
    public const string WarmupElementsSetting = "Serving:MaxWarmupElements";

    /// <summary>No limits (tests and tools that only read a signature).</summary>
    public static ModelBudgets Unlimited { get; } = new(long.MaxValue, long.MaxValue);
}
