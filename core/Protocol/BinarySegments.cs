using Serverless.Core.Errors;

namespace Serverless.Core.Protocol;

/// <summary>
/// The bytes after a request's JSON header, handed out in input order as each binary input takes its
/// <c>binary_data_size</c>; a size is only trusted once it fits what is left. Not thread-safe (a stack value).
/// </summary>
internal ref struct BinarySegments
{
    private readonly ReadOnlySpan<byte> _bytes;

    public BinarySegments(ReadOnlySpan<byte> bytes, bool present)
    {
        _bytes = bytes;
        Present = present;
    }

    /// <summary>Whether the request has a JSON header length (so inputs may be binary).</summary>
    public bool Present { get; }

    public readonly int Length => _bytes.Length;

    /// <summary>The bytes taken so far.</summary>
    public int Consumed { get; private set; }

    /// <summary>The next <paramref name="size"/> bytes, for input <paramref name="inputName"/>; more than are left is a BadRequest.</summary>
    public ReadOnlySpan<byte> Take(string inputName, long size)
    {
        var left = _bytes.Length - Consumed;
        if (size > left)
        {
            throw ServingException.BadRequest(
                $"Input '{inputName}': binary_data_size is {size} but only {left} byte(s) of tensor data are left after the JSON header" +
                (Consumed > 0 ? " and the binary inputs before it." : "."));
        }

        var segment = _bytes.Slice(Consumed, (int)size);
        Consumed += (int)size;
        return segment;
    }
}
