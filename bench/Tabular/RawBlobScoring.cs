using Azure.Storage.Blobs;

namespace Serverless.Bench.Tabular;

/// <summary>
/// The raw limit with the data where batch scoring keeps it: download the input blob from Azurite, score it with
/// <see cref="RawBatchScoring"/>, upload one prediction blob per worker. Separates storage cost from orchestration cost.
/// </summary>
public static class RawBlobScoring
{
    public static async Task<long> ScoreAsync(RawBatchScoring raw, BlobContainerClient container, string input, int workers, string outputPrefix)
    {
        var csv = (await container.GetBlobClient(input).DownloadContentAsync()).Value.Content.ToArray();
        var rows = raw.Score(csv, workers, out var outputs);
        await Task.WhenAll(outputs.Select((bytes, i) => container.GetBlobClient($"{outputPrefix}/part-{i}.csv").UploadAsync(BinaryData.FromBytes(bytes), overwrite: true)));
        return rows;
    }
}
