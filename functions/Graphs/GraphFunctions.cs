using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Serverless.Core.Errors;
using Serverless.Core.Graphs;
using Serverless.Core.Models;
using Serverless.Core.Registry;
using Serverless.Functions.Http;
using Serverless.Functions.OpenApi;

namespace Serverless.Functions.Graphs;

/// <summary>
/// Inference graph versions: register (PUT a JSON spec), read and delete. A graph is served like a model, through
/// <c>v2/models/{name}/infer</c>, and aliased through the model alias routes; its name is never also a model's.
/// </summary>
public sealed class GraphFunctions(IModelRegistry registry, GraphService graphs, ILogger<GraphFunctions> logger)
{
    [Function("RegisterGraphVersion")]
    [ApiOperation("Register an inference graph version (a JSON spec)", Request = typeof(GraphSpecBody),
        Description = "Nodes: model (a member named name@version, name:alias or name), sequence, ensemble (combine mean, weighted_mean, vote, max " +
                      "or concat), switch (first branch whose condition holds, else default), splitter (random by weight) and code (a registered " +
                      "code step, first or last in the root sequence: a pre step on each row or a post step on each prediction of the records " +
                      "API and batch scoring; 400 naming an unregistered step). Tensors are " +
                      "referenced as $request.{input} or {node}.{output}; an unmapped member input is read by name. Every mapping is checked " +
                      "against the members' signatures (400 naming the node); pinned member versions cannot be deleted while the graph exists. " +
                      "Idempotent: the same spec again answers 200; another spec for an existing version, or a name that holds models, 409.",
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.Conflict, ErrorCodes.PayloadTooLarge])]
    [ApiResponse(StatusCodes.Status201Created, typeof(GraphVersionResponse), "Registered.", Headers = ["Location"])]
    [ApiResponse(StatusCodes.Status200OK, typeof(GraphVersionResponse), "The same spec was registered before.")]
    public Task<IActionResult> Register(
        [HttpTrigger(AuthorizationLevel.Admin, "put", Route = "graphs/{name}/versions/{version}")] HttpRequest request,
        string name, string version) =>
        ApiResults.GuardAsync(async () =>
        {
            using var body = await VersionBody.ReadAsync(request, name, version, GraphSpec.MaxBytes);
            var cancellationToken = request.HttpContext.RequestAborted;
            var (result, plan) = await graphs.RegisterAsync(name, version, body.Memory, cancellationToken);
            var spec = await graphs.GetSpecAsync(result.Version, cancellationToken);
            return ApiResults.CreatedOrOk(request, GraphVersionResponse.From(result.Version, plan, spec), result.Outcome == RegistrationOutcome.Created);
        }, logger);

    [Function("GetGraphVersion")]
    [ApiOperation("An inference graph version, with the versions its members resolve to now",
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.ModelNotFound, ErrorCodes.VersionNotFound, ErrorCodes.Conflict])]
    [ApiResponse(StatusCodes.Status200OK, typeof(GraphVersionResponse), "The graph version.")]
    public Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "graphs/{name}/versions/{version}")] HttpRequest request,
        string name, string version) =>
        ApiResults.GuardAsync(async () =>
        {
            var cancellationToken = request.HttpContext.RequestAborted;
            var graph = await GetGraphAsync(name, version, cancellationToken);
            var plan = await graphs.GetPlanAsync(graph, cancellationToken);
            return new JsonBodyResult(GraphVersionResponse.From(graph, plan, await graphs.GetSpecAsync(graph, cancellationToken)));
        }, logger);

    [Function("DeleteGraphVersion")]
    [ApiOperation("Delete an inference graph version", Description = "Refused (409) while an alias points at it; its pins on member versions go with it.",
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.ModelNotFound, ErrorCodes.VersionNotFound, ErrorCodes.Conflict])]
    [ApiResponse(StatusCodes.Status204NoContent, null, "Deleted.")]
    public Task<IActionResult> Delete(
        [HttpTrigger(AuthorizationLevel.Admin, "delete", Route = "graphs/{name}/versions/{version}")] HttpRequest request,
        string name, string version) =>
        ApiResults.GuardAsync(async () =>
        {
            var cancellationToken = request.HttpContext.RequestAborted;
            await GetGraphAsync(name, version, cancellationToken);
            await registry.DeleteVersionAsync(name, version, cancellationToken);
            return new NoContentResult();
        }, logger);

    private async Task<ModelVersion> GetGraphAsync(string name, string version, CancellationToken cancellationToken)
    {
        var found = await registry.GetExistingVersionAsync(name, version, cancellationToken);
        return found.IsGraph ? found : throw ServingException.NotFound($"'{name}' is a model, not an inference graph: see models/{name}/versions/{version}.");
    }
}
