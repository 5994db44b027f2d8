using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Serverless.Functions.Mlflow;

/// <summary>Copies a stream (an artifact's blob, read as it goes) to the response as application/octet-stream, then disposes it.</summary>
public sealed class ArtifactStreamResult : IActionResult, IResult
{
    private readonly Stream _content;
    private readonly long _length;

    public ArtifactStreamResult(Stream content, long length)
    {
        _content = content;
        _length = length;
    }

    public Task ExecuteResultAsync(ActionContext context) => ExecuteAsync(context.HttpContext);

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        await using (_content)
        {
            httpContext.Response.StatusCode = StatusCodes.Status200OK;
            httpContext.Response.ContentType = "application/octet-stream";
            httpContext.Response.ContentLength = _length;
            await _content.CopyToAsync(httpContext.Response.Body, 81920, httpContext.RequestAborted);
        }
    }
}
