using System.Text.Json;
using Serverless.Core.Buffers;
using Serverless.Core.Errors;
using Serverless.Core.Models;
using Serverless.Core.Rollouts;
using Serverless.Core.Storage;

namespace Serverless.Functions.Registry;

/// <summary>
/// Reads the bodies of the rollout routes: <see cref="StartRolloutRequest"/> (validated by <see cref="RolloutPlans"/>, every
/// mistake a BadRequest naming the field; unknown fields are refused, so a misspelt guard is never silently off) and the
/// optional <c>{"reason": "..."}</c> of an abort.
/// </summary>
internal static class RolloutBody
{
    public const int DefaultMinStepMinutes = 10;
    public const int DefaultMinStepRequests = 100;

    private static readonly string[] Fields = ["version", "steps", "min_step_minutes", "min_step_requests", "guards", "routing_key", "reason"];
    private static readonly string[] GuardFields = ["max_error_rate", "max_p95_ms", "max_metric_drop"];

    public static (RolloutPlan Plan, string? Reason) ReadStart(RequestBody body)
    {
        try
        {
            using var document = JsonDocument.Parse(body.Memory);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw ServingException.BadRequest(
                    "The body must be a JSON object, for example {\"version\": \"4\", \"steps\": [5, 25, 50, 100], \"guards\": {\"max_error_rate\": 0.02}}.");
            }

            RefuseUnknown(root, Fields, "");
            var version = root.TryGetProperty("version", out var v) ? v.ValueKind switch
            {
                JsonValueKind.String => v.GetString()!,
                JsonValueKind.Number => v.GetRawText(),
                _ => throw ServingException.BadRequest($"'version' must be a string, for example \"4\" (was a JSON {Kind(v)})."),
            } : throw ServingException.BadRequest("'version' is required: the version to roll out, for example \"4\".");
            var steps = ReadSteps(root);
            var minutes = ReadInt(root, "min_step_minutes") ?? DefaultMinStepMinutes;
            var requests = ReadInt(root, "min_step_requests") ?? DefaultMinStepRequests;
            var guards = ReadGuards(root);
            string? routingKey = null;
            if (root.TryGetProperty("routing_key", out var key) && key.ValueKind != JsonValueKind.Null)
            {
                routingKey = key.ValueKind == JsonValueKind.String
                    ? key.GetString()
                    : throw ServingException.BadRequest($"'routing_key' must be a header name as a string, for example \"x-user-id\" (was a JSON {Kind(key)}).");
            }

            var plan = RolloutPlans.Create(version, steps, minutes, requests, guards, routingKey);
            return (plan, ModelAliasFunctions.ReadReason(root));
        }
        catch (JsonException e)
        {
            throw JsonErrorText.BadRequest(e, body.Span);
        }
    }

    /// <summary>An empty body, or <c>{"reason": "..."}</c>.</summary>
    public static string? ReadAbort(RequestBody body)
    {
        if (body.Span.Trim(" \t\r\n"u8).IsEmpty)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(body.Memory);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw ServingException.BadRequest("The body must be empty or a JSON object, for example {\"reason\": \"latency too high\"}.");
            }

            RefuseUnknown(document.RootElement, ["reason"], "");
            return ModelAliasFunctions.ReadReason(document.RootElement);
        }
        catch (JsonException e)
        {
            throw JsonErrorText.BadRequest(e, body.Span);
        }
    }

    private static List<int> ReadSteps(JsonElement root)
    {
        if (!root.TryGetProperty("steps", out var steps) || steps.ValueKind != JsonValueKind.Array)
        {
            throw ServingException.BadRequest("'steps' is required: an array of whole percent for the new version, strictly increasing and ending at 100, for example [5, 25, 50, 100].");
        }

        var weights = new List<int>();
        foreach (var step in steps.EnumerateArray())
        {
            if (weights.Count == RolloutPlan.MaxSteps)
            {
                throw ServingException.BadRequest($"'steps' must hold 1 to {RolloutPlan.MaxSteps} weights (was more).");
            }

            weights.Add(step.ValueKind == JsonValueKind.Number && step.TryGetInt32(out var weight)
                ? weight
                : throw ServingException.BadRequest($"'steps' must hold whole numbers from 1 to 100 (step {weights.Count + 1} is {DataText.Quote(step.GetRawText())})."));
        }

        return weights;
    }

    private static RolloutGuards ReadGuards(JsonElement root)
    {
        if (!root.TryGetProperty("guards", out var guards) || guards.ValueKind == JsonValueKind.Null)
        {
            return RolloutGuards.None;
        }

        if (guards.ValueKind != JsonValueKind.Object)
        {
            throw ServingException.BadRequest($"'guards' must be an object, for example {{\"max_error_rate\": 0.02, \"max_p95_ms\": 50}} (was a JSON {Kind(guards)}).");
        }

        RefuseUnknown(guards, GuardFields, "guards.");
        return new RolloutGuards(ReadNumber(guards, "max_error_rate"), ReadNumber(guards, "max_p95_ms"), ReadNumber(guards, "max_metric_drop"));
    }

    private static int? ReadInt(JsonElement root, string field)
    {
        if (!root.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number)
            ? number
            : throw ServingException.BadRequest($"'{field}' must be a whole number (was {DataText.Quote(value.GetRawText())}).");
    }

    private static double? ReadNumber(JsonElement guards, string field)
    {
        if (!guards.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number)
            ? number
            : throw ServingException.BadRequest($"'guards.{field}' must be a number (was {DataText.Quote(value.GetRawText())}).");
    }

    private static void RefuseUnknown(JsonElement element, string[] known, string prefix)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (Array.IndexOf(known, property.Name) < 0)
            {
                throw ServingException.BadRequest($"Unknown field {DataText.Quote(prefix + property.Name)}; the fields are {string.Join(", ", known.Select(k => prefix + k))}.");
            }
        }
    }

    private static string Kind(JsonElement element) => element.ValueKind.ToString().ToLowerInvariant();
}
