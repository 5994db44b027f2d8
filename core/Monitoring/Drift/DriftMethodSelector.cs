namespace Serverless.Core.Monitoring.Drift;

/// <summary>
/// The default test of a feature, exactly as Evidently's <c>_get_default_stattest</c> chooses it, where n_ref is
/// the number of present reference values (reference rows − missing; Evidently drops NaN/±∞ first) and
/// <c>distinct</c> the number of distinct values in the reference and current values together:
/// <list type="bullet">
/// <item>n_ref ≤ 1000, numeric, distinct &gt; 5 → <see cref="DriftMethod.Ks"/> (drift when p &lt; 0.05);</item>
/// <item>n_ref ≤ 1000, numeric with distinct ≤ 5, or categorical → <see cref="DriftMethod.ChiSquare"/> when
/// distinct &gt; 2, else (two categories, or one) <see cref="DriftMethod.Z"/> (p &lt; 0.05);</item>
/// <item>n_ref &gt; 1000, numeric, distinct &gt; 5 → <see cref="DriftMethod.Wasserstein"/> normalised by the
/// reference σ (drift when ≥ 0.1);</item>
/// <item>n_ref &gt; 1000, categorical, or numeric with distinct ≤ 5 → <see cref="DriftMethod.JensenShannon"/> (≥ 0.1).</item>
/// </list>
/// Pure; thread-safe.
/// </summary>
public static class DriftMethodSelector
{
    /// <summary>Evidently's boundary between "small" (≤) and "large" (&gt;) references.</summary>
    public const long LargeReferenceRows = 1000;

    /// <summary>Numeric features with at most this many distinct values are tested as categories.</summary>
    public const int MaxDistinctForCategoricalTests = 5;

    public static DriftMethod Select(bool numeric, long referenceValues, long distinctValues)
    {
        var fewValues = !numeric || distinctValues <= MaxDistinctForCategoricalTests;
        if (referenceValues <= LargeReferenceRows)
        {
            if (!fewValues)
            {
                return DriftMethod.Ks;
            }

            return distinctValues > 2 ? DriftMethod.ChiSquare : DriftMethod.Z;
        }

        return fewValues ? DriftMethod.JensenShannon : DriftMethod.Wasserstein;
    }
}
