using Serverless.Core.Models;
using Serverless.Core.Monitoring.Monitor;
using Serverless.Core.Registry;
using Serverless.Core.Training;

namespace Serverless.Core.Monitoring.Variants;

/// <summary>An alias to compare: where it sends traffic now, and versions it sent traffic to earlier in the window (from its history).</summary>
public sealed record AliasVariants(string Alias, AliasTraffic Traffic, IReadOnlyCollection<string> Former);

/// <summary>What a version's window gives a comparison: its service figures (mirror copies left out) and its labelled rows (null without a manifest).</summary>
public sealed record VariantWindow(ServiceHealth Service, VariantOutcomes? Outcomes);

/// <summary>
/// Assembles <see cref="VariantsReport"/>: for each alias that splits traffic (<see cref="AliasTraffic.IsSplit"/>, a
/// version at weight 0 included) or that moved off versions during the window, the versions side by side: those with
/// weight now, and those at weight 0 or gone from the alias that still answered requests in the window. The champion is
/// the alias's <see cref="AliasTraffic.Primary"/>; with several aliases each gets its own comparison and champion, so a
/// version may be a challenger in one and the champion in another. Each challenger is tested against the champion on
/// the error rate (two-proportion z-test; both need at least <c>minimumRequests</c> requests) and on the live metric
/// (accuracy: two-proportion z-test; MAE: Welch's t-test on the absolute errors; both need at least
/// <c>minimumLabelled</c> labelled rows), with verdicts at α = 0.05 (<see cref="Verdicts"/>). Null when there is
/// nothing to compare and no mirror. Pure; thread-safe.
/// </summary>
public static class VariantComparer
{
    private static readonly ServiceHealth Idle = new(0, 0, 0, null, null, null);

    public static VariantsReport? Build(IReadOnlyList<AliasVariants> aliases, IReadOnlyDictionary<string, VariantWindow> windows, IReadOnlyList<MirrorAgreement> mirrors,
        int minimumRequests, int minimumLabelled)
    {
        ArgumentNullException.ThrowIfNull(aliases);
        ArgumentNullException.ThrowIfNull(windows);
        ArgumentNullException.ThrowIfNull(mirrors);
        var comparisons = new List<VariantComparison>();
        foreach (var alias in aliases.OrderBy(a => a.Alias, StringComparer.Ordinal))
        {
            if (Compare(alias, windows, minimumRequests, minimumLabelled) is { } comparison)
            {
                comparisons.Add(comparison);
            }
        }

        return comparisons.Count == 0 && mirrors.Count == 0 ? null : new VariantsReport(comparisons, mirrors);
    }

    private static VariantComparison? Compare(AliasVariants alias, IReadOnlyDictionary<string, VariantWindow> windows, int minimumRequests, int minimumLabelled)
    {
        var champion = alias.Traffic.Primary;
        var weights = alias.Traffic.Shares.ToDictionary(s => s.Version, s => s.Weight, StringComparer.Ordinal);
        var candidates = weights.Keys.Union(alias.Former, StringComparer.Ordinal)
            .Where(v => v == champion || (weights.GetValueOrDefault(v) > 0) || Window(windows, v).Service.Requests > 0)
            .Order(VersionOrder.Instance)
            .ToList();
        if (candidates.Count < 2)
        {
            return null;
        }

        var top = Window(windows, champion);
        var metric = top.Outcomes?.Metric;
        var versions = new List<VariantFigures> { Figures(champion, weights, top, null, minimumRequests, minimumLabelled) };
        versions.AddRange(candidates.Where(v => v != champion).Select(v => Figures(v, weights, Window(windows, v), top, minimumRequests, minimumLabelled)));
        return new VariantComparison(alias.Alias, champion, metric, versions);
    }

    private static VariantWindow Window(IReadOnlyDictionary<string, VariantWindow> windows, string version) =>
        windows.TryGetValue(version, out var window) ? window : new VariantWindow(Idle, null);

    /// <summary>A version's figures; <paramref name="champion"/> null for the champion itself (no tests).</summary>
    private static VariantFigures Figures(string version, Dictionary<string, int> weights, VariantWindow window, VariantWindow? champion, int minimumRequests,
        int minimumLabelled)
    {
        var s = window.Service;
        var outcomes = window.Outcomes;
        return new VariantFigures(
            version,
            weights.TryGetValue(version, out var weight) ? weight : null,
            champion is null ? VariantFigures.ChampionRole : VariantFigures.ChallengerRole,
            s.Requests,
            s.Errors,
            s.Requests == 0 ? null : Proportions.Wilson(s.Errors, s.Requests),
            s.LatencyP50Ms,
            s.LatencyP95Ms,
            s.LatencyP99Ms,
            outcomes?.Rows ?? 0,
            outcomes?.Live(),
            outcomes?.Rmse,
            champion is null ? null : ErrorRateTest(s, champion.Service, minimumRequests),
            champion is null ? null : MetricTest(outcomes, champion.Outcomes, minimumLabelled));
    }

    private static VariantTest ErrorRateTest(ServiceHealth challenger, ServiceHealth champion, int minimumRequests)
    {
        var least = Math.Max(1, minimumRequests);
        if (challenger.Requests < least || champion.Requests < least)
        {
            return new VariantTest(Proportions.ZTest, null, null, null, null, null, null, Verdicts.NotEnoughRows,
                $"the challenger answered {challenger.Requests} and the champion {champion.Requests} request(s); each needs at least {least}");
        }

        return Test(Proportions.Compare(challenger.Errors, challenger.Requests, champion.Errors, champion.Requests), higherIsBetter: false);
    }

    private static VariantTest? MetricTest(VariantOutcomes? challenger, VariantOutcomes? champion, int minimumLabelled)
    {
        if (champion is null)
        {
            return null;
        }

        var method = champion.IsRegression ? WelchTest.Method : Proportions.ZTest;
        if (challenger is null || challenger.Metric != champion.Metric)
        {
            return new VariantTest(method, null, null, null, null, null, null, Verdicts.NotEnoughRows,
                $"the challenger's outcomes cannot be scored on the champion's {champion.Metric} (no manifest, or another task)");
        }

        var least = Math.Max(2, minimumLabelled);
        if (challenger.Rows < least || champion.Rows < least)
        {
            return new VariantTest(method, null, null, null, null, null, null, Verdicts.NotEnoughRows,
                $"not enough labelled rows: the challenger has {challenger.Rows} and the champion {champion.Rows}; each needs at least {least}");
        }

        return Test(challenger.CompareWith(champion), MetricNames.HigherIsBetter(champion.Metric));
    }

    private static VariantTest Test(DifferenceTest test, bool higherIsBetter) =>
        new(test.Method, test.Difference, test.Low, test.High, test.Statistic, test.DegreesOfFreedom, test.PValue, Verdicts.Of(test, higherIsBetter));
}
