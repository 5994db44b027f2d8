using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Azure.Functions.Worker;
using Serverless.Core.Errors;
using Serverless.Functions.Http;

namespace Serverless.Functions.OpenApi;

/// <summary>
/// Builds the OpenAPI 3.1 document by reflection over the function classes: each HTTP function's route, methods and
/// authorization level come from its trigger, the rest from its <see cref="ApiOperationAttribute"/>,
/// <see cref="ApiResponseAttribute"/>s and <see cref="ApiParameterAttribute"/>s, the schemas from the records
/// (<see cref="OpenApiSchemas"/>) and the error codes from <see cref="ErrorCodes"/>. An HTTP function without an
/// <see cref="ApiOperationAttribute"/> is an error, so no route goes undocumented. Pure; thread-safe.
/// </summary>
public static partial class OpenApiDocumentBuilder
{
    public const string FunctionKeyHeader = "function_key_header";
    public const string FunctionKeyQuery = "function_key_query";
    public const string MasterKeyHeader = "master_key_header";
    public const string MasterKeyQuery = "master_key_query";

    /// <summary>Response headers a function may declare, with what they carry.</summary>
    public static IReadOnlyDictionary<string, string> KnownHeaders { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["Location"] = "Where the resource is: the request's own path for a created one, the status route (relative to this host) for a started orchestration.",
        ["ETag"] = "The alias's ETag; send it back as If-Match to move or delete it only in the state it was read in.",
        ["x-request-id"] = "The request id the answer and the inference log carry (feedback names predictions by it).",
        ["x-model-version"] = "The version that served the request (as model_version in the body); under a traffic split, the one the split chose.",
        [Core.Protocol.BinaryTensorData.HeaderName] = "Only when binary outputs follow the JSON (application/octet-stream): the byte length of the JSON at the start of the body.",
    };

    private static readonly Dictionary<string, string> RouteParameters = new(StringComparer.Ordinal)
    {
        ["name"] = "The model name: 1-63 letters, digits, '.', '-' or '_', starting with a letter or digit.",
        ["version"] = "The model version: 1-63 letters, digits, '.', '-' or '_', starting with a letter or digit.",
        ["alias"] = "The alias (production, staging, ...): 1-63 letters, digits, '.', '-' or '_', starting with a letter.",
        ["instanceId"] = "The orchestration instance id (a training sweep's instance id is its sweep id).",
        ["sweepId"] = "The sweep id (the training sweep orchestration's instance id).",
        ["runId"] = "The monitoring run id (yyyyMMdd-HHmmss-xxxxxx), as a report summary's run_id.",
        ["file"] = "A file of the console, by its exact name.",
        ["run"] = "The retraining run id (rt-yyyyMMdd-HHmmss- and six hex digits; also its orchestration's instance id).",
        ["path"] = "An MLflow artifact's path, slashes included: {experiment}/{run}/artifacts/... (no '.', '..' or empty segments).",
    };

    private static readonly string[] MethodOrder = ["get", "put", "post", "delete", "patch", "head", "options"];

    /// <summary>The HTTP functions of <paramref name="assembly"/> as their triggers declare them.</summary>
    public static IReadOnlyList<ApiRoute> Routes(Assembly assembly) =>
        assembly.GetExportedTypes()
            .Where(t => t.IsClass)
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Function: m.GetCustomAttribute<FunctionAttribute>(),
                Trigger: m.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).FirstOrDefault(a => a is not null)))
            .Where(f => f.Function is not null && f.Trigger is not null)
            .Select(f => new ApiRoute(f.Function!.Name, f.Method, f.Trigger!.Route ?? f.Function.Name,
                [.. (f.Trigger.Methods ?? []).Select(m => m.ToLowerInvariant())], f.Trigger.AuthLevel))
            .OrderBy(r => r.Template, StringComparer.Ordinal)
            .ToList();

    /// <summary>The document for the functions of <paramref name="assembly"/>; its <c>servers</c> is "/" until the route sets the prefix the caller reached.</summary>
    public static JsonObject Build(Assembly assembly, string version)
    {
        var schemas = new OpenApiSchemas();
        var paths = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var route in Routes(assembly))
        {
            if (route.Methods.Count == 0)
            {
                throw new InvalidOperationException($"Function '{route.FunctionName}' accepts any method; the API declares its methods.");
            }

            var path = "/" + RouteParameter().Replace(route.Template.Trim('/'), "{$1}");
            var item = paths.TryGetValue(path, out var existing) ? existing : paths[path] = [];
            foreach (var method in route.Methods)
            {
                item[method] = Operation(route, schemas);
            }
        }

        var pathsNode = new JsonObject();
        foreach (var (path, item) in paths)
        {
            var ordered = new JsonObject();
            foreach (var method in MethodOrder.Where(item.ContainsKey))
            {
                ordered[method] = item[method]!.DeepClone();
            }

            pathsNode[path] = ordered;
        }

        _ = schemas.For(typeof(ApiError));
        return new JsonObject
        {
            ["openapi"] = "3.1.0",
            ["info"] = new JsonObject
            {
                ["title"] = "Serverless ONNX model serving",
                ["version"] = version,
                ["description"] = "Clients (a function key) reach inference, metadata and readiness; operators (the master key) reach everything. " +
                                  "Every JSON body is snake_case. Every error is {\"error\": \"...\", \"code\": \"...\"} with a code from x-error-codes.",
            },
            ["servers"] = new JsonArray(new JsonObject { ["url"] = "/" }),
            ["paths"] = pathsNode,
            ["components"] = new JsonObject
            {
                ["schemas"] = schemas.Components(),
                ["securitySchemes"] = SecuritySchemes(),
            },
            ["x-error-codes"] = new JsonArray([.. ErrorCodes.All.Select(c => (JsonNode)new JsonObject
            {
                ["code"] = c.Code,
                ["status"] = c.Status,
                ["description"] = c.Description,
            })]),
        };
    }

    /// <summary>Who may call a route of this level: <c>client</c> (function key), <c>operator</c> (master key) or <c>anyone</c>.</summary>
    public static string Caller(AuthorizationLevel level) => level switch
    {
        AuthorizationLevel.Anonymous => "anyone",
        AuthorizationLevel.Function or AuthorizationLevel.User => "client",
        _ => "operator",
    };

    private static JsonObject Operation(ApiRoute route, OpenApiSchemas schemas)
    {
        var operation = route.Method.GetCustomAttribute<ApiOperationAttribute>()
            ?? throw new InvalidOperationException(
                $"HTTP function '{route.FunctionName}' ({route.Method.DeclaringType!.Name}.{route.Method.Name}) has no [ApiOperation]: describe it for the OpenAPI document.");
        var node = new JsonObject
        {
            ["operationId"] = route.FunctionName,
            ["summary"] = operation.Summary,
        };
        if (operation.Description is not null)
        {
            node["description"] = operation.Description;
        }

        node["tags"] = new JsonArray(route.Method.DeclaringType!.Namespace!.Split('.')[^1]);
        node["x-caller"] = Caller(route.AuthLevel);
        node["security"] = Security(route.AuthLevel);
        var parameters = Parameters(route);
        if (parameters.Count > 0)
        {
            node["parameters"] = parameters;
        }

        if (RequestBody(operation, schemas) is { } body)
        {
            node["requestBody"] = body;
        }

        node["responses"] = Responses(route, operation, schemas);
        return node;
    }

    private static JsonArray Security(AuthorizationLevel level)
    {
        string[] schemes = level switch
        {
            AuthorizationLevel.Anonymous => [],
            AuthorizationLevel.Function or AuthorizationLevel.User => [FunctionKeyHeader, FunctionKeyQuery, MasterKeyHeader, MasterKeyQuery],
            _ => [MasterKeyHeader, MasterKeyQuery],
        };
        return new JsonArray([.. schemes.Select(s => (JsonNode)new JsonObject { [s] = new JsonArray() })]);
    }

    private static JsonArray Parameters(ApiRoute route)
    {
        var parameters = new JsonArray();
        foreach (Match match in RouteParameter().Matches(route.Template))
        {
            var name = match.Groups[1].Value;
            parameters.Add(new JsonObject
            {
                ["name"] = name,
                ["in"] = "path",
                ["required"] = true,
                ["description"] = RouteParameters.TryGetValue(name, out var description)
                    ? description
                    : throw new InvalidOperationException($"Route parameter '{name}' of '{route.FunctionName}' has no description in {nameof(OpenApiDocumentBuilder)}."),
                ["schema"] = new JsonObject { ["type"] = "string" },
            });
        }

        foreach (var parameter in route.Method.GetCustomAttributes<ApiParameterAttribute>())
        {
            parameters.Add(new JsonObject
            {
                ["name"] = parameter.Name,
                ["in"] = parameter.Location == ApiParameterLocation.Query ? "query" : "header",
                ["required"] = false,
                ["description"] = parameter.Description,
                ["schema"] = new JsonObject { ["type"] = "string" },
            });
        }

        return parameters;
    }

    private static JsonObject? RequestBody(ApiOperationAttribute operation, OpenApiSchemas schemas)
    {
        if (operation.Request is null && operation.RequestContentType is null)
        {
            return null;
        }

        var contentType = operation.RequestContentType ?? "application/json";
        var schema = operation.Request is not null
            ? schemas.For(operation.Request)
            : contentType == "application/octet-stream"
                ? new JsonObject { ["type"] = "string", ["format"] = "binary" }
                : new JsonObject { ["type"] = "string" };
        var content = new JsonObject { [contentType] = new JsonObject { ["schema"] = schema } };
        if (operation.AlternateRequestContentType is { } alternate)
        {
            content[alternate] = new JsonObject { ["schema"] = new JsonObject { ["type"] = "string", ["format"] = "binary" } };
        }

        return new JsonObject
        {
            ["required"] = operation.RequestRequired,
            ["content"] = content,
        };
    }

    private static JsonObject Responses(ApiRoute route, ApiOperationAttribute operation, OpenApiSchemas schemas)
    {
        var responses = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var response in route.Method.GetCustomAttributes<ApiResponseAttribute>())
        {
            var node = new JsonObject { ["description"] = response.Description };
            if (response.Headers.Length > 0)
            {
                var headers = new JsonObject();
                foreach (var header in response.Headers)
                {
                    headers[header] = new JsonObject
                    {
                        ["description"] = KnownHeaders.TryGetValue(header, out var description)
                            ? description
                            : throw new InvalidOperationException($"Header '{header}' of '{route.FunctionName}' is not in {nameof(KnownHeaders)}."),
                        ["schema"] = new JsonObject { ["type"] = "string" },
                    };
                }

                node["headers"] = headers;
            }

            if (response.Body is not null || response.ContentType is not null)
            {
                var schema = response.Body is not null
                    ? schemas.For(response.Body)
                    : new JsonObject { ["type"] = response.ContentType == "application/json" ? "object" : "string" };
                node["content"] = new JsonObject { [response.ContentType ?? "application/json"] = new JsonObject { ["schema"] = schema } };
                if (response.AlternateContentType is { } alternate)
                {
                    node["content"]![alternate] = new JsonObject { ["schema"] = new JsonObject { ["type"] = "string", ["format"] = "binary" } };
                }
            }

            Add(responses, route, response.Status, node);
        }

        if (!operation.AnswersOnlyErrors && !responses.Keys.Any(k => k.StartsWith('2')))
        {
            throw new InvalidOperationException($"HTTP function '{route.FunctionName}' declares no success answer ([ApiResponse] with a 2xx status).");
        }

        var codes = operation.Errors.AsEnumerable();
        if (route.AuthLevel != AuthorizationLevel.Anonymous)
        {
            codes = codes.Append(ErrorCodes.InternalError).Append(ErrorCodes.StorageUnavailable);
            Add(responses, route, 401, new JsonObject
            {
                ["description"] = "No key, or a key that does not open this route (a client's function key on an operator route). The host answers, without a body.",
            });
        }

        if (operation.ErrorShape == ErrorShape.Mlflow)
        {
            foreach (var group in codes.Distinct().Select(ErrorCodes.Get).Select(c => (Code: c, Mlflow: MlflowErrors.For(c.Code))).GroupBy(c => c.Mlflow.Status))
            {
                Add(responses, route, group.Key, new JsonObject
                {
                    ["description"] = string.Join(" ", group.Select(c => $"`{c.Mlflow.ErrorCode}`: {c.Code.Description}")),
                    ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = schemas.For(typeof(MlflowError)) } },
                    ["x-error-codes"] = new JsonArray([.. group.Select(c => c.Mlflow.ErrorCode).Distinct().Select(c => (JsonNode)c)]),
                });
            }
        }
        else
        {
            foreach (var group in codes.Distinct().Select(ErrorCodes.Get).GroupBy(c => c.Status))
            {
                Add(responses, route, group.Key, new JsonObject
                {
                    ["description"] = string.Join(" ", group.Select(c => $"`{c.Code}`: {c.Description}")),
                    ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = schemas.For(typeof(ApiError)) } },
                    ["x-error-codes"] = new JsonArray([.. group.Select(c => (JsonNode)c.Code)]),
                });
            }
        }

        var ordered = new JsonObject();
        foreach (var (status, response) in responses)
        {
            ordered[status] = response;
        }

        return ordered;
    }

    private static void Add(SortedDictionary<string, JsonObject> responses, ApiRoute route, int status, JsonObject response)
    {
        if (!responses.TryAdd(status.ToString(System.Globalization.CultureInfo.InvariantCulture), response))
        {
            throw new InvalidOperationException($"HTTP function '{route.FunctionName}' describes status {status} twice.");
        }
    }

    private static JsonObject SecuritySchemes() => new()
    {
        [FunctionKeyHeader] = Scheme("header", "x-functions-key", "A function key: opens the client routes (inference, metadata, readiness)."),
        [FunctionKeyQuery] = Scheme("query", "code", "A function key in the query string: opens the client routes."),
        [MasterKeyHeader] = Scheme("header", "x-functions-key", "The master key: opens every route (operators: registry, aliases, manifests, baselines, feedback, workflows, monitoring)."),
        [MasterKeyQuery] = Scheme("query", "code", "The master key in the query string: opens every route."),
    };

    private static JsonObject Scheme(string location, string name, string description) => new()
    {
        ["type"] = "apiKey",
        ["in"] = location,
        ["name"] = name,
        ["description"] = description,
    };

    [GeneratedRegex(@"\{\*?(\w+)(?::[^}]*)?\??\}")]
    private static partial Regex RouteParameter();
}

/// <summary>An HTTP function as its trigger declares it: name, method, route template (without the host's prefix), methods (lower case) and level.</summary>
public sealed record ApiRoute(string FunctionName, MethodInfo Method, string Template, IReadOnlyList<string> Methods, AuthorizationLevel AuthLevel);
