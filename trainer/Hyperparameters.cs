using System.Globalization;
using System.Text.Json;

namespace Serverless.Trainer;

/// <summary>
/// The spec's hyperparameters checked against the algorithm's known names (an unknown name fails the trial,
/// listing the known ones) and read as typed values: JSON numbers, or strings holding numbers. Immutable.
/// </summary>
public sealed class Hyperparameters
{
    private readonly IReadOnlyDictionary<string, JsonElement> _values;

    private Hyperparameters(IReadOnlyDictionary<string, JsonElement> values)
    {
        _values = values;
    }

    /// <summary>Checks every name against <see cref="Algorithms.KnownHyperparameters"/>; throws <see cref="TrialException"/> for an unknown one.</summary>
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

        return new Hyperparameters(values);
    }

    /// <summary>A whole number of at least <paramref name="minimum"/>, or null when absent. Several names are aliases (give one).</summary>
    public int? Integer(int minimum, params string[] names)
    {
        if (Find(names) is not { } found)
        {
            return null;
        }

        var value = Number(found.Name, found.Value);
        return value >= minimum && value <= int.MaxValue && Math.Floor(value) == value
            ? (int)value
            : throw new TrialException($"Hyperparameter '{found.Name}' must be a whole number of at least {minimum}; got {found.Value.GetRawText()}.");
    }

    /// <summary>A number in (<paramref name="exclusiveMinimum"/>, <paramref name="maximum"/>], or null when absent.</summary>
    public double? Real(string name, double exclusiveMinimum, double maximum = double.MaxValue, bool allowMinimum = false)
    {
        if (!_values.TryGetValue(name, out var element))
        {
            return null;
        }

        var value = Number(name, element);
        var aboveMinimum = allowMinimum ? value >= exclusiveMinimum : value > exclusiveMinimum;
        return aboveMinimum && value <= maximum
            ? value
            : throw new TrialException(
                $"Hyperparameter '{name}' must be {(allowMinimum ? "at least" : "greater than")} {exclusiveMinimum.ToString(CultureInfo.InvariantCulture)}" +
                (maximum < double.MaxValue ? $" and at most {maximum.ToString(CultureInfo.InvariantCulture)}" : "") + $"; got {element.GetRawText()}.");
    }

    private (string Name, JsonElement Value)? Find(string[] names)
    {
        var given = names.Where(_values.ContainsKey).ToList();
        return given.Count switch
        {
            0 => null,
            1 => (given[0], _values[given[0]]),
            _ => throw new TrialException($"Hyperparameters {string.Join(" and ", given.Select(g => $"'{g}'"))} mean the same; give one of them."),
        };
    }

    private static double Number(string name, JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Number && element.TryGetDouble(out var number) && double.IsFinite(number))
        {
            return number;
        }

        if (element.ValueKind == JsonValueKind.String
            && double.TryParse(element.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) && double.IsFinite(parsed))
        {
            return parsed;
        }

        throw new TrialException($"Hyperparameter '{name}' must be a number; got {element.GetRawText()}.");
    }
}
