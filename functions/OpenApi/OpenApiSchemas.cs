using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Serverless.Functions.Http;

namespace Serverless.Functions.OpenApi;

/// <summary>
/// JSON schemas of the API's records, exported by System.Text.Json from the types with the API's own options
/// (<see cref="ApiJson"/>), so a schema says exactly what the serializer writes. Every record becomes a component
/// (<c>#/components/schemas/{TypeName}</c>) referenced wherever it appears; collections, dictionaries and scalars are
/// inlined. Not thread-safe: one instance builds one document.
/// </summary>
internal sealed class OpenApiSchemas
{
    private const string ComponentPrefix = "#/components/schemas/";

    private static readonly JsonSerializerOptions Options = new(ApiJson.Options) { NumberHandling = JsonNumberHandling.Strict };

    private readonly SortedDictionary<string, JsonNode> _components = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Type> _named = new(StringComparer.Ordinal);

    /// <summary>The components exported so far, by name.</summary>
    public JsonObject Components()
    {
        var components = new JsonObject();
        foreach (var (name, schema) in _components)
        {
            components[name] = schema.DeepClone();
        }

        return components;
    }

    /// <summary>A schema for <paramref name="type"/>: a reference for a record, else the schema itself.</summary>
    public JsonNode For(Type type) => IsRecord(type) ? Reference(type) : Export(type);

    private JsonNode Reference(Type type)
    {
        var name = type.Name;
        if (_named.TryGetValue(name, out var known))
        {
            if (known != type)
            {
                throw new InvalidOperationException($"Two records are named {name} ({known.FullName}, {type.FullName}); rename one, schema names must be unique.");
            }
        }
        else
        {
            _named[name] = type;
            _components[name] = new JsonObject();
            var schema = Export(type);
            RebaseLocalReferences(schema, ComponentPrefix + name);
            _components[name] = schema;
        }

        return new JsonObject { ["$ref"] = ComponentPrefix + name };
    }

    private JsonNode Export(Type type) => JsonSchemaExporter.GetJsonSchemaAsNode(Options, type, new JsonSchemaExporterOptions
    {
        TreatNullObliviousAsNonNullable = true,
        TransformSchemaNode = Transform,
    });

    private JsonNode Transform(JsonSchemaExporterContext context, JsonNode schema)
    {
        if (context.PropertyInfo?.AttributeProvider?.GetCustomAttributes(typeof(ApiOneOfAttribute), inherit: true) is [ApiOneOfAttribute oneOf, ..])
        {
            var choices = new JsonArray();
            foreach (var type in oneOf.Types())
            {
                choices.Add(For(type));
            }

            choices.Add(new JsonObject { ["type"] = "null" });
            return new JsonObject { ["anyOf"] = choices };
        }

        if (context.Path.Length > 0 && IsRecord(context.TypeInfo.Type))
        {
            var reference = Reference(context.TypeInfo.Type);
            return IsNullable(schema) ? new JsonObject { ["anyOf"] = new JsonArray(reference, new JsonObject { ["type"] = "null" }) } : reference;
        }

        return schema;
    }

    private static bool IsRecord(Type type) =>
        type != typeof(object) && !typeof(JsonNode).IsAssignableFrom(type) && Options.GetTypeInfo(type).Kind == JsonTypeInfoKind.Object;

    private static bool IsNullable(JsonNode schema) =>
        schema is JsonObject obj && obj["type"] is JsonArray types && types.Any(t => t?.GetValue<string>() == "null");

    /// <summary>The exporter points at repeated parts of a type relative to its own root; inside a component that root is the component.</summary>
    private static void RebaseLocalReferences(JsonNode? node, string root)
    {
        switch (node)
        {
            case JsonObject obj:
                if (obj["$ref"] is JsonValue value && value.GetValue<string>() is { } reference && reference.StartsWith('#') &&
                    !reference.StartsWith(ComponentPrefix, StringComparison.Ordinal))
                {
                    obj["$ref"] = root + reference[1..];
                }

                foreach (var (_, child) in obj.ToList())
                {
                    RebaseLocalReferences(child, root);
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    RebaseLocalReferences(child, root);
                }

                break;
        }
    }
}
