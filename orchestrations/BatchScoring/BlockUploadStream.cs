using System.Buffers;
using System.Globalization;
using System.Text;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace Serverless.Orchestrations.BatchScoring;

/// <summary>
/// A write-only stream that uploads a block blob while it is being written: every <see cref="BlockBytes"/> become one staged
/// block, uploaded as the writer goes on, and <see cref="DisposeAsync"/> stages the rest and commits the blocks in order,
/// replacing the blob (so a retried writer never duplicates bytes). At most <see cref="MaxInFlight"/> blocks upload at once
/// after an asynchronous write or flush returns; a synchronous write never waits, so a writer that writes synchronously bounds
/// its memory by flushing asynchronously now and then. A failed upload fails the next asynchronous write, flush or the dispose;
/// nothing is committed then. Not thread-safe.
/// </summary>
internal sealed class BlockUploadStream : Stream
{
    /// <summary>Bytes per staged block.</summary>
    public const int BlockBytes = 1 << 20;

    /// <summary>Blocks uploading at once once an asynchronous write or flush returns.</summary>
    public const int MaxInFlight = 2;

    private readonly BlockBlobClient _blob;
    private readonly List<string> _blockIds = [];
    private readonly Queue<Task> _uploads = new();
    private byte[]? _buffer = ArrayPool<byte>.Shared.Rent(BlockBytes);
    private int _length;
    private long _position;

    public BlockUploadStream(BlockBlobClient blob)
    {
        _blob = blob;
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => _buffer is not null;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> bytes)
    {
        var buffer = _buffer ?? throw new ObjectDisposedException(nameof(BlockUploadStream));
        _position += bytes.Length;
        while (!bytes.IsEmpty)
        {
            var take = Math.Min(bytes.Length, BlockBytes - _length);
            bytes[..take].CopyTo(buffer.AsSpan(_length));
            _length += take;
            bytes = bytes[take..];
            if (_length == BlockBytes)
            {
                StageBuffered();
                buffer = _buffer!;
            }
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        await WaitUntilAtMostAsync(MaxInFlight).ConfigureAwait(false);
    }

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => WaitUntilAtMostAsync(MaxInFlight);

    public override async ValueTask DisposeAsync()
    {
        if (_buffer is null)
        {
            return;
        }

        try
        {
            if (_length > 0)
            {
                StageBuffered();
            }

            await WaitUntilAtMostAsync(0).ConfigureAwait(false);
            await _blob.CommitBlockListAsync(_blockIds, new CommitBlockListOptions(), CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(_buffer!);
            _buffer = null;
            await base.DisposeAsync().ConfigureAwait(false);
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && _buffer is not null)
        {
            DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        base.Dispose(disposing);
    }

    private void StageBuffered()
    {
        var id = Convert.ToBase64String(Encoding.ASCII.GetBytes(_blockIds.Count.ToString("D8", CultureInfo.InvariantCulture)));
        _blockIds.Add(id);
        _uploads.Enqueue(StageAsync(id, _buffer!, _length));
        _buffer = ArrayPool<byte>.Shared.Rent(BlockBytes);
        _length = 0;
    }

    private async Task StageAsync(string id, byte[] buffer, int length)
    {
        try
        {
            using var content = new MemoryStream(buffer, 0, length, writable: false);
            await _blob.StageBlockAsync(id, content, new BlockBlobStageBlockOptions(), CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task WaitUntilAtMostAsync(int inFlight)
    {
        while (_uploads.Count > inFlight || (_uploads.Count > 0 && _uploads.Peek().IsCompleted))
        {
            await _uploads.Dequeue().ConfigureAwait(false);
        }
    }
}
