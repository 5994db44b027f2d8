using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serverless.Core.Buffers;
using Serverless.Core.Errors;
using Serverless.Core.Serving;

namespace Serverless.Bench;

/// <summary>
/// The HTTP limit: a bare minimal-API endpoint on Kestrel (127.0.0.1, free port, logging off) that does only what
/// the Infer function must: read the body with <see cref="RequestBody"/>, call <see cref="InferenceService.Infer"/>
/// on a <see cref="LoadedModel"/>, and write the response bytes as the function's result does.
/// </summary>
public sealed class BareEndpoint : IAsyncDisposable
{
    private const long MaxRequestBodyBytes = 32L * 1024 * 1024;

    private readonly WebApplication _app;

    private BareEndpoint(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public Uri InferUri(string model) => new(BaseAddress, $"api/v2/models/{model}/infer");

    public static async Task<BareEndpoint> StartAsync(IReadOnlyDictionary<string, LoadedModel> models)
    {
        var builder = LoopbackApp.CreateBuilder("Serverless.Bench.BareEndpoint");
        builder.Logging.ClearProviders();
        builder.Services.Configure<KestrelServerOptions>(k => k.Limits.MaxRequestBodySize = null);
        var app = builder.Build();
        app.MapPost("/api/v2/models/{name}/infer", context => InferAsync(context, models));
        return new BareEndpoint(app, await LoopbackApp.StartAsync(app));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static async Task InferAsync(HttpContext context, IReadOnlyDictionary<string, LoadedModel> models)
    {
        var response = context.Response;
        if (context.GetRouteValue("name") is not string name || !models.TryGetValue(name, out var model))
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var cancellationToken = context.RequestAborted;
        using var body = await RequestBody.ReadAsync(context.Request.Body, context.Request.ContentLength, MaxRequestBodyBytes, cancellationToken);
        using var output = new PooledBufferWriter(Math.Max(1024, body.Length));
        try
        {
            InferenceService.Infer(model, body.Span, output);
        }
        catch (ServingException e)
        {
            response.StatusCode = e.StatusCode;
            await response.WriteAsync(e.Message, cancellationToken);
            return;
        }

        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        response.ContentLength = output.WrittenCount;
        await response.Body.WriteAsync(output.WrittenMemory, cancellationToken);
    }
}
