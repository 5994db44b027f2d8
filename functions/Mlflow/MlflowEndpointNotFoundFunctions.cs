using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Serverless.Functions.Http;
using Serverless.Functions.OpenApi;

namespace Serverless.Functions.Mlflow;

/// <summary>
/// Any <c>api/2.0/mlflow/...</c> route the app does not serve answers MLflow's <c>ENDPOINT_NOT_FOUND</c> (404) in its error shape, so an MLflow
/// client says which endpoint is missing instead of failing to read a body. A catch-all: both hosts prefer every literal route over it.
/// One function per method, as each operation has its own id.
/// </summary>
public sealed class MlflowEndpointNotFoundFunctions
{
    private const string Route = "2.0/mlflow/{*path}";
    private const string Summary = "MLflow: any other api/2.0/mlflow route";
    private const int MaxShownPath = 200;
    private const string Answer = "ENDPOINT_NOT_FOUND: the app serves no such MLflow endpoint.";

    [Function("MlflowEndpointNotFoundGet")]
    [ApiOperation(Summary, ErrorShape = ErrorShape.Mlflow, AnswersOnlyErrors = true)]
    [ApiResponse(StatusCodes.Status404NotFound, typeof(MlflowError), Answer)]
    public IActionResult Get([HttpTrigger(AuthorizationLevel.Admin, "get", Route = Route)] HttpRequest request) => NotFound(request);

    [Function("MlflowEndpointNotFoundPost")]
    [ApiOperation(Summary, ErrorShape = ErrorShape.Mlflow, AnswersOnlyErrors = true)]
    [ApiResponse(StatusCodes.Status404NotFound, typeof(MlflowError), Answer)]
    public IActionResult Post([HttpTrigger(AuthorizationLevel.Admin, "post", Route = Route)] HttpRequest request) => NotFound(request);

    [Function("MlflowEndpointNotFoundPatch")]
    [ApiOperation(Summary, ErrorShape = ErrorShape.Mlflow, AnswersOnlyErrors = true)]
    [ApiResponse(StatusCodes.Status404NotFound, typeof(MlflowError), Answer)]
    public IActionResult Patch([HttpTrigger(AuthorizationLevel.Admin, "patch", Route = Route)] HttpRequest request) => NotFound(request);

    [Function("MlflowEndpointNotFoundDelete")]
    [ApiOperation(Summary, ErrorShape = ErrorShape.Mlflow, AnswersOnlyErrors = true)]
    [ApiResponse(StatusCodes.Status404NotFound, typeof(MlflowError), Answer)]
    public IActionResult Delete([HttpTrigger(AuthorizationLevel.Admin, "delete", Route = Route)] HttpRequest request) => NotFound(request);

    private static IActionResult NotFound(HttpRequest request)
    {
        var path = request.Path.Value ?? string.Empty;
        var at = path.IndexOf("/mlflow/", StringComparison.Ordinal);
        path = at < 0 ? path : path[at..];
        return MlflowErrors.EndpointNotFound(request.Method, path.Length > MaxShownPath ? path[..MaxShownPath] + "..." : path);
    }
}
