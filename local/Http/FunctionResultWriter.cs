using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;

namespace Serverless.Local.Http;

/// <summary>
/// Turns a function's return value into the HTTP response, as the Functions ASP.NET Core integration does. A result that
/// is both an <see cref="IResult"/> and an <see cref="IActionResult"/> (the app's pooled and JSON results, which answer
/// alike either way) is written as an <see cref="IResult"/>, without building an <see cref="ActionContext"/> and route data per request.
/// </summary>
internal static class FunctionResultWriter
{
    private static readonly ActionDescriptor EmptyDescriptor = new();

    public static Task WriteAsync(HttpContext context, object? result) => result switch
    {
        IResult minimal => minimal.ExecuteAsync(context),
        IActionResult action => action.ExecuteResultAsync(new ActionContext(context, context.GetRouteData(), EmptyDescriptor)),
        null => WriteNoContent(context),
        string text => context.Response.WriteAsync(text, context.RequestAborted),
        _ => context.Response.WriteAsJsonAsync(result, result.GetType(), JsonSerializerOptions.Web, context.RequestAborted),
    };

    private static Task WriteNoContent(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status204NoContent;
        return Task.CompletedTask;
    }
}
