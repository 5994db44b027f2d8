namespace Serverless.Core.Monitoring.Monitor;

/// <summary>
/// Per API (a decoded block's source strings, shared instances), a block's counts of requests, served rows and rows
/// judged for drift, so that the window's per-API counts are updated once per block and API instead of per row. Not
/// thread-safe.
/// </summary>
internal sealed class SourceTallies
{
    private readonly List<Tally> _all = [];
    private Tally? _last;

    public IReadOnlyList<Tally> All => _all;

    /// <summary>The tally of <paramref name="source"/>; the previous row's when it is the same instance.</summary>
    public Tally Of(string source)
    {
        if (_last is not null && ReferenceEquals(_last.Source, source))
        {
            return _last;
        }

        foreach (var tally in _all)
        {
            if (string.Equals(tally.Source, source, StringComparison.Ordinal))
            {
                return _last = tally;
            }
        }

        _last = new Tally(source);
        _all.Add(_last);
        return _last;
    }

    public sealed class Tally(string source)
    {
        public string Source { get; } = source;

        public long Requests { get; set; }

        public long Served { get; set; }

        public long Drift { get; set; }
    }
}
