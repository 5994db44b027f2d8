namespace Serverless.Core.Training;

/// <summary>
/// The one ordering of a sweep's trials: those that succeeded and measured the sweep's metric, best first (higher or
/// lower as <see cref="MetricNames.HigherIsBetter"/> says), ties broken by trial id (ordinal), so the orchestration that
/// picks the winner and the API that shows the leaderboard always agree. Pure; thread-safe.
/// </summary>
public static class Leaderboard
{
    /// <summary>Ranks <paramref name="trials"/> of any shape: the selectors say whether a trial succeeded, its id and its metrics.</summary>
    public static IReadOnlyList<T> Rank<T>(IEnumerable<T> trials, string metric, Func<T, bool> succeeded, Func<T, string> trialId,
        Func<T, IReadOnlyDictionary<string, double>> metrics)
    {
        var ranked = trials.Where(t => succeeded(t) && metrics(t).ContainsKey(metric));
        return (MetricNames.HigherIsBetter(metric)
                ? ranked.OrderByDescending(t => metrics(t)[metric])
                : ranked.OrderBy(t => metrics(t)[metric]))
            .ThenBy(trialId, StringComparer.Ordinal)
            .ToList();
    }
}
