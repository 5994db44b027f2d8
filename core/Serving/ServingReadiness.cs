namespace Serverless.Core.Serving;

/// <summary>
/// Whether start-up warming has finished, and what it is doing meanwhile. Thread-safe; flips to ready once.
/// </summary>
public sealed class ServingReadiness
{
    private volatile bool _ready;
    private volatile string _status = "starting";

    public bool IsReady => _ready;

    public string Status => _status;

    /// <summary>How long start-up took until ready, in milliseconds (null until ready).</summary>
    public double? StartupMs { get; private set; }

    public void Report(string status) => _status = status;

    public void MarkReady(double startupMs)
    {
        StartupMs = startupMs;
        _status = "ready";
        _ready = true;
    }
}
