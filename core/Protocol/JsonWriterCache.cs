using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Serverless.Core.Protocol;

/// <summary>One reusable <see cref="Utf8JsonWriter"/> per thread, so writing a response allocates no writer.</summary>
internal static class JsonWriterCache
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

#pragma warning disable IDE1006 // [ThreadStatic] fields are t_camelCase; the naming rules cannot tell them from s_ fields.
    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;
#pragma warning restore IDE1006

    /// <summary>Returns this thread's writer reset onto <paramref name="output"/>; use it synchronously and flush it.</summary>
    public static Utf8JsonWriter Rent(IBufferWriter<byte> output)
    {
        var writer = t_writer;
        if (writer is null)
        {
            writer = new Utf8JsonWriter(output, Options);
            t_writer = writer;
        }
        else
        {
            writer.Reset(output);
        }

        return writer;
    }
}
