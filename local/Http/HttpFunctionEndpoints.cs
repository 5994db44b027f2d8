using Serverless.Functions.Http;
using Serverless.Local.Catalog;

namespace Serverless.Local.Http;

/// <summary>Maps every HTTP-triggered function to an ASP.NET Core endpoint at its declared route and methods.</summary>
internal static class HttpFunctionEndpoints
{
    public static IReadOnlyList<HttpRoute> MapHttpFunctions(this IEndpointRouteBuilder endpoints, FunctionCatalog catalog, string routePrefix, FunctionKeys keys)
    {
        var routes = catalog.HttpRoutes();
        var logger = endpoints.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger("Function");
        foreach (var route in routes)
        {
            var invoker = FunctionInvoker.Create(catalog.Functions.Single(f => f.Name == route.FunctionName));
            var pattern = "/" + HttpRoute.JoinPath(routePrefix, route.Template);
            RequestDelegate handler = async context =>
            {
                var admittedBy = keys.AdmittedBy(context.Request, route.AuthLevel);
                if (admittedBy is null)
                {
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    return;
                }

                context.Items[CallerIdentity.AdmittedByItem] = admittedBy;

                object? result;
                try
                {
                    result = await invoker.InvokeAsync(new InvocationContext(context.RequestServices, context, context.Request, context.RequestAborted));
                }
                catch (Exception e) when (!context.RequestAborted.IsCancellationRequested)
                {
                    logger.LogError(e, "Executed '{Function}' (Failed)", route.FunctionName);
                    context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                    return;
                }

                await FunctionResultWriter.WriteAsync(context, result);
            };

            var endpoint = route.Methods.Count == 0 ? endpoints.Map(pattern, handler) : endpoints.MapMethods(pattern, route.Methods, handler);
            endpoint.WithDisplayName(route.FunctionName);
        }

        return routes;
    }
}
