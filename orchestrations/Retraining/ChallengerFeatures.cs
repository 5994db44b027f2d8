using Serverless.Core.Errors;
using Serverless.Core.Storage;

namespace Serverless.Orchestrations.Retraining;

/// <summary>
/// A challenger is shadowed and judged on the champion's own requests, so it must take exactly the champion's features:
/// a sweep template that lists fewer (the records API refuses the extra ones) or more (the requests lack them) would
/// train a model that cannot serve that traffic, and the run would only wait out its judging time. Pure; thread-safe.
/// </summary>
public static class ChallengerFeatures
{
    private const int Shown = 10;

    /// <summary>Throws BadRequest naming the difference when the template lists features other than the champion's; nothing to check when either is unknown.</summary>
    public static void Check(IReadOnlyList<string>? listed, IReadOnlyList<string>? champion, string championVersion)
    {
        if (listed is null || champion is null)
        {
            return;
        }

        var missing = champion.Except(listed, StringComparer.Ordinal).ToList();
        var extra = listed.Except(champion, StringComparer.Ordinal).ToList();
        if (missing.Count == 0 && extra.Count == 0)
        {
            return;
        }

        var parts = new List<string>();
        if (missing.Count > 0)
        {
            parts.Add($"leaves out {Names(missing)}");
        }

        if (extra.Count > 0)
        {
            parts.Add($"adds {Names(extra)}");
        }

        throw ServingException.BadRequest(
            $"The sweep template's 'features' {string.Join(" and ", parts)} against the champion (version {DataText.Quote(championVersion)}): " +
            "a challenger is shadowed and judged on the champion's requests, so it must take the same features. List them all, or leave 'features' out.");
    }

    private static string Names(List<string> names) =>
        string.Join(", ", names.Take(Shown).Select(DataText.Quote)) + (names.Count > Shown ? $" and {names.Count - Shown} more" : "");
}
