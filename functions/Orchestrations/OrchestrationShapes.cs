using System.Text.Json;
using System.Text.Json.Serialization;
using Serverless.Functions.Http;
using Serverless.Orchestrations.BatchScoring;
using Serverless.Orchestrations.Features;
using Serverless.Orchestrations.Retraining;
using Serverless.Orchestrations.Training;

namespace Serverless.Functions.Orchestrations;

/// <summary>
/// What each orchestration records as its custom status and output, so the status route can answer them as typed
/// records in the API's snake_case (<see cref="ApiJson"/>). Durable keeps them as it wrote them (.NET names so far,
/// in histories of instances still running, and snake_case where an orchestration wrote that itself); <see cref="Read"/>
/// accepts both, and answers what it cannot type as the JSON it is.
/// </summary>
public static class OrchestrationShapes
{
    private static readonly Dictionary<string, (Type? CustomStatus, Type Output)> ByName = new(StringComparer.Ordinal)
    {
        [BatchScoringOrchestrator.Name] = (typeof(BatchScoringProgress), typeof(BatchScoringResult)),
        [CountChunkGroupOrchestrator.Name] = (null, typeof(long[])),
        [ScoreChunkGroupOrchestrator.Name] = (typeof(ChunkGroupProgress), typeof(ChunkResult[])),
        [TrainingSweepOrchestrator.Name] = (typeof(SweepProgress), typeof(SweepResult)),
        [RunTrialOrchestrator.Name] = (null, typeof(TrialResult)),
        [FeatureMaterialisationOrchestrator.Name] = (typeof(MaterialisationProgress), typeof(MaterialisationResult)),
        [RetrainingOrchestrator.Name] = (typeof(RetrainingProgress), typeof(RetrainingOutcome)),
    };

    /// <summary>Durable's own JSON: .NET property names, read case-insensitively; an unknown member means it is not this shape.</summary>
    private static readonly JsonSerializerOptions DurableStrict = new()
    {
        PropertyNameCaseInsensitive = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    private static readonly JsonSerializerOptions DurableLenient = new() { PropertyNameCaseInsensitive = true };

    /// <summary>The orchestrations whose status the route types.</summary>
    public static IReadOnlyCollection<string> Names => ByName.Keys;

    public static IEnumerable<Type> CustomStatusTypes => ByName.Values.Select(v => v.CustomStatus).OfType<Type>().Distinct();

    public static IEnumerable<Type> OutputTypes => ByName.Values.Select(v => v.Output).Distinct();

    public static Type? CustomStatusOf(string name) => ByName.TryGetValue(name, out var shape) ? shape.CustomStatus : null;

    public static Type? OutputOf(string name) => ByName.TryGetValue(name, out var shape) ? shape.Output : null;

    /// <summary>
    /// The payload as <paramref name="type"/> (Durable's names first, then snake_case, then Durable's leniently), or as
    /// raw JSON when there is no type or it is not that shape (a terminated instance's output is the reason, a string).
    /// </summary>
    public static object? Read(string? serialized, Type? type)
    {
        if (string.IsNullOrEmpty(serialized))
        {
            return null;
        }

        if (type is not null)
        {
            foreach (var options in (ReadOnlySpan<JsonSerializerOptions>)[DurableStrict, ApiJson.ReadOptions, DurableLenient])
            {
                try
                {
                    if (JsonSerializer.Deserialize(serialized, type, options) is { } typed)
                    {
                        return typed;
                    }
                }
                catch (JsonException)
                {
                    // Not this spelling; try the next.
                }
            }
        }

        return Raw(serialized);
    }

    private static JsonElement Raw(string serialized)
    {
        try
        {
            using var document = JsonDocument.Parse(serialized);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(serialized);
        }
    }
}
