using System.Text.RegularExpressions;
using Serverless.Core.Errors;
using Serverless.Core.Monitoring.Monitor;

namespace Serverless.Functions.Monitoring;

/// <summary>A monitoring run id as the monitor makes them (<c>yyyyMMdd-HHmmss-</c> and six hex digits); anything else is refused before storage is asked.</summary>
internal static partial class MonitoringRunIds
{
    public static void Validate(string runId)
    {
        if (!Pattern().IsMatch(runId))
        {
            throw ServingException.BadRequest($"Invalid run id '{CategoryKeys.Shown(runId)}': expected yyyyMMdd-HHmmss-xxxxxx, as a report summary's run_id.");
        }
    }

    [GeneratedRegex(@"^[0-9]{8}-[0-9]{6}-[0-9a-f]{6}\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
