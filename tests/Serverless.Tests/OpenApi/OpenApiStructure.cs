using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Serverless.Tests.OpenApi;

/// <summary>
/// The structural rules of an OpenAPI 3.0/3.1 document a client generator relies on: required fields, response
/// keys, parameters that match the path's template, security requirements naming declared schemes, unique
/// operation ids, and every <c>$ref</c> resolving inside the document. Returns the problems found.
/// </summary>
internal static partial class OpenApiStructure
{
    private static readonly string[] Methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

    public static IReadOnlyList<string> Problems(JsonNode document)
    {
        var problems = new List<string>();
        var root = document as JsonObject;
        if (root is null)
        {
            return ["the document is not an object"];
        }

        if (root["openapi"]?.GetValue<string>() is not { } version || !OpenApiVersion().IsMatch(version))
        {
            problems.Add("'openapi' must be 3.0.x or 3.1.x");
        }

        if (root["info"] is not JsonObject info || info["title"]?.GetValue<string>() is null || info["version"]?.GetValue<string>() is null)
        {
            problems.Add("'info' must have 'title' and 'version'");
        }

        var schemes = (root["components"]?["securitySchemes"] as JsonObject)?.Select(p => p.Key).ToHashSet() ?? [];
        foreach (var (name, scheme) in (root["components"]?["securitySchemes"] as JsonObject) ?? [])
        {
            if (scheme?["type"]?.GetValue<string>() == "apiKey" && (scheme["name"] is null || scheme["in"]?.GetValue<string>() is not ("header" or "query" or "cookie")))
            {
                problems.Add($"security scheme '{name}': an apiKey needs 'name' and 'in'");
            }
        }

        if (root["paths"] is not JsonObject paths)
        {
            problems.Add("'paths' must be an object");
            return problems;
        }

        var operationIds = new HashSet<string>();
        foreach (var (path, item) in paths)
        {
            if (!path.StartsWith('/'))
            {
                problems.Add($"path '{path}' must start with '/'");
            }

            var templated = PathParameter().Matches(path).Select(m => m.Groups[1].Value).ToHashSet();
            foreach (var (method, operation) in (JsonObject)item!)
            {
                var where = $"{method.ToUpperInvariant()} {path}";
                if (!Methods.Contains(method))
                {
                    continue;
                }

                if (operation?["operationId"]?.GetValue<string>() is { } id && !operationIds.Add(id))
                {
                    problems.Add($"{where}: operationId '{id}' is used twice");
                }

                if (operation?["responses"] is not JsonObject responses || responses.Count == 0)
                {
                    problems.Add($"{where}: 'responses' must list at least one answer");
                }
                else
                {
                    foreach (var (status, response) in responses)
                    {
                        if (status != "default" && !StatusKey().IsMatch(status))
                        {
                            problems.Add($"{where}: response key '{status}' is not a status code");
                        }

                        if (response?["description"]?.GetValue<string>() is null)
                        {
                            problems.Add($"{where} {status}: a response needs a 'description'");
                        }
                    }
                }

                var declared = new HashSet<string>();
                foreach (var parameter in (operation?["parameters"] as JsonArray) ?? [])
                {
                    var name = parameter?["name"]?.GetValue<string>();
                    var location = parameter?["in"]?.GetValue<string>();
                    if (name is null || location is not ("path" or "query" or "header" or "cookie"))
                    {
                        problems.Add($"{where}: a parameter needs a 'name' and 'in' of path, query, header or cookie");
                        continue;
                    }

                    if (parameter?["schema"] is null && parameter?["content"] is null)
                    {
                        problems.Add($"{where}: parameter '{name}' needs a 'schema'");
                    }

                    if (location == "path")
                    {
                        declared.Add(name);
                        if (parameter?["required"]?.GetValue<bool>() != true)
                        {
                            problems.Add($"{where}: path parameter '{name}' must be required");
                        }
                    }
                }

                if (!templated.SetEquals(declared))
                {
                    problems.Add($"{where}: path parameters [{string.Join(", ", declared)}] do not match the template's [{string.Join(", ", templated)}]");
                }

                if (operation?["requestBody"] is JsonObject body && body["content"] is not JsonObject { Count: > 0 })
                {
                    problems.Add($"{where}: 'requestBody' needs 'content'");
                }

                foreach (var requirement in (operation?["security"] as JsonArray) ?? [])
                {
                    foreach (var (scheme, _) in (JsonObject)requirement!)
                    {
                        if (!schemes.Contains(scheme))
                        {
                            problems.Add($"{where}: security scheme '{scheme}' is not declared");
                        }
                    }
                }
            }
        }

        CheckReferences(root, root, "#", problems);
        return problems;
    }

    private static void CheckReferences(JsonNode root, JsonNode? node, string at, List<string> problems)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, child) in obj)
                {
                    if (name == "$ref" && child is JsonValue value && value.TryGetValue<string>(out var reference) && Resolve(root, reference) is null)
                    {
                        problems.Add($"{at}: $ref '{reference}' does not resolve");
                    }

                    CheckReferences(root, child, $"{at}/{name}", problems);
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    CheckReferences(root, array[i], $"{at}/{i}", problems);
                }

                break;
        }
    }

    private static JsonNode? Resolve(JsonNode root, string reference)
    {
        if (!reference.StartsWith('#'))
        {
            return null;
        }

        var node = root;
        foreach (var token in reference[1..].Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = Uri.UnescapeDataString(token).Replace("~1", "/").Replace("~0", "~");
            node = node switch
            {
                JsonObject obj when obj.TryGetPropertyValue(name, out var child) => child,
                JsonArray array when int.TryParse(name, out var index) && index < array.Count => array[index],
                _ => null,
            };
            if (node is null)
            {
                return null;
            }
        }

        return node;
    }

    [GeneratedRegex(@"^3\.[01]\.\d+$")]
    private static partial Regex OpenApiVersion();

    [GeneratedRegex(@"^[1-5](\d\d|XX)$")]
    private static partial Regex StatusKey();

    [GeneratedRegex(@"\{([^}/]+)\}")]
    private static partial Regex PathParameter();
}
