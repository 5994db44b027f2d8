using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serverless.Core.Errors;
using Serverless.Core.Storage;
using Serverless.Core.Training.Tracking;
using Serverless.Functions.Http;
using Serverless.Functions.OpenApi;

namespace Serverless.Functions.Mlflow;

/// <summary>
/// MLflow's proxied artifact API (<c>mlflow-artifacts/artifacts</c>: upload, download, list, delete) on Blob storage, so clients need no
/// storage credentials; and the tracking API's artifact listing of a run. Uploads go only under an active run's artifact root.
/// </summary>
public sealed class MlflowArtifactFunctions
{
    private const string Prefix = "2.0/mlflow-artifacts/artifacts";

    private readonly ArtifactStore _artifacts;
    private readonly TrackingStore _store;
    private readonly MlflowOptions _options;
    private readonly ILogger<MlflowArtifactFunctions> _logger;

    public MlflowArtifactFunctions(ArtifactStore artifacts, TrackingStore store, IOptions<MlflowOptions> options, ILogger<MlflowArtifactFunctions> logger)
    {
        _artifacts = artifacts;
        _store = store;
        _options = options.Value;
        _logger = logger;
    }

    [Function("MlflowUploadArtifact")]
    [ApiOperation("MLflow: upload an artifact", RequestContentType = "application/octet-stream", ErrorShape = Http.ErrorShape.Mlflow,
        Description = "Streamed to Blob storage in 4 MiB blocks, never held whole; over Mlflow:MaxArtifactBytes it is refused (413) and nothing is kept. " +
                      "The path must lie under an active run's artifact root ({experiment}/{run}/artifacts/...); the same path again replaces the file.",
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.NotFound, ErrorCodes.PayloadTooLarge])]
    [ApiResponse(StatusCodes.Status200OK, typeof(MlflowEmptyResponse), "Stored.")]
    public Task<IActionResult> Upload([HttpTrigger(AuthorizationLevel.Admin, "put", Route = Prefix + "/{*path}")] HttpRequest request, string path) =>
        ApiResults.GuardAsync(async () =>
        {
            var cancellationToken = request.HttpContext.RequestAborted;
            path = ArtifactStore.CheckPath(path);
            await RequireRunRootAsync(path, cancellationToken);
            if (request.ContentLength > _options.MaxArtifactBytes)
            {
                throw ServingException.PayloadTooLarge($"The artifact is {request.ContentLength} bytes, over the limit of {_options.MaxArtifactBytes} (Mlflow:MaxArtifactBytes).");
            }

            await _artifacts.UploadAsync(path, request.Body, _options.MaxArtifactBytes, cancellationToken);
            return MlflowHttp.Ok(new MlflowEmptyResponse());
        }, _logger, Http.ErrorShape.Mlflow);

    [Function("MlflowDownloadArtifact")]
    [ApiOperation("MLflow: download an artifact", ErrorShape = Http.ErrorShape.Mlflow, Errors = [ErrorCodes.InvalidInput, ErrorCodes.NotFound])]
    [ApiResponse(StatusCodes.Status200OK, null, "The file's bytes, streamed.", ContentType = "application/octet-stream")]
    public Task<IActionResult> Download([HttpTrigger(AuthorizationLevel.Admin, "get", Route = Prefix + "/{*path}")] HttpRequest request, string path) =>
        ApiResults.GuardAsync(async () =>
        {
            var (content, length) = await _artifacts.OpenReadAsync(ArtifactStore.CheckPath(path), request.HttpContext.RequestAborted);
            return new ArtifactStreamResult(content, length);
        }, _logger, Http.ErrorShape.Mlflow);

    [Function("MlflowDeleteArtifact")]
    [ApiOperation("MLflow: delete an artifact or folder", ErrorShape = Http.ErrorShape.Mlflow,
        Description = "The path must lie under an active run's artifact root.", Errors = [ErrorCodes.InvalidInput, ErrorCodes.NotFound])]
    [ApiResponse(StatusCodes.Status200OK, typeof(MlflowEmptyResponse), "Deleted (nothing there is not an error, as in MLflow).")]
    public Task<IActionResult> Delete([HttpTrigger(AuthorizationLevel.Admin, "delete", Route = Prefix + "/{*path}")] HttpRequest request, string path) =>
        ApiResults.GuardAsync(async () =>
        {
            var cancellationToken = request.HttpContext.RequestAborted;
            path = ArtifactStore.CheckPath(path);
            await RequireRunRootAsync(path, cancellationToken);
            await _artifacts.DeleteAsync(path, cancellationToken);
            return MlflowHttp.Ok(new MlflowEmptyResponse());
        }, _logger, Http.ErrorShape.Mlflow);

    [Function("MlflowListProxiedArtifacts")]
    [ApiOperation("MLflow: list a folder of artifacts", ErrorShape = Http.ErrorShape.Mlflow, Errors = [ErrorCodes.InvalidInput])]
    [ApiParameter("path", ApiParameterLocation.Query, "The folder ({experiment}/{run}/artifacts/...); the root when absent.")]
    [ApiResponse(StatusCodes.Status200OK, typeof(MlflowListArtifactsResponse), "Files and folders directly under it, paths relative to it (at most 10,000).")]
    public Task<IActionResult> List([HttpTrigger(AuthorizationLevel.Admin, "get", Route = Prefix)] HttpRequest request) =>
        ApiResults.GuardAsync(async () =>
        {
            var path = ArtifactStore.CheckPath(request.Query["path"].ToString(), "path", allowEmpty: true);
            var entries = await _artifacts.ListAsync(path, request.HttpContext.RequestAborted);
            return MlflowHttp.Ok(new MlflowListArtifactsResponse(null, [.. entries.Select(e => new MlflowFileInfo(e.Path, e.IsDir, e.FileSize))]));
        }, _logger, Http.ErrorShape.Mlflow);

    [Function("MlflowListArtifacts")]
    [ApiOperation("MLflow: list a run's artifacts", ErrorShape = Http.ErrorShape.Mlflow,
        Description = "Paths relative to the run's artifact root; only for runs whose artifacts this server proxies.",
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.NotFound])]
    [ApiParameter("run_id", ApiParameterLocation.Query, "The run's id.")]
    [ApiParameter("path", ApiParameterLocation.Query, "A folder under the run's artifact root; the root when absent.")]
    [ApiResponse(StatusCodes.Status200OK, typeof(MlflowListArtifactsResponse), "The run's root URI with the files and folders directly under the path.")]
    public Task<IActionResult> ListRun([HttpTrigger(AuthorizationLevel.Admin, "get", Route = "2.0/mlflow/artifacts/list")] HttpRequest request) =>
        MlflowHttp.HandleAsync<MlflowListArtifactsRequest>(request, _logger, async (body, ct) =>
        {
            var run = await _store.GetRunAsync(body.RunId ?? body.RunUuid, ct);
            var root = ArtifactStore.PathOf(run.Info.ArtifactUri)
                ?? throw ServingException.BadRequest($"The run's artifacts are at {DataText.Quote(run.Info.ArtifactUri)}, not proxied by this server.");
            var relative = ArtifactStore.CheckPath(body.Path, "path", allowEmpty: true);
            var entries = await _artifacts.ListAsync(relative.Length == 0 ? root : $"{root}/{relative}", ct);
            return new MlflowListArtifactsResponse(run.Info.ArtifactUri,
                [.. entries.Select(e => new MlflowFileInfo(relative.Length == 0 ? e.Path : $"{relative}/{e.Path}", e.IsDir, e.FileSize))]);
        });

    private async Task RequireRunRootAsync(string path, CancellationToken cancellationToken)
    {
        var segments = path.Split('/');
        if (segments.Length < 4 || segments[2] != "artifacts" || !segments[0].All(char.IsAsciiDigit))
        {
            throw ServingException.BadRequest(
                $"Artifacts are stored under a run's artifact root, {{experiment}}/{{run}}/artifacts/..., not at {DataText.Quote(path)}.");
        }

        var run = await _store.GetRunAsync(segments[1], cancellationToken);
        if (run.Info.ExperimentId != segments[0] || ArtifactStore.PathOf(run.Info.ArtifactUri) != $"{segments[0]}/{segments[1]}/artifacts")
        {
            throw ServingException.BadRequest($"Run {run.Info.RunId} does not keep its artifacts at {DataText.Quote(string.Join('/', segments[..3]))}.");
        }

        if (run.Info.LifecycleStage != Lifecycle.Active)
        {
            throw ServingException.BadRequest($"The run {run.Info.RunId} must be in the 'active' state. Current state is {run.Info.LifecycleStage}.");
        }
    }
}
