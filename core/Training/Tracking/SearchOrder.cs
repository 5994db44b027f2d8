using Serverless.Core.Errors;

namespace Serverless.Core.Training.Tracking;

/// <summary>
/// Sorts search results by MLflow's order_by entries, then by the search's own tie-breakers: numbers by value (NaN after every
/// number), text ordinally, and an entity without the key after every entity with it, whichever the direction. Pure; thread-safe.
/// </summary>
public static class SearchOrder
{
    public const int MaxEntries = 10;

    public static List<T> Sort<T>(IEnumerable<T> items, IReadOnlyList<string>? orderBy, SearchTarget target, Func<T, SearchKey, object?> lookup,
        IReadOnlyList<(SearchKey Key, bool Ascending)> tieBreakers)
    {
        if (orderBy?.Count > MaxEntries)
        {
            throw ServingException.BadRequest($"'order_by' may hold at most {MaxEntries} entries (was {orderBy.Count}).");
        }

        var keys = (orderBy ?? []).Select(o => SearchFilter.ParseOrderBy(o, target)).ToList();
        keys.AddRange(tieBreakers.Where(t => !keys.Any(k => k.Key == t.Key)));
        var list = items.ToList();
        list.Sort((a, b) =>
        {
            foreach (var (key, ascending) in keys)
            {
                var order = Compare(lookup(a, key), lookup(b, key), ascending);
                if (order != 0)
                {
                    return order;
                }
            }

            return 0;
        });
        return list;
    }

    private static int Compare(object? a, object? b, bool ascending)
    {
        if (a is null || b is null)
        {
            return a is null ? (b is null ? 0 : 1) : -1;
        }

        var order = (a, b) switch
        {
            (double x, double y) => double.IsNaN(x) || double.IsNaN(y) ? double.IsNaN(x).CompareTo(double.IsNaN(y)) : x.CompareTo(y),
            (string x, string y) => string.CompareOrdinal(x, y),
            _ => 0,
        };
        return ascending ? order : -order;
    }
}
