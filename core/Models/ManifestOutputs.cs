namespace Serverless.Core.Models;

/// <summary>
/// The manifest's <c>outputs</c>: which model outputs hold the label, the class probabilities and (regression)
/// the predicted value. <see cref="Value"/> is a synonym of <see cref="Score"/>; give one of them. Immutable.
/// </summary>
public sealed record ManifestOutputs(string? Label = null, string? Probability = null, string? Score = null, string? Value = null)
{
    /// <summary>The output holding the regression value: <see cref="Score"/>, else <see cref="Value"/>.</summary>
    public string? RegressionOutput => Score ?? Value;
}
