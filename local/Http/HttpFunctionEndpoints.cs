using Serverless.Functions.Http;
using Serverless.Local.Catalog;

namespace Serverless.Local.Http;

/// <summary>
/// Maps every HTTP-triggered function to an ASP.NET Core endpoint at its declared route and methods. Per request: the key
/// check, then the function (on its shared instance when <see cref="FunctionInvoker.IsShared"/>, else on a new one from the
/// request's scope), then its result written (<see cref="FunctionResultWriter"/>); a function that completes synchronously
/// costs no state machine.
/// </summary>
internal static class HttpFunctionEndpoints
{
    public static IReadOnlyList<HttpRoute> MapHttpFunctions(this IEndpointRouteBuilder endpoints, FunctionCatalog catalog, string routePrefix, FunctionKeys keys,
        IServiceCollection services)
    {
        var routes = catalog.HttpRoutes();
        var logger = endpoints.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger("Function");
        foreach (var route in routes)
        {
            var function = catalog.Functions.Single(f => f.Name == route.FunctionName);
            var invoker = FunctionInvoker.Create(function, endpoints.ServiceProvider, SharedFunctionInstance.CanShare(function.Method.DeclaringType!, services));
            var pattern = "/" + HttpRoute.JoinPath(routePrefix, route.Template);
            RequestDelegate handler = context =>
            {
                var admittedBy = keys.AdmittedBy(context.Request, route.AuthLevel);
                if (admittedBy is null)
                {
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    return Task.CompletedTask;
                }

                // Without a key presented, what admitted the request is "anonymous", which CallerIdentity concludes by itself.
                if (admittedBy != FunctionKeys.Anonymous || FunctionKeys.PresentsKey(context.Request))
                {
                    context.Items[CallerIdentity.AdmittedByItem] = admittedBy;
                }

                if (!invoker.IsShared)
                {
                    return RespondAsync(context, invoker.InvokeAsync(new InvocationContext(context.RequestServices, context, context.Request, context.RequestAborted)),
                        route, logger);
                }

                ValueTask<object?> result;
                try
                {
                    result = invoker.AwaitResultAsync(invoker.InvokeShared(context));
                }
                catch (Exception e) when (!context.RequestAborted.IsCancellationRequested)
                {
                    return Fail(context, e, route, logger);
                }

                return result.IsCompletedSuccessfully ? FunctionResultWriter.WriteAsync(context, result.Result) : RespondAsync(context, result, route, logger);
            };

            var endpoint = route.Methods.Count == 0 ? endpoints.Map(pattern, handler) : endpoints.MapMethods(pattern, route.Methods, handler);
            endpoint.WithDisplayName(route.FunctionName);
        }

        return routes;
    }

    private static async Task RespondAsync(HttpContext context, ValueTask<object?> invocation, HttpRoute route, ILogger logger)
    {
        object? result;
        try
        {
            result = await invocation;
        }
        catch (Exception e) when (!context.RequestAborted.IsCancellationRequested)
        {
            await Fail(context, e, route, logger);
            return;
        }

        await FunctionResultWriter.WriteAsync(context, result);
    }

    private static Task Fail(HttpContext context, Exception e, HttpRoute route, ILogger logger)
    {
        logger.LogError(e, "Executed '{Function}' (Failed)", route.FunctionName);
        context.Response.StatusCode = StatusCodes.Status500InternalServerError;
        return Task.CompletedTask;
    }
}
