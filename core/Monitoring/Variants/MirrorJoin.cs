using Serverless.Core.Monitoring.Logging;
using Serverless.Core.Monitoring.Monitor;

namespace Serverless.Core.Monitoring.Variants;

/// <summary>
/// Pairs a model's mirror copies (<see cref="InferenceLogRecord.Mirror"/>, logged under the primary's request id and
/// row) with the rows the callers received, taking the window's records one by one in any order: per mirror version
/// its copies' requests and failures (exact), and a bounded sample of its rows; for the primaries a bounded sample of
/// every served row of the model. Both samples keep the rows of lowest <see cref="RowSampler.Priority(string, int)"/>
/// (the same hash of request id and row on both sides, so the samples are coordinated: a mirrored row kept on one side
/// is kept on the other unless that side's sample is fuller), at most <see cref="WindowLimits.MaxSampleRows"/> each, and
/// the primary side holds only the 64-bit hash, version, label and value of a row. Pairs are matched on that hash.
/// Not thread-safe.
/// </summary>
public sealed class MirrorJoin
{
    private readonly RowSampler _sampler;
    private readonly int _capacity;
    private readonly PrioritySample<Prediction> _primaries;
    private readonly Dictionary<string, Mirror> _mirrors = new(StringComparer.Ordinal);

    public MirrorJoin(WindowLimits limits, RowSampler sampler)
    {
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(sampler);
        _sampler = sampler;
        _capacity = limits.MaxSampleRows;
        _primaries = new PrioritySample<Prediction>(_capacity);
    }

    public void Add(InferenceLogRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        Add(record.RequestId, record.Row, record.Version, record.Mirror, record.IsError, record.Label, record.Mirror || (!record.IsError && record.Row >= 0)
            ? PredictionValues.Logged(record)
            : null);
    }

    /// <summary>Rows <paramref name="rows"/> of a decoded block, as if their records were added one by one.</summary>
    public void Add(InferenceLogColumns block, ReadOnlySpan<int> rows)
    {
        ArgumentNullException.ThrowIfNull(block);
        foreach (var row in rows)
        {
            var served = !block.IsError(row) && block.Rows[row] >= 0;
            Add(block.RequestIds[row], block.Rows[row], block.Versions[row], block.IsMirror(row), block.IsError(row), block.Labels[row],
                served ? PredictionValues.Logged(block, row) : null);
        }
    }

    private void Add(string requestId, int row, string version, bool isMirror, bool isError, string? label, double? logged)
    {
        if (!isMirror)
        {
            if (!isError && row >= 0)
            {
                var key = _sampler.Priority(requestId, row);
                _primaries.Add(key, new Prediction(key, version, label, logged));
            }

            return;
        }

        if (!_mirrors.TryGetValue(version, out var mirror))
        {
            _mirrors[version] = mirror = new Mirror(new PrioritySample<Prediction>(_capacity));
        }

        if (row <= 0)
        {
            mirror.Requests++;
            mirror.Errors += isError ? 1 : 0;
        }

        if (!isError && row >= 0)
        {
            var key = _sampler.Priority(requestId, row);
            mirror.Rows.Add(key, new Prediction(key, version, label, logged));
        }
    }

    /// <summary>Per mirror version (in ordinal order), its copies and their agreement with each primary (in ordinal order).</summary>
    public IReadOnlyList<MirrorAgreement> Build()
    {
        if (_mirrors.Count == 0)
        {
            return [];
        }

        var primaries = new Dictionary<ulong, Prediction>();
        foreach (var row in _primaries.ToArray())
        {
            primaries.TryAdd(row.Key, row);
        }

        var agreements = new List<MirrorAgreement>();
        foreach (var (version, mirror) in _mirrors.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            var byPrimary = new SortedDictionary<string, Pairing>(StringComparer.Ordinal);
            foreach (var row in mirror.Rows.ToArray())
            {
                if (primaries.TryGetValue(row.Key, out var primary))
                {
                    if (!byPrimary.TryGetValue(primary.Version, out var pairing))
                    {
                        byPrimary[primary.Version] = pairing = new Pairing();
                    }

                    pairing.Add(row, primary);
                }
            }

            agreements.Add(new MirrorAgreement(version, mirror.Requests, mirror.Errors, mirror.Requests == 0 ? null : Proportions.Wilson(mirror.Errors, mirror.Requests),
                mirror.Rows.Offered, mirror.Rows.IsSample || _primaries.IsSample, byPrimary.Select(p => p.Value.Build(p.Key)).ToList()));
        }

        return agreements;
    }

    private readonly record struct Prediction(ulong Key, string Version, string? Label, double? Value);

    private sealed class Mirror(PrioritySample<Prediction> rows)
    {
        public PrioritySample<Prediction> Rows { get; } = rows;

        public long Requests { get; set; }

        public long Errors { get; set; }
    }

    /// <summary>One primary's pairs: label agreement, and the absolute differences and co-moments of the values.</summary>
    private sealed class Pairing
    {
        private readonly Moments _differences = new();
        private long _pairs;
        private long _labelPairs;
        private long _agreed;
        private double _meanX;
        private double _meanY;
        private double _sxx;
        private double _syy;
        private double _sxy;

        public void Add(Prediction mirror, Prediction primary)
        {
            _pairs++;
            if (mirror.Label is not null && primary.Label is not null)
            {
                _labelPairs++;
                _agreed += string.Equals(mirror.Label, primary.Label, StringComparison.Ordinal) ? 1 : 0;
            }

            if (mirror.Value is { } y && primary.Value is { } x && double.IsFinite(x) && double.IsFinite(y))
            {
                _differences.Add(Math.Abs(y - x));
                var n = _differences.Count;
                var dx = x - _meanX;
                _meanX += dx / n;
                var dy = y - _meanY;
                _meanY += dy / n;
                _sxx += dx * (x - _meanX);
                _syy += dy * (y - _meanY);
                _sxy += dx * (y - _meanY);
            }
        }

        public MirrorPairing Build(string primary)
        {
            var values = _differences.Count;
            double? correlation = values >= 3 && _sxx > 0 && _syy > 0 ? Math.Clamp(_sxy / Math.Sqrt(_sxx * _syy), -1, 1) : null;
            return new MirrorPairing(primary, _pairs, _labelPairs, _labelPairs == 0 ? null : Proportions.Wilson(_agreed, _labelPairs), values,
                values == 0 ? null : _differences.Mean, correlation);
        }
    }
}
