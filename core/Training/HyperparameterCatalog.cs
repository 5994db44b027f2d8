using System.Globalization;
using System.Text.Json;
using Serverless.Core.Storage;

namespace Serverless.Core.Training;

/// <summary>Whether a hyperparameter takes whole numbers or real numbers.</summary>
public enum HyperparameterKind
{
    Integer,
    Real,
}

/// <summary>
/// One hyperparameter of an algorithm: its spec name, kind and allowed range [<see cref="Minimum"/>,
/// <see cref="Maximum"/>] (the minimum excluded when <see cref="MinimumExclusive"/>). <see cref="SameAs"/> names the
/// hyperparameter it is another name for (give one of them). Immutable.
/// </summary>
public sealed record HyperparameterSpec(string Name, HyperparameterKind Kind, double Minimum, double Maximum, bool MinimumExclusive = false, string? SameAs = null)
{
    /// <summary>True when <paramref name="value"/> is of this kind and in range.</summary>
    public bool Allows(double value) =>
        double.IsFinite(value)
        && (MinimumExclusive ? value > Minimum : value >= Minimum)
        && value <= Maximum
        && (Kind == HyperparameterKind.Real || Math.Floor(value) == value);

    /// <summary>The allowed values in words, e.g. "a whole number from 2 to 1024" or "greater than 0 and at most 1".</summary>
    public string Range => Kind == HyperparameterKind.Integer
        ? string.Create(CultureInfo.InvariantCulture, $"a whole number from {Minimum} to {Maximum}")
        : string.Create(CultureInfo.InvariantCulture, $"{(MinimumExclusive ? "greater than" : "at least")} {Minimum} and at most {Maximum}");
}

/// <summary>
/// The one catalog of the trainers' algorithms, the tasks each trains and their hyperparameters, with types and allowed
/// ranges: the sweep API refuses anything outside it with a 400 before a sweep starts. The built-in trainer (trainer/)
/// checks its spec against the same catalog and builds a trainer only for the pairs it lists; the torch trainer
/// (trainer-torch/) reads the torch algorithms' table from its <c>hyperparameters.json</c>, which a test holds equal to
/// this one. <see cref="TrainerOf"/> says which trainer runs an algorithm. The ranges bound what one trial may cost
/// (trees, leaves, iterations, epochs) as well as what the trainers accept. Immutable; thread-safe.
/// </summary>
public static partial class HyperparameterCatalog
{
    public const string LightGbm = "lightgbm";
    public const string FastTree = "fasttree";
    public const string Lbfgs = "lbfgs";
    public const string Sdca = "sdca";

    public const string Binary = "binary";
    public const string Multiclass = "multiclass";
    public const string Regression = "regression";

    private static readonly HyperparameterSpec NumLeaves = new("num_leaves", HyperparameterKind.Integer, 2, 1024);
    private static readonly HyperparameterSpec LearningRate = new("learning_rate", HyperparameterKind.Real, 0, 1, MinimumExclusive: true);
    private static readonly HyperparameterSpec MinDataInLeaf = new("min_data_in_leaf", HyperparameterKind.Integer, 1, 100_000);
    private static readonly HyperparameterSpec L1 = new("l1_regularization", HyperparameterKind.Real, 0, 10_000);
    private static readonly HyperparameterSpec L2 = new("l2_regularization", HyperparameterKind.Real, 0, 10_000);

    private static readonly Dictionary<string, IReadOnlyList<HyperparameterSpec>> ByAlgorithm = new(StringComparer.Ordinal)
    {
        [LightGbm] =
        [
            NumLeaves,
            LearningRate,
            new("num_iterations", HyperparameterKind.Integer, 1, 10_000),
            new("n_estimators", HyperparameterKind.Integer, 1, 10_000, SameAs: "num_iterations"),
            MinDataInLeaf,
        ],
        [FastTree] = [NumLeaves, new("num_trees", HyperparameterKind.Integer, 1, 10_000), LearningRate, MinDataInLeaf],
        [Lbfgs] = [L1, L2, new("optimization_tolerance", HyperparameterKind.Real, 0, 1, MinimumExclusive: true)],
        [Sdca] = [L1, L2, new("max_iterations", HyperparameterKind.Integer, 1, 10_000)],
        [TorchMlp] = TorchSpecs.Mlp,
        [TorchFtTransformer] = TorchSpecs.FtTransformer,
    };

    /// <summary>
    /// The tasks each algorithm trains, as the trainer maps them onto ML.NET: lightgbm and fasttree (boosted trees) and
    /// sdca (linear) train all three; lbfgs is logistic regression (binary) and maximum entropy (multiclass) only.
    /// </summary>
    private static readonly Dictionary<string, IReadOnlyList<string>> TasksByAlgorithm = new(StringComparer.Ordinal)
    {
        [LightGbm] = [Binary, Multiclass, Regression],
        [FastTree] = [Binary, Multiclass, Regression],
        [Lbfgs] = [Binary, Multiclass],
        [Sdca] = [Binary, Multiclass, Regression],
        [TorchMlp] = [Binary, Multiclass, Regression],
        [TorchFtTransformer] = [Binary, Multiclass, Regression],
    };

    /// <summary>The built-in (ML.NET) trainer's algorithms, in the order messages list them.</summary>
    public static IReadOnlyList<string> BuiltInAlgorithms { get; } = [LightGbm, FastTree, Lbfgs, Sdca];

    /// <summary>Every algorithm of either trainer, in the order messages list them.</summary>
    public static IReadOnlyList<string> Algorithms { get; } = [.. BuiltInAlgorithms, .. TorchAlgorithms];

    /// <summary>The tasks, in the order messages list them.</summary>
    public static IReadOnlyList<string> Tasks { get; } = [Binary, Multiclass, Regression];

    /// <summary>The tasks an algorithm trains; empty for an unknown algorithm.</summary>
    public static IReadOnlyList<string> TasksOf(string algorithm) => TasksByAlgorithm.GetValueOrDefault(algorithm) ?? [];

    /// <summary>The algorithms that train <paramref name="task"/>, in catalog order.</summary>
    public static IReadOnlyList<string> AlgorithmsFor(string task) => Algorithms.Where(a => TasksOf(a).Contains(task, StringComparer.Ordinal)).ToList();

    public static bool Trains(string algorithm, string task) => TasksOf(algorithm).Contains(task, StringComparer.Ordinal);

    /// <summary>
    /// Why <paramref name="algorithm"/> cannot train <paramref name="task"/>, naming the tasks it trains and the algorithms
    /// that train the task; null when it can (or when either is unknown, which is checked on its own).
    /// </summary>
    public static string? CheckTask(string algorithm, string task) =>
        !TasksByAlgorithm.ContainsKey(algorithm) || !Tasks.Contains(task, StringComparer.Ordinal) || Trains(algorithm, task)
            ? null
            : $"{algorithm} does not train {task} tasks (it trains {string.Join(" and ", TasksOf(algorithm))}); " +
              $"for {task} use {string.Join(", ", AlgorithmsFor(task))}.";

    /// <summary>An algorithm's hyperparameters; empty for an unknown algorithm.</summary>
    public static IReadOnlyList<HyperparameterSpec> For(string algorithm) => ByAlgorithm.GetValueOrDefault(algorithm) ?? [];

    /// <summary>The names an algorithm accepts, in catalog order.</summary>
    public static IReadOnlyList<string> Names(string algorithm) => For(algorithm).Select(h => h.Name).ToList();

    public static HyperparameterSpec? Find(string algorithm, string name) => For(algorithm).FirstOrDefault(h => h.Name == name);

    /// <summary>
    /// Why <paramref name="name"/> is not a hyperparameter of <paramref name="algorithm"/>, naming the known ones and the
    /// one it is likely a misspelling of (at most two edits away); null when it is.
    /// </summary>
    public static string? CheckName(string algorithm, string name)
    {
        if (Find(algorithm, name) is not null)
        {
            return null;
        }

        var known = Names(algorithm);
        var closest = known.Select(k => (Name: k, Distance: EditDistance(name, k))).Where(k => k.Distance <= 2).OrderBy(k => k.Distance).FirstOrDefault();
        return $"{algorithm} has no hyperparameter {DataText.Quote(name)}" + (closest.Name is null ? "" : $" (did you mean '{closest.Name}'?)") +
               $"; it knows {string.Join(", ", known)}.";
    }

    /// <summary>Why two of <paramref name="names"/> mean the same hyperparameter; null when none do.</summary>
    public static string? CheckAliases(string algorithm, IEnumerable<string> names)
    {
        var given = names.Select(n => Find(algorithm, n)).OfType<HyperparameterSpec>().ToList();
        var clash = given.GroupBy(h => h.SameAs ?? h.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        return clash is null
            ? null
            : $"{algorithm} hyperparameters {string.Join(" and ", clash.Select(h => $"'{h.Name}'"))} mean the same; give one of them.";
    }

    /// <summary>
    /// Why <paramref name="value"/> is not allowed for the hyperparameter (unknown name, not a number, out of range),
    /// naming the algorithm, the hyperparameter and the allowed range; null when it is allowed. A number may be given
    /// as a JSON number or a string holding one.
    /// </summary>
    public static string? CheckValue(string algorithm, string name, JsonElement value)
    {
        if (CheckName(algorithm, name) is { } unknown)
        {
            return unknown;
        }

        var spec = Find(algorithm, name)!;
        if (!TryReadNumber(value, out var number))
        {
            return spec.Kind == HyperparameterKind.Integer
                ? $"{algorithm} hyperparameter '{name}' must be {spec.Range}; got {Describe(value)}."
                : $"{algorithm} hyperparameter '{name}' must be a number ({spec.Range}); got {Describe(value)}.";
        }

        return spec.Allows(number) ? null : CheckNumber(algorithm, spec, number);
    }

    /// <summary>Why <paramref name="number"/> is outside the hyperparameter's range; null when inside.</summary>
    public static string? CheckNumber(string algorithm, HyperparameterSpec spec, double number) =>
        spec.Allows(number)
            ? null
            : $"{algorithm} hyperparameter '{spec.Name}' must be {spec.Range}; got {number.ToString("R", CultureInfo.InvariantCulture)}.";

    /// <summary>A JSON number, or a string holding a finite number (invariant culture).</summary>
    public static bool TryReadNumber(JsonElement value, out double number)
    {
        number = 0;
        return value.ValueKind switch
        {
            JsonValueKind.Number => value.TryGetDouble(out number) && double.IsFinite(number),
            JsonValueKind.String => double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out number) && double.IsFinite(number),
            _ => false,
        };
    }

    /// <summary>Levenshtein distance of two short names (a name over 64 characters is never a near miss).</summary>
    private static int EditDistance(string a, string b)
    {
        if (a.Length > 64 || b.Length > 64)
        {
            return int.MaxValue;
        }

        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        var current = new int[b.Length + 1];
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1], previous[j]) + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }

    private static string Describe(JsonElement value) => value.ValueKind == JsonValueKind.String ? DataText.Quote(value.GetString()) : DataText.Quote(value.GetRawText());
}
