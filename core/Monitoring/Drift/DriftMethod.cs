using System.Text.Json.Serialization;

namespace Serverless.Core.Monitoring.Drift;

/// <summary>
/// A drift test. <see cref="Ks"/>, <see cref="ChiSquare"/> and <see cref="Z"/> give p-values (drift when p &lt;
/// threshold, default 0.05); <see cref="Wasserstein"/>, <see cref="JensenShannon"/> and <see cref="Psi"/> give
/// distances (drift when distance ≥ threshold, default 0.1). JSON and report names: <c>ks</c>, <c>chisquare</c>,
/// <c>z</c>, <c>wasserstein</c>, <c>jensenshannon</c>, <c>psi</c>.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<DriftMethod>))]
public enum DriftMethod
{
    /// <summary>Two-sample Kolmogorov–Smirnov (numeric only).</summary>
    [JsonStringEnumMemberName("ks")]
    Ks,

    /// <summary>Evidently's chi-square goodness of fit of the current counts to the reference proportions.</summary>
    [JsonStringEnumMemberName("chisquare")]
    ChiSquare,

    /// <summary>Evidently's two-proportion z-test (first category vs the rest).</summary>
    [JsonStringEnumMemberName("z")]
    Z,

    /// <summary>Wasserstein distance divided by max(reference σ, 0.001) (numeric only).</summary>
    [JsonStringEnumMemberName("wasserstein")]
    Wasserstein,

    /// <summary>Jensen–Shannon distance of the binned shares.</summary>
    [JsonStringEnumMemberName("jensenshannon")]
    JensenShannon,

    /// <summary>Population stability index of the binned shares.</summary>
    [JsonStringEnumMemberName("psi")]
    Psi,
}

/// <summary>Names, kinds and default thresholds of <see cref="DriftMethod"/>s. Thread-safe.</summary>
public static class DriftMethods
{
    public const double DefaultPValueThreshold = 0.05;
    public const double DefaultDistanceThreshold = 0.1;

    /// <summary>The report name: <c>ks</c>, <c>chisquare</c>, <c>z</c>, <c>wasserstein</c>, <c>jensenshannon</c> or <c>psi</c>.</summary>
    public static string Name(this DriftMethod method) => method switch
    {
        DriftMethod.Ks => "ks",
        DriftMethod.ChiSquare => "chisquare",
        DriftMethod.Z => "z",
        DriftMethod.Wasserstein => "wasserstein",
        DriftMethod.JensenShannon => "jensenshannon",
        DriftMethod.Psi => "psi",
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, null),
    };

    /// <summary>Parses a report name (case-insensitive); null when unknown.</summary>
    public static DriftMethod? Parse(string name) =>
        Enum.GetValues<DriftMethod>().Cast<DriftMethod?>().FirstOrDefault(m => string.Equals(m!.Value.Name(), name, StringComparison.OrdinalIgnoreCase));

    /// <summary>True for the tests that give a p-value (drift when p &lt; threshold).</summary>
    public static bool HasPValue(this DriftMethod method) => method is DriftMethod.Ks or DriftMethod.ChiSquare or DriftMethod.Z;

    public static double DefaultThreshold(this DriftMethod method) => method.HasPValue() ? DefaultPValueThreshold : DefaultDistanceThreshold;

    /// <summary>False for the tests that need numbers (<see cref="DriftMethod.Ks"/>, <see cref="DriftMethod.Wasserstein"/>).</summary>
    public static bool AppliesToCategorical(this DriftMethod method) => method is not (DriftMethod.Ks or DriftMethod.Wasserstein);
}
