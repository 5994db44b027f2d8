using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Serverless.Core.Buffers;

namespace Serverless.Functions.Http;

/// <summary>Writes an already encoded JSON body from a pooled buffer, then returns the buffer to the pool.</summary>
public sealed class PooledJsonResult : IActionResult
{
    private readonly PooledBufferWriter _body;

    public PooledJsonResult(PooledBufferWriter body)
    {
        _body = body;
    }

    public async Task ExecuteResultAsync(ActionContext context)
    {
        try
        {
            var response = context.HttpContext.Response;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "application/json";
            response.ContentLength = _body.WrittenCount;
            await response.Body.WriteAsync(_body.WrittenMemory, context.HttpContext.RequestAborted);
        }
        finally
        {
            _body.Dispose();
        }
    }
}
