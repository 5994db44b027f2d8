using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Serverless.Core.Serving;
using Serverless.Functions.Http;

namespace Serverless.Functions.Health;

/// <summary>OIP v2 server metadata, liveness and readiness. Anonymous, so platform probes need no key.</summary>
public sealed class ServerHealthFunctions
{
    private static readonly string ServerVersion =
        typeof(ServerHealthFunctions).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "1.0.0";

    private readonly ServingReadiness _readiness;

    public ServerHealthFunctions(ServingReadiness readiness)
    {
        _readiness = readiness;
    }

    [Function("ServerMetadata")]
    public IActionResult ServerMetadata([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v2")] HttpRequest request) =>
        new JsonBodyResult(new { name = "serverless-onnx", version = ServerVersion, extensions = Array.Empty<string>() });

    [Function("ServerLive")]
    public IActionResult Live([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v2/health/live")] HttpRequest request) =>
        new JsonBodyResult(new { live = true });

    [Function("ServerReady")]
    public IActionResult Ready([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v2/health/ready")] HttpRequest request) =>
        _readiness.IsReady
            ? new JsonBodyResult(new { ready = true, startup_ms = _readiness.StartupMs })
            : new JsonBodyResult(new { ready = false, status = _readiness.Status }, StatusCodes.Status503ServiceUnavailable);
}
