using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Serverless.Bench.Allocations;

/// <summary>
/// Which types a stretch of work allocates, from the runtime's allocation sampling (the GC's <c>AllocationTick</c> event,
/// raised about every 100 KB allocated, naming the type whose allocation crossed the mark): sampled, so only types
/// that allocate often show, each with its estimated bytes. Listens to this process only; start and stop around the work.
/// </summary>
internal sealed class AllocationTypeProfile : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private const int AllocationTickEventId = 10;

    private readonly ConcurrentDictionary<string, long> _bytes = new(StringComparer.Ordinal);
    private volatile bool _recording;

    /// <summary>Estimated bytes per type name while recording.</summary>
    public IReadOnlyDictionary<string, long> Bytes => _bytes;

    public void Start()
    {
        _bytes.Clear();
        _recording = true;
    }

    public void Stop() => _recording = false;

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (!_recording || eventData.EventId != AllocationTickEventId || eventData.Payload is null || eventData.PayloadNames is null)
        {
            return;
        }

        var type = "?";
        var amount = 100_000L;
        for (var i = 0; i < eventData.PayloadNames.Count; i++)
        {
            switch (eventData.PayloadNames[i])
            {
                case "TypeName":
                    type = eventData.Payload[i] as string ?? "?";
                    break;
                case "AllocationAmount64":
                    amount = Convert.ToInt64(eventData.Payload[i], System.Globalization.CultureInfo.InvariantCulture);
                    break;
            }
        }

        _bytes.AddOrUpdate(type, amount, (_, total) => total + amount);
    }

    /// <summary>
    /// A markdown table of the types a target allocates per request beyond a baseline's (both profiled over
    /// <paramref name="requests"/> requests), largest first.
    /// </summary>
    public static string Difference(string title, IReadOnlyDictionary<string, long> target, IReadOnlyDictionary<string, long> baseline, int requests, int top)
    {
        var rows = target
            .Select(t => (Type: t.Key, PerRequest: (t.Value - baseline.GetValueOrDefault(t.Key)) / (double)requests))
            .Where(t => t.PerRequest > 0)
            .OrderByDescending(t => t.PerRequest)
            .Take(top);
        var page = new System.Text.StringBuilder();
        page.AppendLine($"{title} (sampled; estimated bytes per request over the baseline):").AppendLine();
        page.AppendLine("| type | B/req |").AppendLine("|---|---:|");
        foreach (var (type, perRequest) in rows)
        {
            page.AppendLine($"| `{type}` | {perRequest:F0} |");
        }

        return page.AppendLine().ToString();
    }
}
