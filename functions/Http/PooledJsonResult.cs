using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Serverless.Core.Buffers;
using Serverless.Core.Protocol;

namespace Serverless.Functions.Http;

/// <summary>
/// Writes an already encoded JSON body from a pooled buffer, then returns the buffer to the pool. With a JSON header
/// length (the binary tensor extension) the body is that much JSON followed by raw tensor bytes: it goes out as
/// application/octet-stream with the length in <see cref="BinaryTensorData.HeaderName"/>.
/// </summary>
public sealed class PooledJsonResult : IActionResult
{
    private readonly PooledBufferWriter _body;
    private readonly int _jsonHeaderLength;

    public PooledJsonResult(PooledBufferWriter body, int jsonHeaderLength = -1)
    {
        _body = body;
        _jsonHeaderLength = jsonHeaderLength;
    }

    public async Task ExecuteResultAsync(ActionContext context)
    {
        try
        {
            var response = context.HttpContext.Response;
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
            await response.Body.WriteAsync(_body.WrittenMemory, context.HttpContext.RequestAborted);
        }
        finally
        {
            _body.Dispose();
        }
    }
}
