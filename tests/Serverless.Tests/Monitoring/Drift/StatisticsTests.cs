using Serverless.Core.Monitoring.Drift;
using Serverless.Core.Monitoring.Drift.Statistics;
using static Serverless.Tests.Monitoring.Drift.DriftTestData;

namespace Serverless.Tests.Monitoring.Drift;

/// <summary>Chi-square, z, Wasserstein, Jensen–Shannon, PSI and BH against SciPy / Evidently (reference_values.py).</summary>
public sealed class StatisticsTests
{
    private static readonly Dictionary<string, long> ChiReference = new() { ["a"] = 50, ["b"] = 30, ["c"] = 20 };
    private static readonly Dictionary<string, long> ChiCurrent = new() { ["a"] = 40, ["b"] = 45, ["c"] = 15 };
    private static readonly Dictionary<string, long> JsReference = new() { ["red"] = 500, ["green"] = 300, ["blue"] = 200, ["grey"] = 10 };
    private static readonly Dictionary<string, long> JsCurrent = new() { ["red"] = 300, ["green"] = 300, ["blue"] = 350, ["pink"] = 50 };

    private static double[] WassersteinReference => Normals(71, 2000, 10.0, 2.0);

    private static double[] WassersteinCurrent => Normals(72, 1500, 10.4, 2.0);

    [Fact]
    public void ChiSquare_Categorical_EqualsEvidentlyChiStatTest()
    {
        var f = Frequencies.FromCategorical(ChiReference, ChiCurrent);

        var test = ChiSquareTest.Evidently(f.Reference, f.Current);

        Pinned.Statistic(10.75, test.Statistic);
        Pinned.PValue(0.004630918733533247, test.PValue);
        Pinned.Statistic(0.15532863266952465, CramersV.Compute(f.Reference, f.Current));
    }

    [Fact]
    public void ChiSquare_NumericValuesAsCategories_EqualsEvidentlyChiStatTest()
    {
        var f = Frequencies.FromNumeric(Integers(61, 300, 1, 4), Integers(62, 200, 1, 4));

        var test = ChiSquareTest.Evidently(f.Reference, f.Current);

        Pinned.Statistic(4.044769576415145, test.Statistic);
        Pinned.PValue(0.2566702285460332, test.PValue);
    }

    [Fact]
    public void ChiSquare_CategoryUnseenInReference_IsInfiniteWithPValueZero()
    {
        var f = Frequencies.FromCategorical(new Dictionary<string, long> { ["a"] = 50, ["b"] = 50 }, new Dictionary<string, long> { ["a"] = 40, ["b"] = 50, ["new"] = 10 });

        var test = ChiSquareTest.Evidently(f.Reference, f.Current);

        Assert.Equal(double.PositiveInfinity, test.Statistic);
        Assert.Equal(0, test.PValue);
    }

    [Fact]
    public void ZTest_TwoCategories_EqualsEvidentlyProportionsDiffZTest()
    {
        // First category in sorted order is "no"; the shares compared are those of "yes".
        var test = ProportionsZTest.Evidently(60, 100, 45, 100);

        Pinned.Statistic(2.1239769762143657, test.Statistic);
        Pinned.PValue(0.03367206885634588, test.PValue);
        Pinned.Statistic(0.3015253419518906, ProportionsZTest.CohensH(60, 100, 45, 100));
    }

    [Fact]
    public void ZTest_OneValueInBothSamples_HasPValueOne()
    {
        Assert.Equal(1, ProportionsZTest.Evidently(0, 10, 0, 20).PValue);
    }

    [Fact]
    public void Wasserstein_EqualsScipyAndEvidentlyNormalisation()
    {
        var reference = WassersteinReference;
        var current = WassersteinCurrent;

        Pinned.Statistic(0.3226090835188603, Wasserstein.Distance(reference, current));
        Pinned.Statistic(1.9680873837131103, Wasserstein.PopulationStdDev(reference));
        Pinned.Statistic(0.16392010140840743, Wasserstein.Distance(reference, current) / Wasserstein.PopulationStdDev(reference));
    }

    [Fact]
    public void JensenShannon_Categorical_EqualsScipyJensenshannon()
    {
        var f = Frequencies.FromCategorical(JsReference, JsCurrent);
        var (p, q) = EvidentlyBinning.Percents(f.Reference, f.Current);

        Pinned.Statistic(0.20862904346974698, JensenShannon.Distance(p, q));
        Pinned.Statistic(0.25058901923519544, JensenShannon.Distance(p, q, 2));
    }

    [Fact]
    public void JensenShannon_Numeric_UsesSturgesBinsAboveTwentyDistinctValues()
    {
        var (p, q) = EvidentlyBinning.NumericPercents(WassersteinReference, WassersteinCurrent);
        Pinned.Statistic(0.06920042348697308, JensenShannon.Distance(p, q));

        var (fewP, fewQ) = EvidentlyBinning.NumericPercents(Integers(61, 300, 1, 4), Integers(62, 200, 1, 4));
        Pinned.Statistic(0.04862211946628009, JensenShannon.Distance(fewP, fewQ));
    }

    [Fact]
    public void SturgesEdges_EqualNumpyHistogramBinEdges()
    {
        var edges = EvidentlyBinning.SturgesEdges(WassersteinReference, WassersteinCurrent);

        Assert.Equal(14, edges.Length);
        Pinned.Statistic(4.373927815874168, edges[1]);
    }

    [Fact]
    public void Psi_EqualsEvidentlyPsiWithZeroFilling()
    {
        var (rp, cp) = EvidentlyBinning.NumericPercents(WassersteinReference, WassersteinCurrent);
        Pinned.Statistic(0.03865008690607522, PopulationStabilityIndex.Compute(EvidentlyBinning.FillZeroes(rp), EvidentlyBinning.FillZeroes(cp)));

        var f = Frequencies.FromCategorical(JsReference, JsCurrent);
        var (r, c) = EvidentlyBinning.Percents(f.Reference, f.Current);
        Pinned.Statistic(0.5394344532958364, PopulationStabilityIndex.Compute(EvidentlyBinning.FillZeroes(r), EvidentlyBinning.FillZeroes(c)));
    }

    [Fact]
    public void FillZeroes_UsesAMillionthOfTheSmallestShareOnlyWhenThatIsTiny()
    {
        Assert.Equal([0.5, 0.0001, 0.5], EvidentlyBinning.FillZeroes([0.5, 0, 0.5]));
        Assert.Equal([0.99995, 0.00005, 0.00005 / 1e6], EvidentlyBinning.FillZeroes([0.99995, 0.00005, 0]));
    }

    [Fact]
    public void BenjaminiHochberg_EqualsStepUpAdjustment()
    {
        var adjusted = BenjaminiHochberg.Adjust([0.01, 0.04, 0.03, 0.2, 0.049]);

        double[] expected = [0.05, 0.06125, 0.06125, 0.2, 0.06125];
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], adjusted[i], 12);
        }
    }

    [Theory]
    [InlineData(3.84145882069412, 1, 0.05)]
    [InlineData(10.0, 4, 0.04042768199451279)]
    [InlineData(0.5, 10, 0.999993388289439)]
    public void ChiSquareSurvival_MatchesKnownValues(double statistic, double df, double expected)
    {
        Assert.Equal(expected, SpecialFunctions.ChiSquareSurvival(statistic, df), 10);
    }
}
