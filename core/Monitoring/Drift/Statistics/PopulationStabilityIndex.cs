namespace Serverless.Core.Monitoring.Drift.Statistics;

/// <summary>
/// Evidently's <c>psi</c>: Σ (ref% − cur%) · ln(ref% / cur%) over the bins of <see cref="EvidentlyBinning"/>
/// with Evidently's zero filling (<see cref="EvidentlyBinning.FillZeroes"/>): in each sample separately, an empty
/// bin's share becomes min(non-zero share)/10⁶ when that minimum is ≤ 0.0001, else 0.0001. Pure; thread-safe.
/// </summary>
public static class PopulationStabilityIndex
{
    /// <summary>PSI of shares already zero-filled (no zero entries).</summary>
    public static double Compute(IReadOnlyList<double> referencePercents, IReadOnlyList<double> currentPercents)
    {
        if (referencePercents.Count != currentPercents.Count || referencePercents.Count == 0)
        {
            throw new ArgumentException("The two distributions must be aligned and non-empty.");
        }

        var psi = 0.0;
        for (var i = 0; i < referencePercents.Count; i++)
        {
            var r = referencePercents[i];
            var c = currentPercents[i];
            psi += (r - c) * Math.Log(r / c);
        }

        return psi;
    }
}
