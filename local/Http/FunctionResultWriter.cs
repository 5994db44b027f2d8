using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;

namespace Serverless.Local.Http;

/// <summary>Turns a function's return value into the HTTP response, as the Functions ASP.NET Core integration does.</summary>
internal static class FunctionResultWriter
{
    private static readonly ActionDescriptor EmptyDescriptor = new();

    public static Task WriteAsync(HttpContext context, object? result) => result switch
    {
        IActionResult action => action.ExecuteResultAsync(new ActionContext(context, context.GetRouteData(), EmptyDescriptor)),
        IResult minimal => minimal.ExecuteAsync(context),
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
