using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Mvc;
using Serverless.Core.Errors;

namespace Serverless.Functions.Http;

/// <summary>An error answer in MLflow's shape: one of MLflow's error codes and a message for people.</summary>
public sealed record MlflowError(string ErrorCode, string Message);

/// <summary>
/// The app's error codes as MLflow's (its <c>databricks.proto</c> ErrorCode names) with the HTTP status MLflow's server answers
/// for each (mlflow/exceptions.py): a mistake is INVALID_PARAMETER_VALUE (400), a conflict with what is stored (on these routes: a name
/// that is taken) RESOURCE_ALREADY_EXISTS (400), anything missing RESOURCE_DOES_NOT_EXIST (404). Where MLflow has no code for the
/// case the app's status stays (413 for a body over the limit, 412 for an ETag that no longer matches). Pure; thread-safe.
/// </summary>
public static class MlflowErrors
{
    /// <summary>How MLflow bodies are written: the API's names, absent values left out, NaN and infinities as MLflow's client reads them.</summary>
    public static JsonSerializerOptions Options { get; } = Freeze(new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
    });

    /// <summary>MLflow's error code and status for an app error code.</summary>
    public static (string ErrorCode, int Status) For(string code) => code switch
    {
        ErrorCodes.InvalidInput => ("INVALID_PARAMETER_VALUE", 400),
        ErrorCodes.ModelNotFound or ErrorCodes.VersionNotFound or ErrorCodes.AliasNotFound or ErrorCodes.NotFound => ("RESOURCE_DOES_NOT_EXIST", 404),
        ErrorCodes.Forbidden => ("PERMISSION_DENIED", 403),
        ErrorCodes.Conflict => ("RESOURCE_ALREADY_EXISTS", 400),
        ErrorCodes.PreconditionFailed => ("RESOURCE_CONFLICT", 412),
        ErrorCodes.PayloadTooLarge => ("INVALID_PARAMETER_VALUE", 413),
        ErrorCodes.IntegrityFailure => ("DATA_LOSS", 500),
        ErrorCodes.Unavailable or ErrorCodes.StorageUnavailable => ("TEMPORARILY_UNAVAILABLE", 503),
        _ => ("INTERNAL_ERROR", 500),
    };

    public static IActionResult Result(string code, string message)
    {
        var (errorCode, status) = For(code);
        return new JsonBodyResult(new MlflowError(errorCode, message), status, options: Options);
    }

    /// <summary>MLflow's answer to a route it does not have: ENDPOINT_NOT_FOUND (404), naming the method and path.</summary>
    public static IActionResult EndpointNotFound(string method, string path) =>
        new JsonBodyResult(new MlflowError("ENDPOINT_NOT_FOUND", $"No API found for '{method} {path}'. See the app's OpenAPI document (api/openapi.json) for the MLflow routes it serves."),
            404, options: Options);

    private static JsonSerializerOptions Freeze(JsonSerializerOptions options)
    {
        options.MakeReadOnly();
        return options;
    }
}
