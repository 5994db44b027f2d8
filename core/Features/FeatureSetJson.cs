using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Serverless.Core.Buffers;
using Serverless.Core.Errors;
using Serverless.Core.Models;
using Serverless.Core.Storage;

namespace Serverless.Core.Features;

/// <summary>
/// A feature set declaration's JSON (snake_case): <c>{"entity_keys": [...], "features": [{"name", "type"}], "ttl_seconds": n,
/// "description"?}</c>. Reading refuses unknown members and names the field at fault (BadRequest); writing gives the canonical
/// form (fixed member order, no whitespace), whose SHA-256 decides whether a second PUT is the same declaration. Thread-safe.
/// </summary>
public static partial class FeatureSetJson
{
    public const int MaxBytes = 256 * 1024;
    public const int MaxEntityKeys = 4;

    /// <summary>At most this many features: each takes two table properties (value and event time) of the 252 an entity may have.</summary>
    public const int MaxFeatures = 100;

    public const int MaxDescriptionLength = 1024;

    /// <summary>Ten years.</summary>
    public const long MaxTtlSeconds = 10L * 365 * 24 * 3600;

    /// <summary>The column of a row's event time, in writes and in the history.</summary>
    public const string EventTimeColumn = "event_time";

    /// <summary>The history's column of when a row was accepted.</summary>
    public const string IngestedAtColumn = "ingested_at";

    public const string ColumnRule = "1-128 letters, digits, '_', '.', '-' or inner spaces, starting with a letter, digit or '_'";

    private static readonly JsonSerializerOptions ReadOptions = new()
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        MaxDepth = 8,
    };

    /// <summary>Parses and checks a declaration for <paramref name="name"/> version <paramref name="version"/> (already valid identifiers).</summary>
    public static FeatureSetDefinition Read(string name, string version, ReadOnlySpan<byte> json)
    {
        Document? document;
        try
        {
            document = JsonSerializer.Deserialize<Document>(json, ReadOptions);
        }
        catch (JsonException e)
        {
            throw JsonErrorText.BadRequest(e, json, "The feature set", ReadOptions.GetTypeInfo(typeof(Document)));
        }

        if (document is null)
        {
            throw Bad("The feature set must be a JSON object with 'entity_keys', 'features' and 'ttl_seconds'.");
        }

        var keys = document.EntityKeys ?? throw Bad("Feature set field 'entity_keys' is required: name the column(s) rows are found by.");
        if (keys.Count is 0 or > MaxEntityKeys)
        {
            throw Bad($"Feature set field 'entity_keys' must name 1 to {MaxEntityKeys} columns; it names {keys.Count}.");
        }

        var columns = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < keys.Count; i++)
        {
            CheckColumn(keys[i], $"entity_keys[{i}]", columns);
        }

        var documents = document.Features ?? throw Bad("Feature set field 'features' is required: list the features with their types.");
        if (documents.Count is 0 or > MaxFeatures)
        {
            throw Bad($"Feature set field 'features' must list 1 to {MaxFeatures} features; it lists {documents.Count}.");
        }

        var features = new FeatureSetFeature[documents.Count];
        for (var i = 0; i < documents.Count; i++)
        {
            var feature = documents[i] ?? throw Bad($"Feature set field 'features[{i}]' must be an object with 'name' and 'type'.");
            CheckColumn(feature.Name, $"features[{i}].name", columns);
            features[i] = new FeatureSetFeature(feature.Name!, feature.Type switch
            {
                "numeric" => FeatureType.Numeric,
                "categorical" => FeatureType.Categorical,
                null => throw Bad($"Feature set field 'features[{i}].type' is required: numeric or categorical."),
                _ => throw Bad($"Feature set field 'features[{i}].type' is {DataText.Quote(feature.Type)}; use numeric or categorical."),
            });
        }

        var ttl = document.TtlSeconds ?? throw Bad("Feature set field 'ttl_seconds' is required: how long a value stays servable after its event time.");
        if (ttl < 1 || ttl > MaxTtlSeconds)
        {
            throw Bad($"Feature set field 'ttl_seconds' must be 1 to {MaxTtlSeconds} (ten years); got {ttl}.");
        }

        if (document.Description is { Length: > MaxDescriptionLength })
        {
            throw Bad($"Feature set field 'description' is longer than {MaxDescriptionLength} characters.");
        }

        var definition = new FeatureSetDefinition
        {
            Name = name,
            Version = version,
            EntityKeys = keys.Select(k => k!).ToArray(),
            Features = features,
            TtlSeconds = ttl,
            Description = document.Description,
        };
        return definition with { Sha256 = Convert.ToHexStringLower(SHA256.HashData(Write(definition))) };
    }

    /// <summary>The canonical declaration (without name, version and creation time, which are not part of what is declared).</summary>
    public static byte[] Write(FeatureSetDefinition definition)
    {
        using var buffer = new PooledBufferWriter(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("entity_keys");
            foreach (var key in definition.EntityKeys)
            {
                writer.WriteStringValue(key);
            }

            writer.WriteEndArray();
            writer.WriteStartArray("features");
            foreach (var feature in definition.Features)
            {
                writer.WriteStartObject();
                writer.WriteString("name", feature.Name);
                writer.WriteString("type", feature.IsNumeric ? "numeric" : "categorical");
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteNumber("ttl_seconds", definition.TtlSeconds);
            if (definition.Description is not null)
            {
                writer.WriteString("description", definition.Description);
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>True when <paramref name="column"/> may name a key column or a feature.</summary>
    public static bool IsValidColumn(string? column) => column is not null && ColumnPattern().IsMatch(column);

    private static void CheckColumn(string? column, string field, HashSet<string> seen)
    {
        if (!IsValidColumn(column))
        {
            throw Bad($"Feature set field '{field}' must be a column name: {ColumnRule} (was {DataText.Quote(column)}).");
        }

        if (column is EventTimeColumn or IngestedAtColumn)
        {
            throw Bad($"Feature set field '{field}': '{column}' is reserved for the rows' times; name the column otherwise.");
        }

        if (!seen.Add(column!))
        {
            throw Bad($"Feature set field '{field}': '{column}' is named more than once among the keys and features.");
        }
    }

    private static ServingException Bad(string message) => ServingException.BadRequest(message);

    [GeneratedRegex("^[A-Za-z0-9_](?:[A-Za-z0-9_. -]{0,126}[A-Za-z0-9_.-])?\\z", RegexOptions.CultureInvariant)]
    private static partial Regex ColumnPattern();

    private sealed class Document
    {
        [JsonPropertyName("entity_keys")] public List<string?>? EntityKeys { get; set; }

        [JsonPropertyName("features")] public List<FeatureDocument?>? Features { get; set; }

        [JsonPropertyName("ttl_seconds")] public long? TtlSeconds { get; set; }

        [JsonPropertyName("description")] public string? Description { get; set; }
    }

    private sealed class FeatureDocument
    {
        [JsonPropertyName("name")] public string? Name { get; set; }

        [JsonPropertyName("type")] public string? Type { get; set; }
    }
}
