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
}
