using System.Buffers;
using Serverless.Core.Errors;

namespace Serverless.Core.Buffers;

/// <summary>
/// A request body read into one array rented from the shared pool, capped at a byte limit.
/// The array grows with the bytes that actually arrive, never from the client's <c>Content-Length</c> alone: it starts at
/// <c>min(Content-Length, </c><see cref="InitialBytes"/><c>)</c> (so a small body is one rent and no copy) and doubles as data
/// comes in, so a client that declares a large body and sends little holds little memory.
/// Not thread-safe; dispose it exactly once.
/// </summary>
public sealed class RequestBody : IDisposable
{
    /// <summary>The most bytes rented before any data has arrived (64 KiB).</summary>
    public const int InitialBytes = 64 * 1024;

    private const int InitialBytesWithoutLength = 16 * 1024;

    private byte[] _buffer;

    private RequestBody(byte[] buffer, int length)
    {
        _buffer = buffer;
        Length = length;
    }

    public int Length { get; }

    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, Length);

    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, Length);

    /// <summary>
    /// Reads the stream to its end. Throws <see cref="ServingException"/> (PayloadTooLarge) as soon as the body is
    /// known to exceed <paramref name="maxBytes"/>, from Content-Length when given, else while reading.
    /// Memory held is at most about twice the bytes received (plus <see cref="InitialBytes"/>), whatever the client declared.
    /// </summary>
    public static async ValueTask<RequestBody> ReadAsync(Stream body, long? contentLength, long maxBytes, CancellationToken cancellationToken)
    {
        var limit = (int)Math.Min(maxBytes, Array.MaxLength);
        if (contentLength > limit)
        {
            throw TooLarge(contentLength.Value, limit);
        }

        var buffer = ArrayPool<byte>.Shared.Rent(contentLength is > 0 ? (int)Math.Min(contentLength.Value, InitialBytes) : InitialBytesWithoutLength);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == Math.Min(buffer.Length, limit))
                {
                    byte? extra = null;
                    if (length >= limit || length == contentLength)
                    {
                        // At the limit, or exactly the declared length: one more byte tells the end from an oversized body.
                        var probe = new byte[1];
                        if (await body.ReadAsync(probe, cancellationToken).ConfigureAwait(false) == 0)
                        {
                            break;
                        }

                        if (length >= limit)
                        {
                            throw TooLarge(null, limit);
                        }

                        extra = probe[0];
                    }

                    var grown = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, limit));
                    buffer.AsSpan(0, length).CopyTo(grown);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = grown;
                    if (extra is { } b)
                    {
                        buffer[length++] = b;
                        continue;
                    }
                }

                var read = await body.ReadAsync(buffer.AsMemory(length, Math.Min(buffer.Length, limit) - length), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                length += read;
            }

            return new RequestBody(buffer, length);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    /// <summary>Copies the body into an exactly sized array (for APIs that need one, such as ONNX Runtime's loader).</summary>
    public byte[] ToArray() => Span.ToArray();

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static ServingException TooLarge(long? length, long limit) => ServingException.PayloadTooLarge(
        length is null
            ? $"The request body is larger than the limit of {limit} bytes."
            : $"The request body ({length} bytes) is larger than the limit of {limit} bytes.");
}
