using Serverless.Core.Baselines;

namespace Serverless.Core.Monitoring.Monitor;

/// <summary>
/// What a report judged drift against. <see cref="Kind"/>: <c>baseline</c> (from a sweep's training data or uploaded;
/// <see cref="Source"/> says which), <c>traffic</c> (captured from the version's own traffic between
/// <see cref="FromUtc"/> and <see cref="ToUtc"/>, see <c>Monitoring:ReferenceWindowHours</c>; only traffic after it is
/// judged for drift), <c>collecting</c> (no baseline yet: the version's traffic from <see cref="FromUtc"/> to <see cref="ToUtc"/>
/// becomes its reference once that window has passed), or <c>none</c> (no baseline, and capture is off or the
/// version has served nothing yet). <see cref="Rows"/>: the reference's rows. Immutable.
/// </summary>
public sealed record ReferenceInfo(string Kind, string? Source = null, DateTimeOffset? FromUtc = null, DateTimeOffset? ToUtc = null, long? Rows = null)
{
    public const string Baseline = "baseline";
    public const string Traffic = "traffic";
    public const string Collecting = "collecting";
    public const string None = "none";

    /// <summary>The reference a stored baseline is (or none).</summary>
    public static ReferenceInfo For(DatasetBaseline? baseline) => baseline switch
    {
        null => new ReferenceInfo(None),
        { TrafficFromUtc: { } start, TrafficToUtc: { } end } => new ReferenceInfo(Traffic, baseline.Source, start, end, baseline.Rows),
        _ => new ReferenceInfo(Baseline, baseline.Source, Rows: baseline.Rows),
    };
}
