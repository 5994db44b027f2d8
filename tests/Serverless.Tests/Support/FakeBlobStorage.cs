using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Moq;

namespace Serverless.Tests.Support;

/// <summary>
/// Blob storage over a dictionary of <c>container/name</c> to bytes, enough for readers that ask a blob's properties
/// and download ranges of it; a blob not in the dictionary answers 404 as storage does.
/// </summary>
internal static class FakeBlobStorage
{
    public static BlobServiceClient Create(IReadOnlyDictionary<string, byte[]> blobs)
    {
        var service = new Mock<BlobServiceClient>();
        service.Setup(s => s.GetBlobContainerClient(It.IsAny<string>())).Returns((string container) =>
        {
            var client = new Mock<BlobContainerClient>();
            client.Setup(c => c.GetBlobClient(It.IsAny<string>())).Returns((string name) => Blob(blobs, container + "/" + name));
            return client.Object;
        });
        return service.Object;
    }

    private static BlobClient Blob(IReadOnlyDictionary<string, byte[]> blobs, string path)
    {
        var blob = new Mock<BlobClient>();
        blob.Setup(b => b.GetPropertiesAsync(It.IsAny<BlobRequestConditions>(), It.IsAny<CancellationToken>())).Returns(() =>
            blobs.TryGetValue(path, out var bytes)
                ? Task.FromResult(Response.FromValue(BlobsModelFactory.BlobProperties(contentLength: bytes.Length), Mock.Of<Response>()))
                : throw new RequestFailedException(404, "The specified blob does not exist."));
        blob.Setup(b => b.DownloadStreamingAsync(It.IsAny<BlobDownloadOptions>(), It.IsAny<CancellationToken>()))
            .Returns((BlobDownloadOptions options, CancellationToken _) =>
            {
                var bytes = blobs[path];
                var start = (int)options.Range.Offset;
                var length = (int)Math.Min(options.Range.Length ?? bytes.Length, bytes.Length - start);
                return Task.FromResult(Response.FromValue(
                    BlobsModelFactory.BlobDownloadStreamingResult(new MemoryStream(bytes, start, length, writable: false)), Mock.Of<Response>()));
            });
        return blob.Object;
    }
}
