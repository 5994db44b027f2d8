using System.Text.Json;
using Serverless.Core.Training;

namespace Serverless.Trainer;

/// <summary>
/// The spec's hyperparameters checked against the algorithm's entries in <see cref="HyperparameterCatalog"/> (an
/// unknown name fails the trial, listing the known ones; a value of the wrong type or out of the allowed range fails
/// it naming the range; two names for the same hyperparameter fail it) and read as typed values: JSON numbers, or
/// strings holding numbers. Immutable.
/// </summary>
public sealed class Hyperparameters
{
    private readonly IReadOnlyDictionary<string, JsonElement> _values;

    private Hyperparameters(IReadOnlyDictionary<string, JsonElement> values)
    {
        _values = values;
    }

    /// <summary>Checks every name and value against the catalog; throws <see cref="TrialException"/> for the first problem.</summary>
    public static Hyperparameters For(string algorithm, IReadOnlyDictionary<string, JsonElement>? values)
    {
        values ??= new Dictionary<string, JsonElement>();
        var known = Algorithms.KnownHyperparameters(algorithm);
        var unknown = values.Keys.Where(k => !known.Contains(k, StringComparer.Ordinal)).ToList();
        if (unknown.Count > 0)
        {
            throw new TrialException(
                $"Unknown hyperparameter(s) for {algorithm}: {string.Join(", ", unknown.Select(u => $"'{u}'"))}; " +
                $"{algorithm} knows {string.Join(", ", known)}.");
        }

        if (HyperparameterCatalog.CheckAliases(algorithm, values.Keys) is { } clash)
        {
            throw new TrialException(clash);
        }

        foreach (var (name, value) in values)
        {
            if (HyperparameterCatalog.CheckValue(algorithm, name, value) is { } problem)
            {
                throw new TrialException(problem);
            }
        }

        return new Hyperparameters(values);
    }

    /// <summary>A whole number (checked by <see cref="For"/>), or null when absent. Several names are aliases (one is given).</summary>
    public int? Integer(params string[] names) =>
        names.Where(_values.ContainsKey).Select(n => (int?)Number(_values[n])).FirstOrDefault();

    /// <summary>A number (checked by <see cref="For"/>), or null when absent.</summary>
    public double? Real(string name) => _values.TryGetValue(name, out var element) ? Number(element) : null;

    private static double Number(JsonElement element) =>
        HyperparameterCatalog.TryReadNumber(element, out var number) ? number : throw new TrialException($"Not a number: {element.GetRawText()}.");
}
