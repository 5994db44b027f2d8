using System.Globalization;
using System.Text.Json;

namespace Serverless.Orchestrations.Training;

/// <summary>
/// Expands a sweep's searches into trials: grids into every combination (in key order), random searches into
/// draws from a seeded generator. A pure function of the request, so orchestrators may call it on replay.
/// </summary>
public static class TrialPlanner
{
    public const int MaxTrials = 200;

    public static IReadOnlyList<TrialPlan> Plan(TrainingSweepRequest request)
    {
        var trials = new List<TrialPlan>();
        foreach (var search in request.Algorithms)
        {
            foreach (var parameters in Expand(search, request.Seed))
            {
                trials.Add(new TrialPlan($"t{trials.Count + 1:D3}", search.Name, parameters));
            }
        }

        return trials.Count > MaxTrials
            ? throw new ArgumentException($"The sweep would run {trials.Count} trials; at most {MaxTrials} are allowed.")
            : trials;
    }

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
