using System.Text;

namespace Serverless.Core.Training.Runners;

/// <summary>The last <c>capacity</c> characters written to a stream (a process's stdout or stderr). Thread-safe.</summary>
internal sealed class OutputTail
{
    private readonly int _capacity;
    private readonly StringBuilder _text = new();
    private readonly Lock _gate = new();

    public OutputTail(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
    }

    public void Append(ReadOnlySpan<char> chars)
    {
        lock (_gate)
        {
            _text.Append(chars);
            // Trim in batches, not per write: the buffer holds between capacity and twice capacity characters.
            if (_text.Length > _capacity * 2)
            {
                _text.Remove(0, _text.Length - _capacity);
            }
        }
    }

    public override string ToString()
    {
        lock (_gate)
        {
            return _text.Length <= _capacity ? _text.ToString() : _text.ToString(_text.Length - _capacity, _capacity);
        }
    }

    /// <summary>Copies a reader into the tail until its end (or until the stream is closed under it).</summary>
    public async Task PumpAsync(TextReader reader)
    {
        var buffer = new char[1024];
        try
        {
            int read;
            while ((read = await reader.ReadAsync(buffer.AsMemory(), CancellationToken.None).ConfigureAwait(false)) > 0)
            {
                Append(buffer.AsSpan(0, read));
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The process was disposed while a grandchild still held the pipe: the tail keeps what was read.
        }
    }
}
