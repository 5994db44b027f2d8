using Serverless.Core.Monitoring.Monitor;

namespace Serverless.Core.Retraining;

/// <summary>
/// The retraining section of a model's monitoring report pages: the model's newest runs (<see cref="RetrainingHtml"/>), as
/// stored when the page is written; nothing for a model that has never been retrained. Thread-safe.
/// </summary>
public sealed class RetrainingReportSection : IReportSection
{
    /// <summary>The most runs a page lists.</summary>
    public const int MaxRuns = 10;

    private readonly RetrainingStore _store;

    public RetrainingReportSection(RetrainingStore store)
    {
        _store = store;
    }

    public async Task<string> RenderAsync(string model, string version, CancellationToken cancellationToken) =>
        RetrainingHtml.Render(await _store.ListRunsAsync(model, MaxRuns, cancellationToken).ConfigureAwait(false));
}
