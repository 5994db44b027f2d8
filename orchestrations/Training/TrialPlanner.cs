using System.Globalization;
using System.Text.Json;

namespace Serverless.Orchestrations.Training;

/// <summary>
/// Expands a sweep's searches into trials: grids into every combination (in key order), random searches into
/// draws from a seeded generator. The trials are counted first (<see cref="Count(TrainingSweepRequest)"/>, overflow-safe, allocating
/// nothing per combination), so a grid over the cap is refused before anything is expanded. A pure function of the
/// request and the cap, so orchestrators may call it on replay.
/// </summary>
public static class TrialPlanner
{
    /// <summary>The cap when none is given (<c>Training:MaxTrialsPerSweep</c>'s default).</summary>
    public const int DefaultMaxTrials = 200;

    /// <summary>
    /// How many trials the request plans: the product of each grid's value counts, each random search's draws, one
    /// for a search with neither; saturates at <see cref="long.MaxValue"/> instead of overflowing.
    /// </summary>
    public static long Count(TrainingSweepRequest request)
    {
        long total = 0;
        foreach (var search in request.Algorithms)
        {
            total = SaturatingAdd(total, Count(search));
        }

        return total;
    }

    /// <summary>The trials, numbered t001, t002, ...; ArgumentException (before expanding anything) when there would be more than <paramref name="maxTrials"/>.</summary>
    public static IReadOnlyList<TrialPlan> Plan(TrainingSweepRequest request, int maxTrials = DefaultMaxTrials)
    {
        var count = Count(request);
        if (count > maxTrials)
        {
            throw new ArgumentException(count == long.MaxValue
                ? $"The sweep would run more than {long.MaxValue} trials; at most {maxTrials} are allowed."
                : $"The sweep would run {count} trials; at most {maxTrials} are allowed.");
        }

        var trials = new List<TrialPlan>((int)count);
        foreach (var search in request.Algorithms)
        {
            foreach (var parameters in Expand(search, request.Seed))
            {
                trials.Add(new TrialPlan($"t{trials.Count + 1:D3}", search.Name, parameters));
            }
        }

        return trials;
    }

    private static long Count(AlgorithmSearch search)
    {
        if (search.Grid is { Count: > 0 } grid)
        {
            long product = 1;
            foreach (var values in grid.Values)
            {
                var n = values?.Count ?? 0;
                if (n == 0)
                {
                    return 0;
                }

                product = product > long.MaxValue / n ? long.MaxValue : product * n;
            }

            return product;
        }

        return search.Random is { } random ? Math.Max(0, random.Trials) : 1;
    }

    private static long SaturatingAdd(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;

    private static IEnumerable<IReadOnlyDictionary<string, JsonElement>> Expand(AlgorithmSearch search, int sweepSeed)
    {
        if (search.Grid is { Count: > 0 } grid)
        {
            IEnumerable<Dictionary<string, JsonElement>> combinations = [new Dictionary<string, JsonElement>(StringComparer.Ordinal)];
            foreach (var (name, values) in grid.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                combinations = combinations.SelectMany(c => values.Select(v => new Dictionary<string, JsonElement>(c, StringComparer.Ordinal) { [name] = v })).ToList();
            }

            return combinations;
        }

        if (search.Random is { } random)
        {
            var generator = new Random(random.Seed ?? sweepSeed);
            return Enumerable.Range(0, random.Trials)
                .Select(_ => (IReadOnlyDictionary<string, JsonElement>)random.Space.OrderBy(p => p.Key, StringComparer.Ordinal)
                    .ToDictionary(p => p.Key, p => Draw(p.Value, generator), StringComparer.Ordinal))
                .ToList();
        }

        return [new Dictionary<string, JsonElement>()];
    }

    private static JsonElement Draw(ParameterRange range, Random generator)
    {
        if (range.Values is { Count: > 0 } values)
        {
            return values[generator.Next(values.Count)];
        }

        var (min, max) = (range.Min ?? 0, range.Max ?? 1);
        var unit = generator.NextDouble();
        var value = range.Log ? Math.Exp(Math.Log(min) + (unit * (Math.Log(max) - Math.Log(min)))) : min + (unit * (max - min));
        var text = range.Integer
            ? Math.Round(value).ToString(CultureInfo.InvariantCulture)
            : Math.Round(value, 6, MidpointRounding.AwayFromZero).ToString("R", CultureInfo.InvariantCulture);
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
