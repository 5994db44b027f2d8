using System.Collections.Concurrent;
using Azure;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Moq;
using Serverless.Orchestrations.BatchScoring;

namespace Serverless.Tests.Orchestrations;

/// <summary>The part writer's block upload with the block blob client mocked; the real upload runs in the batch scoring end-to-end tests on Azurite.</summary>
public sealed class BlockUploadStreamTests
{
    private readonly ConcurrentDictionary<string, byte[]> _staged = new();
    private readonly Mock<BlockBlobClient> _blob = new();
    private List<string>? _committed;

    public BlockUploadStreamTests()
    {
        _blob.Setup(b => b.StageBlockAsync(It.IsAny<string>(), It.IsAny<Stream>(), It.IsAny<BlockBlobStageBlockOptions>(), It.IsAny<CancellationToken>()))
            .Returns((string id, Stream content, BlockBlobStageBlockOptions _, CancellationToken _) => Stage(id, content));
        _blob.Setup(b => b.CommitBlockListAsync(It.IsAny<IEnumerable<string>>(), It.IsAny<CommitBlockListOptions>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((IEnumerable<string> ids, CommitBlockListOptions _, CancellationToken _) =>
            {
                _committed = ids.ToList();
                return Mock.Of<Response<BlobContentInfo>>();
            });
    }

    private Func<string, Task>? BeforeStage { get; set; }

    [Fact]
    public async Task Write_SeveralBlocksSyncAndAsync_CommitsBlocksInOrderThatMakeUpTheBytesWritten()
    {
        var bytes = new byte[(2 * BlockUploadStream.BlockBytes) + 12_345];
        new Random(3).NextBytes(bytes);

        await using (var stream = new BlockUploadStream(_blob.Object))
        {
            var offset = 0;
            var random = new Random(4);
            while (offset < bytes.Length)
            {
                var count = Math.Min(bytes.Length - offset, random.Next(1, 300_000));
                if (random.Next(2) == 0)
                {
                    stream.Write(bytes, offset, count);
                }
                else
                {
                    await stream.WriteAsync(bytes.AsMemory(offset, count));
                }

                offset += count;
            }

            Assert.Equal(bytes.Length, stream.Position);
            Assert.Null(_committed);
        }

        Assert.Equal(3, _committed!.Count);
        Assert.Equal(_committed.Count, _committed.Distinct().Count());
        Assert.Equal(bytes, _committed.SelectMany(id => _staged[id]).ToArray());
    }

    [Fact]
    public async Task FlushAsync_MoreBlocksUploadingThanAllowed_WaitsUntilOnlyMaxInFlightAre()
    {
        var release = new TaskCompletionSource();
        BeforeStage = _ => release.Task;
        await using var stream = new BlockUploadStream(_blob.Object);
        stream.Write(new byte[(BlockUploadStream.MaxInFlight + 1) * BlockUploadStream.BlockBytes]);

        var flush = stream.FlushAsync();
        await Task.Delay(50);
        Assert.False(flush.IsCompleted);

        release.SetResult();
        await flush;
    }

    [Fact]
    public async Task DisposeAsync_AfterABlockFailedToUpload_ThrowsAndCommitsNothing()
    {
        BeforeStage = _ => Task.FromException(new RequestFailedException(500, "storage is down"));
        var stream = new BlockUploadStream(_blob.Object);
        stream.Write(new byte[BlockUploadStream.BlockBytes + 1]);

        var error = await Assert.ThrowsAsync<RequestFailedException>(async () => await stream.DisposeAsync());

        Assert.Equal("storage is down", error.Message);
        Assert.Null(_committed);
        Assert.False(stream.CanWrite);
    }

    private async Task<Response<BlockInfo>> Stage(string id, Stream content)
    {
        var copy = new MemoryStream();
        content.CopyTo(copy);
        if (BeforeStage is { } before)
        {
            await before(id);
        }

        _staged[id] = copy.ToArray();
        return Mock.Of<Response<BlockInfo>>();
    }
}
