using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Serverless.Core.Telemetry;

namespace Serverless.Tests.Telemetry;

/// <summary>
/// Listens to every instrument of the app's meters and keeps the measurements whose tag <c>tagKey</c> has
/// <c>tagValue</c> (tests use a model or algorithm name of their own, so tests running at the same time do not mix).
/// </summary>
internal sealed class MetricRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly string _tagKey;
    private readonly string _tagValue;

    public MetricRecorder(string tagKey, string tagValue)
    {
        _tagKey = tagKey;
        _tagValue = tagValue;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name.StartsWith(AppMetrics.MeterPrefix, StringComparison.Ordinal))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    public ConcurrentQueue<Measurement> Measurements { get; } = new();

    public IReadOnlyList<Measurement> Of(string instrument) => Measurements.Where(m => m.Instrument == instrument).ToList();

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, string?>();
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value?.ToString();
        }

        if (copy.TryGetValue(_tagKey, out var tagged) && tagged == _tagValue)
        {
            Measurements.Enqueue(new Measurement(instrument.Meter.Name, instrument.Name, instrument.Unit, value, copy));
        }
    }

    internal sealed record Measurement(string Meter, string Instrument, string? Unit, double Value, IReadOnlyDictionary<string, string?> Tags);
}
