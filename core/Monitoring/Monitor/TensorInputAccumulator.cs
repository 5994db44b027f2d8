using System.Text.Json;
using Serverless.Core.Monitoring.Logging;

namespace Serverless.Core.Monitoring.Monitor;

/// <summary>
/// Per input, the window's non-tabular tensors (images, sequences: requests the log summarised rather than copied per
/// row, whose features are <c>{input}.shape</c>, <c>.dtype</c>, <c>.count</c>, <c>.mean</c>, <c>.std</c>, <c>.nan</c>,
/// <c>.inf</c>; see <see cref="InferenceLogRecord"/>) pooled over the requests: elements, mean and standard deviation
/// of the finite elements, NaN and infinity rates, and the mix of shapes and datatypes. Constant memory: at most
/// <see cref="MaxInputs"/> inputs and <see cref="MaxShapes"/> shapes or datatypes each (the rest counted together).
/// Records logged before <c>.std</c>, <c>.nan</c> and <c>.inf</c> existed count their elements as finite with no spread.
/// Not thread-safe.
/// </summary>
public sealed class TensorInputAccumulator
{
    public const int MaxInputs = 16;
    public const int MaxShapes = 10;
    private const string ShapeSuffix = ".shape";

    private readonly Dictionary<string, Input> _inputs = new(StringComparer.Ordinal);

    /// <summary>A served record; those that are not tensor summaries are ignored.</summary>
    public void Add(InferenceLogRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var features = record.Features;
        foreach (var first in features.Keys)
        {
            if (!first.EndsWith(ShapeSuffix, StringComparison.Ordinal))
            {
                return; // Rows (tabular or row-aligned tensors) start with a feature, summaries with an input's shape.
            }

            break;
        }

        foreach (var (name, shape) in features)
        {
            if (!name.EndsWith(ShapeSuffix, StringComparison.Ordinal))
            {
                continue;
            }

            var inputName = name[..^ShapeSuffix.Length];
            if (!_inputs.TryGetValue(inputName, out var input))
            {
                if (_inputs.Count >= MaxInputs)
                {
                    continue;
                }

                input = new Input();
                _inputs[inputName] = input;
            }

            input.Add(features, inputName, shape);
        }
    }

    public IReadOnlyList<TensorInputSummary> Build() =>
        _inputs.OrderBy(i => i.Key, StringComparer.Ordinal).Select(i => i.Value.Build(i.Key)).ToList();

    private static double Number(IReadOnlyDictionary<string, JsonElement> features, string name) =>
        features.TryGetValue(name, out var value) && WindowColumns.Number(value) is { } number ? number : 0;

    private sealed class Input
    {
        private readonly Dictionary<string, long> _shapes = new(StringComparer.Ordinal);
        private readonly Dictionary<string, long> _datatypes = new(StringComparer.Ordinal);
        private long _requests;
        private double _elements;
        private double _finite;
        private double _sum;
        private double _squares;
        private double _nan;
        private double _infinite;
        private long _otherShapes;

        public void Add(IReadOnlyDictionary<string, JsonElement> features, string input, JsonElement shape)
        {
            _requests++;
            _otherShapes += Count(_shapes, WindowColumns.Text(shape));
            Count(_datatypes, features.TryGetValue(input + ".dtype", out var dtype) ? WindowColumns.Text(dtype) : null);
            var count = Number(features, input + ".count");
            var nan = Number(features, input + ".nan");
            var infinite = Number(features, input + ".inf");
            _elements += count;
            _nan += nan;
            _infinite += infinite;
            if (features.TryGetValue(input + ".mean", out var meanValue) && WindowColumns.Number(meanValue) is { } mean)
            {
                var finite = Math.Max(0, count - nan - infinite);
                var std = Number(features, input + ".std");
                _finite += finite;
                _sum += finite * mean;
                _squares += finite * ((std * std) + (mean * mean));
            }
        }

        public TensorInputSummary Build(string name)
        {
            double? mean = _finite > 0 ? _sum / _finite : null;
            double? std = mean is { } m ? Math.Sqrt(Math.Max(0, (_squares / _finite) - (m * m))) : null;
            return new TensorInputSummary(name, _requests, (long)_elements, mean, std, _elements > 0 ? _nan / _elements : 0,
                _elements > 0 ? _infinite / _elements : 0, Sorted(_shapes), _otherShapes, Sorted(_datatypes));
        }

        /// <summary>Counts a shape or datatype while there is room; 1 when it had to be left out.</summary>
        private static long Count(Dictionary<string, long> counts, string? value)
        {
            if (value is null)
            {
                return 0;
            }

            var key = CategoryKeys.Key(value);
            if (counts.TryGetValue(key, out var count))
            {
                counts[key] = count + 1;
                return 0;
            }

            if (counts.Count >= MaxShapes)
            {
                return 1;
            }

            counts[key] = 1;
            return 0;
        }

        private static IReadOnlyDictionary<string, long> Sorted(Dictionary<string, long> counts) =>
            counts.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal).ToDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal);
    }
}

/// <summary>
/// One non-tabular input over the window: requests that carried it, elements in all, mean and population standard
/// deviation of the finite elements, NaN and infinity rates (of all elements), and the shapes (e.g. <c>[1,3,224,224]</c>,
/// most frequent first; <see cref="OtherShapes"/> requests had further ones) and datatypes seen. Immutable.
/// </summary>
public sealed record TensorInputSummary(
    string Input,
    long Requests,
    long Values,
    double? Mean,
    double? StdDev,
    double NanRate,
    double InfRate,
    IReadOnlyDictionary<string, long> Shapes,
    long OtherShapes,
    IReadOnlyDictionary<string, long> Datatypes);
