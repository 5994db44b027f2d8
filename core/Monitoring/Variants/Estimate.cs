namespace Serverless.Core.Monitoring.Variants;

/// <summary>A figure with its 95 % confidence interval [<paramref name="Low"/>, <paramref name="High"/>]. Immutable.</summary>
public sealed record Estimate(double Value, double Low, double High);

/// <summary>
/// A two-sample comparison: <paramref name="Difference"/> = first − second (challenger − champion) with its 95 %
/// confidence interval, the test statistic (null when it is undefined: both samples without spread), the degrees of
/// freedom (Welch only) and the two-sided p-value. Immutable.
/// </summary>
public sealed record DifferenceTest(string Method, double Difference, double Low, double High, double? Statistic, double? DegreesOfFreedom, double PValue);
