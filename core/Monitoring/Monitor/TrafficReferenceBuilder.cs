using System.Globalization;
using System.Text.Json;
using Serverless.Core.Baselines;
using Serverless.Core.Models;
using Serverless.Core.Monitoring.Logging;

namespace Serverless.Core.Monitoring.Monitor;

/// <summary>
/// Builds a version's reference from a window of its own traffic (the rows it served; failures are not part of it),
/// in memory bounded whatever the traffic: with a manifest, its features typed as it says (Open Inference Protocol
/// rows read as <see cref="WindowAccumulator"/> reads them) and the predictions as the monitor compares them; without
/// one, the first <see cref="MonitoringOptions.MaxReferenceFeatures"/> logged feature names met (numbers, numeric
/// strings and "NaN" make a numeric feature, other text a categorical one; a tensor summary's <c>{input}.mean</c>,
/// <c>.std</c>, <c>.nan</c>, <c>.shape</c>, … are features like any other, so those summaries are judged over time)
/// and the logged value (or label) as the prediction. Numeric features: exact count, missing, range, mean and
/// standard deviation; the histogram from a uniform sample of <see cref="HistogramSample"/> values (scaled to the
/// count) and the stored sample of <see cref="BaselineBuilder.SampleSize"/>. Categorical: the first
/// <see cref="WindowLimits.MaxCategories"/> categories counted one by one, the rest pooled; the
/// <see cref="BaselineBuilder.MaxCategories"/> most frequent kept. Samples by <see cref="RowSampler"/> priority, so the
/// order records come in does not matter. Not thread-safe.
/// </summary>
public sealed class TrafficReferenceBuilder
{
    /// <summary>Values per numeric feature the histogram is drawn from.</summary>
    public const int HistogramSample = 10_000;

    /// <summary>The name of the prediction column of a reference built without a manifest.</summary>
    public const string PredictionName = "prediction";

    private readonly ModelManifest? _manifest;
    private readonly WindowLimits _limits;
    private readonly RowSampler _sampler;
    private readonly int _maxFeatures;
    private readonly List<Column> _features = [];
    private readonly Dictionary<string, Column?> _byName = new(StringComparer.Ordinal);
    private readonly string?[] _tensorNames;
    private Column? _predictions;

    public TrafficReferenceBuilder(ModelManifest? manifest, WindowLimits limits, RowSampler sampler, int maxFeatures)
    {
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(sampler);
        _manifest = manifest;
        _limits = limits;
        _sampler = sampler;
        _maxFeatures = maxFeatures;
        foreach (var feature in manifest?.Features ?? [])
        {
            var column = new Column(feature.Name, feature.Type == FeatureType.Numeric, limits);
            _features.Add(column);
            _byName[feature.Name] = column;
        }

        _tensorNames = manifest?.Features.Select(f => WindowColumns.TensorName(manifest, f.Name)).ToArray() ?? [];
        if (manifest is not null)
        {
            _predictions = new Column(PredictionName, manifest.Task != TabularTask.Multiclass, limits);
        }
    }

    /// <summary>Rows taken in.</summary>
    public long Rows { get; private set; }

    /// <summary>Feature names met but left out (past <see cref="MonitoringOptions.MaxReferenceFeatures"/>).</summary>
    public int FeaturesLeftOut { get; private set; }

    /// <summary>Values held in all (samples and categories), for tests of the bounds.</summary>
    internal long ValuesHeld => _features.Sum(f => f.Held) + (_predictions?.Held ?? 0);

    /// <summary>A logged record of the version; failures are ignored.</summary>
    public void Add(InferenceLogRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.IsError || record.Row < 0)
        {
            return;
        }

        Rows++;
        var priority = _sampler.Priority(record.RequestId, record.Row, record.TimestampUtc.UtcTicks);
        if (_manifest is not null)
        {
            for (var i = 0; i < _features.Count; i++)
            {
                _features[i].Add(WindowColumns.Lookup(record, _features[i].Name, _tensorNames[i]), priority);
            }

            var number = PredictionValues.Number(record, _manifest);
            _predictions!.AddValue(_manifest.Task == TabularTask.Multiclass ? null : number, record.Label, priority);
            return;
        }

        foreach (var (name, value) in record.Features)
        {
            if (!_byName.TryGetValue(name, out var column))
            {
                column = NewColumn(name, value);
                _byName[name] = column;
            }

            column?.Add(value, priority);
        }

        var logged = PredictionValues.Logged(record);
        if (_predictions is null && (logged is not null || record.Label is not null))
        {
            _predictions = new Column(PredictionName, logged is not null, _limits);
        }

        _predictions?.AddValue(logged, record.Label, priority);
    }

    /// <summary>The reference, stored like a baseline; null when no row was served in the window.</summary>
    public DatasetBaseline? Build(string source, DateTimeOffset fromUtc, DateTimeOffset toUtc, DateTimeOffset createdUtc)
    {
        if (Rows == 0)
        {
            return null;
        }

        // A feature first met after some rows were missing it still counts those rows as missing.
        return new DatasetBaseline
        {
            Rows = Rows,
            Features = _features.Select(f => f.Build(Rows)).ToList(),
            Predictions = _predictions?.Build(Rows),
            Source = source,
            CreatedUtc = createdUtc,
            TrafficFromUtc = fromUtc,
            TrafficToUtc = toUtc,
        };
    }

    private Column? NewColumn(string name, JsonElement first)
    {
        if (_features.Count >= _maxFeatures)
        {
            FeaturesLeftOut++;
            return null;
        }

        var numeric = first.ValueKind == JsonValueKind.Number ||
            (first.ValueKind == JsonValueKind.String && double.TryParse(first.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out _));
        var column = new Column(name, numeric, _limits);
        _features.Add(column);
        return column;
    }

    /// <summary>One reference column in the making.</summary>
    private sealed class Column
    {
        private readonly RunningMoments _moments = new();
        private readonly PrioritySample<double>? _histogram;
        private readonly PrioritySample<double>? _sample;
        private readonly Dictionary<string, long>? _categories;
        private readonly int _maxCategories;
        private long _present;

        public Column(string name, bool numeric, WindowLimits limits)
        {
            Name = name;
            IsNumeric = numeric;
            if (numeric)
            {
                _histogram = new PrioritySample<double>(HistogramSample);
                _sample = new PrioritySample<double>(BaselineBuilder.SampleSize);
            }
            else
            {
                _categories = new Dictionary<string, long>(StringComparer.Ordinal);
                _maxCategories = limits.MaxCategories;
            }
        }

        public string Name { get; }

        public bool IsNumeric { get; }

        public long Held => (_histogram?.Count ?? 0) + (_sample?.Count ?? 0) + (_categories?.Count ?? 0);

        public void Add(JsonElement value, ulong priority)
        {
            if (IsNumeric)
            {
                AddNumber(WindowColumns.Number(value), priority);
            }
            else
            {
                AddCategory(WindowColumns.Text(value));
            }
        }

        public void AddValue(double? number, string? label, ulong priority)
        {
            if (IsNumeric)
            {
                AddNumber(number, priority);
            }
            else
            {
                AddCategory(label);
            }
        }

        public FeatureBaseline Build(long rows)
        {
            var missing = rows - _present;
            if (!IsNumeric)
            {
                return BaselineBuilder.Categorical(Name, rows, missing, _categories!, _present);
            }

            if (_moments.Build() is not { } figures)
            {
                return new FeatureBaseline { Name = Name, Type = "numeric", Count = rows, Missing = missing };
            }

            var values = _histogram!.ToArray();
            var edges = Edges(figures.Min, figures.Max);
            var counts = new long[edges.Length - 1];
            foreach (var value in values)
            {
                counts[BaselineBuilder.Bin(edges, value)]++;
            }

            var scale = (double)figures.Count / values.Length;
            return new FeatureBaseline
            {
                Name = Name,
                Type = "numeric",
                Count = rows,
                Missing = missing,
                Min = figures.Min,
                Max = figures.Max,
                Mean = figures.Mean,
                StdDev = figures.StdDev,
                Distinct = values.Distinct().LongCount(),
                HistogramEdges = edges,
                HistogramCounts = counts.Select(c => (long)Math.Round(c * scale)).ToArray(),
                Sample = _sample!.ToArray(),
            };
        }

        private void AddNumber(double? number, ulong priority)
        {
            if (number is not { } value)
            {
                return;
            }

            _present++;
            _moments.Add(value);
            _histogram!.Add(priority, value);
            _sample!.Add(priority, value);
        }

        private void AddCategory(string? text)
        {
            if (string.IsNullOrEmpty(text))
            {
                return;
            }

            _present++;
            var key = CategoryKeys.Key(text);
            if (_categories!.TryGetValue(key, out var count))
            {
                _categories[key] = count + 1;
            }
            else if (_categories.Count < _maxCategories + BaselineBuilder.MaxCategories)
            {
                _categories[key] = 1; // Past the bound a category is only counted among the present values (pooled as other).
            }
        }

        /// <summary>Equal-width edges over [min, max] as <see cref="BaselineBuilder"/> draws them.</summary>
        private static double[] Edges(double min, double max)
        {
            if (min == max)
            {
                return [min - 0.5, max + 0.5];
            }

            var edges = new double[BaselineBuilder.HistogramBins + 1];
            for (var i = 0; i <= BaselineBuilder.HistogramBins; i++)
            {
                edges[i] = min + ((max - min) * i / BaselineBuilder.HistogramBins);
            }

            edges[^1] = max;
            return edges;
        }
    }
}
