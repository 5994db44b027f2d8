using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Serverless.Core.Errors;
using Serverless.Core.Mirroring;
using Serverless.Core.Protocol;
using Serverless.Core.Serving;
using Serverless.Functions.Http;
using Serverless.Functions.OpenApi;

namespace Serverless.Functions.Health;

/// <summary>OIP v2 server metadata, liveness and readiness. Anonymous, so platform probes need no key.</summary>
public sealed class ServerHealthFunctions
{
    internal static readonly string ServerVersion =
        typeof(ServerHealthFunctions).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "1.0.0";

    private static readonly string[] Extensions = [BinaryTensorData.ExtensionName];

    private readonly ServingReadiness _readiness;
    private readonly MirrorCounters _mirror;

    public ServerHealthFunctions(ServingReadiness readiness, MirrorCounters mirror)
    {
        _readiness = readiness;
        _mirror = mirror;
    }

    [Function("ServerMetadata")]
    [ApiOperation("OIP v2 server metadata")]
    [ApiResponse(StatusCodes.Status200OK, typeof(ServerMetadataResponse), "The server's name, version and OIP extensions.")]
    public IActionResult ServerMetadata([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v2")] HttpRequest request) =>
        new JsonBodyResult(new ServerMetadataResponse("serverless-onnx", ServerVersion, Extensions));

    [Function("ServerLive")]
    [ApiOperation("Liveness")]
    [ApiResponse(StatusCodes.Status200OK, typeof(LivenessResponse), "The process answers.")]
    public IActionResult Live([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v2/health/live")] HttpRequest request) =>
        new JsonBodyResult(new LivenessResponse(true));

    [Function("ServerReady")]
    [ApiOperation("Readiness", Description = "Ready once start-up warming (aliased versions loaded, the request pipeline warmed) is done. " +
                                             "Once this instance has handled mirror copies, mirror counts them: sent, scored, failed and dropped by reason.")]
    [ApiResponse(StatusCodes.Status200OK, typeof(ReadinessResponse), "Ready, with how long start-up took (startup_ms).")]
    [ApiResponse(StatusCodes.Status503ServiceUnavailable, typeof(ReadinessResponse), "Not ready yet: status says the start-up stage; code is unavailable.")]
    public IActionResult Ready([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v2/health/ready")] HttpRequest request) =>
        _readiness.IsReady
            ? new JsonBodyResult(new ReadinessResponse(true, StartupMs: _readiness.StartupMs, Mirror: MirrorStatus.From(_mirror)))
            : new JsonBodyResult(
                new ReadinessResponse(false, Status: _readiness.Status, Error: $"The server is not ready yet ({_readiness.Status}); retry later.", Code: ErrorCodes.Unavailable),
                StatusCodes.Status503ServiceUnavailable);
}
