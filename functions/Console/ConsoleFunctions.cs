using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Serverless.Core.Errors;
using Serverless.Core.Monitoring.Monitor;
using Serverless.Functions.Http;
using Serverless.Functions.OpenApi;

namespace Serverless.Functions.Console;

/// <summary>
/// The operator's console: a page and its scripts and styles, served without a key (they hold no data). Everything the
/// console shows it reads from the public API in the browser, with the credential the operator enters; a client's
/// function key opens none of those routes, so it shows nothing.
/// </summary>
public sealed class ConsoleFunctions
{
    private readonly ConsoleAssets _assets;

    public ConsoleFunctions(ConsoleAssets assets)
    {
        _assets = assets;
    }

    [Function("GetConsolePage")]
    [ApiOperation("The operator's console (HTML)",
        Description = "Models, sweeps, workflows and monitoring at a glance; it reads the API with the operator's key, entered in the page. " +
                      "Revalidated with If-None-Match on every load.")]
    [ApiResponse(StatusCodes.Status200OK, null, "The page.", ContentType = "text/html")]
    public IActionResult Page([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "console")] HttpRequest request) =>
        request.Path.Value is { Length: > 1 } path && path.EndsWith('/')
            ? new ConsoleAssetResult(null, revalidate: true, redirect: path.TrimEnd('/'))
            : new ConsoleAssetResult(_assets.Index, revalidate: true);

    [Function("GetConsoleAsset")]
    [ApiOperation("A file of the console (script, style sheet)",
        Description = "Only the console's own files, by exact name. Asked for with the page's ?v= version, it may be kept a year; else it is revalidated.",
        Errors = [ErrorCodes.NotFound])]
    [ApiParameter("v", ApiParameterLocation.Query, "The file's version as the page names it.")]
    [ApiResponse(StatusCodes.Status200OK, null, "The file.", ContentType = "text/javascript")]
    public IActionResult Asset([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "console/{file}")] HttpRequest request, string file)
    {
        if (file == ConsoleAssets.IndexName || _assets.Find(file) is not { } asset)
        {
            return ApiResults.Error(ServingException.NotFound($"The console has no file '{CategoryKeys.Shown(file)}'."));
        }

        return new ConsoleAssetResult(asset, revalidate: request.Query["v"].ToString() != asset.Version);
    }
}
