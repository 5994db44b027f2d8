using System.Collections;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Serverless.Core.Buffers;
using Serverless.Core.Errors;
using Serverless.Core.Storage;
using Serverless.Core.Training.Tracking;
using Serverless.Functions.Http;

namespace Serverless.Functions.Mlflow;

/// <summary>
/// How an MLflow route reads its request and writes its answer, as MLflow's client and server do: a GET's fields come from the
/// query string (a repeated field from repeated parameters), any other method's from its JSON body (at most
/// <see cref="TrackingLimits.MaxRequestBytes"/>), or from the query when the body is empty; fields this server does not know are
/// ignored, as newer clients send more; numbers may be quoted (int64 in proto3 JSON). Answers are written with
/// <see cref="MlflowErrors.Options"/>, failures in MLflow's shape (<see cref="ErrorShape.Mlflow"/>).
/// </summary>
internal static class MlflowHttp
{
    private static readonly JsonSerializerOptions ReadOptions = MlflowErrors.Options;

    public static Task<IActionResult> HandleAsync<TRequest>(HttpRequest request, ILogger logger, Func<TRequest, CancellationToken, Task<object>> handler) =>
        ApiResults.GuardAsync(async () =>
        {
            var body = await ReadAsync<TRequest>(request);
            return Ok(await handler(body, request.HttpContext.RequestAborted));
        }, logger, ErrorShape.Mlflow);

    public static IActionResult Ok(object value) => new JsonBodyResult(value, options: MlflowErrors.Options);

    public static async Task<T> ReadAsync<T>(HttpRequest request)
    {
        if (!HttpMethods.IsGet(request.Method) && request.ContentLength != 0)
        {
            using var body = await RequestBody.ReadAsync(request.Body, request.ContentLength, TrackingLimits.MaxRequestBytes, request.HttpContext.RequestAborted);
            if (body.Length > 0)
            {
                return Parse<T>(body.Span);
            }
        }

        return FromQuery<T>(request.Query);
    }

    public static ViewType View(string? value, string field) => value?.ToUpperInvariant() switch
    {
        null or "" or "ACTIVE_ONLY" or "1" => ViewType.ActiveOnly,
        "DELETED_ONLY" or "2" => ViewType.DeletedOnly,
        "ALL" or "3" => ViewType.All,
        _ => throw ServingException.BadRequest($"Invalid value {DataText.Quote(value)} for parameter '{field}': use ACTIVE_ONLY, DELETED_ONLY or ALL."),
    };

    public static IReadOnlyList<KeyValuePair<string, string>> Pairs(IReadOnlyList<MlflowKeyValue>? items, string field) =>
        [.. (items ?? []).Select(t => new KeyValuePair<string, string>(TrackingLimits.Required(t.Key, field + ".key"), t.Value ?? string.Empty))];

    private static T Parse<T>(ReadOnlySpan<byte> json)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, ReadOptions) ?? throw ServingException.BadRequest("The body must be a JSON object.");
        }
        catch (JsonException e)
        {
            throw JsonErrorText.BadRequest(e, json, "The body", ReadOptions.GetTypeInfo(typeof(T)));
        }
    }

    private static T FromQuery<T>(IQueryCollection query)
    {
        var node = new JsonObject();
        foreach (var parameter in typeof(T).GetConstructors().Single().GetParameters())
        {
            var name = JsonNamingPolicy.SnakeCaseLower.ConvertName(parameter.Name!);
            if (!query.TryGetValue(name, out var values))
            {
                continue;
            }

            node[name] = IsList(parameter) ? new JsonArray([.. values.Select(v => (JsonNode?)JsonValue.Create(v))]) : JsonValue.Create(values.ToString());
        }

        return Parse<T>(JsonSerializer.SerializeToUtf8Bytes(node));
    }

    private static bool IsList(ParameterInfo parameter) =>
        parameter.ParameterType != typeof(string) && typeof(IEnumerable).IsAssignableFrom(parameter.ParameterType);
}
