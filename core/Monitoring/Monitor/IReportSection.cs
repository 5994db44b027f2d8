namespace Serverless.Core.Monitoring.Monitor;

/// <summary>
/// A section another area adds to a model's monitoring report pages, after the report's own sections (the retraining
/// loop's runs, core/Retraining). Registered as a service; the runner asks every one for each page it writes.
/// </summary>
public interface IReportSection
{
    /// <summary>The section's HTML (self-contained, every text encoded), or empty when it has nothing to show for the model.</summary>
    Task<string> RenderAsync(string model, string version, CancellationToken cancellationToken);
}
