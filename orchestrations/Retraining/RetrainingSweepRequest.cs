using System.Text.Json.Nodes;
using Serverless.Orchestrations.Training;

namespace Serverless.Orchestrations.Retraining;

/// <summary>
/// The request a retraining run's sweep records: the policy's sweep template as the operator wrote it, plus the
/// <c>warm_start_from</c> the loop adds (the champion), so the sweep's stored request says what the sweep ran. Pure and
/// deterministic (safe in an orchestrator); thread-safe.
/// </summary>
public static class RetrainingSweepRequest
{
    /// <summary>The template's JSON with <c>warm_start_from</c> set to <paramref name="from"/>; the template itself when it is not a JSON object.</summary>
    public static string WithWarmStart(string templateJson, SweepWarmStart from)
    {
        ArgumentNullException.ThrowIfNull(from);
        if (JsonNode.Parse(templateJson) is not JsonObject request)
        {
            return templateJson;
        }

        var warmStart = new JsonObject { ["version"] = from.Version };
        if (from.Model is not null)
        {
            warmStart["model"] = from.Model;
        }

        request["warm_start_from"] = warmStart;
        return request.ToJsonString();
    }
}
