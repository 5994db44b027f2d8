using Serverless.Core.Monitoring.Drift.Statistics;

namespace Serverless.Core.Monitoring.Drift;

/// <summary>A test's raw outcome for one feature, before thresholds and correction.</summary>
internal readonly record struct FeatureOutcome(double Statistic, double? PValue, double EffectSize);

/// <summary>Runs one <see cref="DriftMethod"/> on a reference / current column pair (both non-empty, same type). Pure; thread-safe.</summary>
internal static class FeatureTester
{
    public static FeatureOutcome Run(DriftMethod method, DriftColumn reference, DriftColumn current, DriftOptions options)
    {
        switch (method)
        {
            case DriftMethod.Ks:
            {
                var (r, c) = Numbers(reference, current, method);
                var ks = KolmogorovSmirnov.TwoSample(r.Values, c.Values);
                return new FeatureOutcome(ks.Statistic, ks.PValue, ks.Statistic);
            }

            case DriftMethod.Wasserstein:
            {
                var (r, c) = Numbers(reference, current, method);
                var norm = Math.Max(r.ReferenceStdDev ?? Wasserstein.PopulationStdDev(r.Values), Wasserstein.MinimumNorm);
                var distance = Wasserstein.Distance(r.Values, c.Values) / norm;
                return new FeatureOutcome(distance, null, distance);
            }

            case DriftMethod.ChiSquare:
            {
                var frequencies = FrequenciesOf(reference, current);
                var test = ChiSquareTest.Evidently(frequencies.Reference, frequencies.Current);
                return new FeatureOutcome(test.Statistic, test.PValue, CramersV.Compute(frequencies.Reference, frequencies.Current));
            }

            case DriftMethod.Z:
            {
                var frequencies = FrequenciesOf(reference, current);
                long referenceTotal = frequencies.Reference.Sum(), currentTotal = frequencies.Current.Sum();
                var referenceOthers = referenceTotal - frequencies.Reference[0];
                var currentOthers = currentTotal - frequencies.Current[0];
                var test = ProportionsZTest.Evidently(referenceOthers, referenceTotal, currentOthers, currentTotal);
                return new FeatureOutcome(test.Statistic, test.PValue, ProportionsZTest.CohensH(referenceOthers, referenceTotal, currentOthers, currentTotal));
            }

            case DriftMethod.JensenShannon:
            {
                var (r, c) = Shares(reference, current);
                var distance = JensenShannon.Distance(r, c, options.JensenShannonBase);
                return new FeatureOutcome(distance, null, distance);
            }

            case DriftMethod.Psi:
            {
                var (r, c) = Shares(reference, current);
                var psi = PopulationStabilityIndex.Compute(EvidentlyBinning.FillZeroes(r), EvidentlyBinning.FillZeroes(c));
                return new FeatureOutcome(psi, null, psi);
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(method), method, null);
        }
    }

    /// <summary>Counts aligned on the union of values (numeric values as categories) with the reference's "__other__" pooling.</summary>
    public static Frequencies FrequenciesOf(DriftColumn reference, DriftColumn current) => (reference, current) switch
    {
        (NumericColumn r, NumericColumn c) => Frequencies.FromNumeric(r.Values, c.Values),
        (CategoricalColumn r, CategoricalColumn c) => Frequencies.FromCategorical(r.Counts, c.Counts, CategoricalColumn.OtherCategory),
        _ => throw new ArgumentException($"Feature '{reference.Name}' is {reference.Type} in the reference but {current.Type} in the current data."),
    };

    private static (double[] Reference, double[] Current) Shares(DriftColumn reference, DriftColumn current)
    {
        if (reference is NumericColumn r && current is NumericColumn c)
        {
            return EvidentlyBinning.NumericPercents(r.Values, c.Values);
        }

        var frequencies = FrequenciesOf(reference, current);
        return EvidentlyBinning.Percents(frequencies.Reference, frequencies.Current);
    }

    private static (NumericColumn Reference, NumericColumn Current) Numbers(DriftColumn reference, DriftColumn current, DriftMethod method) =>
        reference is NumericColumn r && current is NumericColumn c
            ? (r, c)
            : throw new ArgumentException($"Method '{method.Name()}' needs numeric values but feature '{reference.Name}' is categorical.");
}
