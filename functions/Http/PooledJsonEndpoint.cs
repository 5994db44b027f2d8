using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Serverless.Core.Buffers;

namespace Serverless.Functions.Http;

/// <summary>
/// The hot-path shape shared by infer and predict: read the body into a pooled buffer under a limit, let core
/// write the JSON answer into a pooled writer, and hand that writer to the response (which returns it to the pool).
/// </summary>
public static class PooledJsonEndpoint
{
    public delegate ValueTask Handler(ReadOnlyMemory<byte> body, PooledBufferWriter output, CancellationToken cancellationToken);

    /// <summary>
    /// A handler whose answer may be a JSON header followed by binary tensor data: it returns the JSON header's length in
    /// bytes then, else -1 (the answer is all JSON).
    /// </summary>
    public delegate ValueTask<int> BinaryHandler(ReadOnlyMemory<byte> body, PooledBufferWriter output, CancellationToken cancellationToken);

    public static async Task<IActionResult> RespondAsync(HttpRequest request, long maxBodyBytes, Handler handler)
    {
        var cancellationToken = request.HttpContext.RequestAborted;
        using var body = await RequestBody.ReadAsync(request.Body, request.ContentLength, maxBodyBytes, cancellationToken);
        var output = new PooledBufferWriter(Math.Max(1024, body.Length));
        try
        {
            await handler(body.Memory, output, cancellationToken);
            return new PooledJsonResult(output);
        }
        catch
        {
            output.Dispose();
            throw;
        }
    }

    public static async Task<IActionResult> RespondAsync(HttpRequest request, long maxBodyBytes, BinaryHandler handler)
    {
        var cancellationToken = request.HttpContext.RequestAborted;
        using var body = await RequestBody.ReadAsync(request.Body, request.ContentLength, maxBodyBytes, cancellationToken);
        var output = new PooledBufferWriter(Math.Max(1024, body.Length));
        try
        {
            var headerLength = await handler(body.Memory, output, cancellationToken);
            return new PooledJsonResult(output, headerLength);
        }
        catch
        {
            output.Dispose();
            throw;
        }
    }
}
