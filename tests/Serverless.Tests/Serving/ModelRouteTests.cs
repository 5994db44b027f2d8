using Serverless.Core.Models;
using Serverless.Core.Serving;

namespace Serverless.Tests.Serving;

/// <summary>
/// The split chooser. Bounds are 5.5 standard deviations of the binomial (a two-sided miss has probability about 4e-8), so
/// the random-path tests need no fixed seed; the keyed tests are deterministic (the hash is fixed) and hold the same bounds.
/// </summary>
public sealed class ModelRouteTests
{
    private const double Sigmas = 5.5;

    private static readonly ModelVersion V3 = Version("3");
    private static readonly ModelVersion V4 = Version("4");
    private static readonly ModelVersion V5 = Version("5");

    [Fact]
    public void Choose_ManyKeys_90To10_EachVersionGetsItsShareWithinBinomialBounds()
    {
        var route = ModelRoute.Split([V3, V4], [90, 10], "x-routing-key");
        const int keys = 20_000;

        var toV4 = Enumerable.Range(0, keys).Count(i => route.Choose($"user-{i}") == V4);

        AssertBinomial(toV4, keys, 0.10);
    }

    [Fact]
    public void Choose_SameKey_SameVersionEveryTime_AndOnAnEqualRoute()
    {
        var route = ModelRoute.Split([V3, V4], [50, 50], "x-routing-key");
        var again = ModelRoute.Split([V3, V4], [50, 50], "x-routing-key");

        foreach (var key in Enumerable.Range(0, 500).Select(i => $"k{i}"))
        {
            var first = route.Choose(key);
            Assert.All(Enumerable.Range(0, 5), _ => Assert.Same(first, route.Choose(key)));
            Assert.Same(first, again.Choose(key));
        }
    }

    [Fact]
    public void Choose_TenPointsMove_OnlyAboutTenPercentOfKeysMove_AllTowardTheVersionThatGained()
    {
        var before = ModelRoute.Split([V3, V4], [90, 10], "x-routing-key");
        var after = ModelRoute.Split([V3, V4], [80, 20], "x-routing-key");
        const int keys = 20_000;

        var moved = Enumerable.Range(0, keys).Select(i => $"user-{i}").Where(k => before.Choose(k) != after.Choose(k)).ToList();

        AssertBinomial(moved.Count, keys, 0.10);
        Assert.All(moved, k => Assert.Same(V4, after.Choose(k)));
    }

    [Fact]
    public void Choose_ThreeVersions_TenPointsMove_MovesAtMostAFewPointsMoreThanTheMinimum()
    {
        // With two versions exactly the keys that must move do; with more, a key of the unchanged version can also move to the
        // one that gained (weighted rendezvous), about 13 % of keys here against the minimum 10 %.
        var before = ModelRoute.Split([V3, V4, V5], [60, 30, 10], "x-routing-key");
        var after = ModelRoute.Split([V3, V4, V5], [50, 30, 20], "x-routing-key");
        var keys = Enumerable.Range(0, 10_000).Select(i => $"user-{i}").ToList();

        var moved = keys.Where(k => before.Choose(k) != after.Choose(k)).ToList();

        Assert.InRange(moved.Count, 1_000 - 165, 1_500);
        Assert.All(keys.Where(k => before.Choose(k) == V5), k => Assert.Same(V5, after.Choose(k)));
        AssertBinomial(keys.Count(k => after.Choose(k) == V4), keys.Count, 0.30);
    }

    [Fact]
    public void Choose_ZeroWeight_NeverChosen_ByKeyOrAtRandom()
    {
        var route = ModelRoute.Split([V3, V4], [100, 0], "x-routing-key");

        Assert.All(Enumerable.Range(0, 1000), i => Assert.Same(V3, route.Choose($"k{i}")));
        Assert.All(Enumerable.Range(0, 100), draw => Assert.Same(V3, route.ChooseRandom(draw)));
    }

    [Fact]
    public void Choose_NoKey_RandomByWeight_WithinBinomialBounds()
    {
        var route = ModelRoute.Split([V3, V4], [90, 10], "x-routing-key");
        const int requests = 20_000;

        var toV4 = Enumerable.Range(0, requests).Count(_ => route.Choose(default) == V4);

        AssertBinomial(toV4, requests, 0.10);
    }

    [Fact]
    public void ChooseRandom_DrawsMapThroughCumulativeWeightsInVersionOrder()
    {
        var route = ModelRoute.Split([V3, V4, V5], [60, 30, 10], "x-routing-key");

        Assert.Equal([60, 30, 10], new[] { V3, V4, V5 }.Select(v => Enumerable.Range(0, 100).Count(d => route.ChooseRandom(d) == v)));
    }

    [Fact]
    public void Choose_WarmPath_AllocatesNothing()
    {
        var route = ModelRoute.Split([V3, V4], [90, 10], "x-routing-key");
        var key = "user-42".AsSpan();
        route.Choose(key);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            route.Choose(key);
            route.Choose(default);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Split_OneVersionWithAllTheWeight_IsPrimaryAndNotASplitWhenAlone()
    {
        Assert.False(ModelRoute.Split([V3], [100], "x-routing-key").IsSplit);
        Assert.Same(V4, ModelRoute.Split([V3, V4], [40, 60], "x-routing-key").Primary);
    }

    private static void AssertBinomial(int count, int trials, double p)
    {
        var sd = Math.Sqrt(trials * p * (1 - p));
        var mean = trials * p;
        Assert.InRange(count, mean - (Sigmas * sd), mean + (Sigmas * sd));
    }

    private static ModelVersion Version(string version) =>
        new("m", version, new string('a', 64), 1, DateTimeOffset.UnixEpoch, null, [], [], $"m/{version}/model.onnx");
}
