using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Serverless.Core.Buffers;
using Serverless.Core.Protocol;

namespace Serverless.Functions.Http;

/// <summary>
/// Writes an already encoded JSON body from a pooled buffer, then returns the buffer to the pool. With a JSON header
/// length (the binary tensor extension) the body is that much JSON followed by raw tensor bytes: it goes out as
/// application/octet-stream with the length in <see cref="BinaryTensorData.HeaderName"/>. Executes alike as an
/// <see cref="IActionResult"/> and as an <see cref="IResult"/> (which a host can run without an action context).
/// </summary>
public sealed class PooledJsonResult : IActionResult, IResult
{
    private readonly PooledBufferWriter _body;
    private readonly int _jsonHeaderLength;

    public PooledJsonResult(PooledBufferWriter body, int jsonHeaderLength = -1)
    {
        _body = body;
        _jsonHeaderLength = jsonHeaderLength;
    }

    public Task ExecuteResultAsync(ActionContext context) => ExecuteAsync(context.HttpContext);

    /// <summary>Writes the body and returns the buffer; completes synchronously (no state machine) when the response takes the bytes at once.</summary>
    public Task ExecuteAsync(HttpContext httpContext)
    {
        ValueTask write;
        try
        {
            var response = httpContext.Response;
            response.StatusCode = StatusCodes.Status200OK;
            if (_jsonHeaderLength < 0)
            {
                response.ContentType = "application/json";
            }
            else
            {
                response.ContentType = BinaryTensorData.ContentType;
                response.Headers[BinaryTensorData.HeaderName] = _jsonHeaderLength.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            response.ContentLength = _body.WrittenCount;
            write = response.Body.WriteAsync(_body.WrittenMemory, httpContext.RequestAborted);
        }
        catch (Exception e)
        {
            _body.Dispose();
            return Task.FromException(e);
        }

        if (!write.IsCompletedSuccessfully)
        {
            return DisposeAfterAsync(write);
        }

        write.GetAwaiter().GetResult();
        _body.Dispose();
        return Task.CompletedTask;
    }

    private async Task DisposeAfterAsync(ValueTask write)
    {
        try
        {
            await write;
        }
        finally
        {
            _body.Dispose();
        }
    }
}
