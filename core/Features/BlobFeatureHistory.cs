using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Serverless.Core.Buffers;
using Serverless.Core.Storage;

namespace Serverless.Core.Features;

/// <summary>
/// The history on Blob storage: JSON Lines at <c>{set}/{version}/event_date={yyyy-MM-dd}/{sha256}.jsonl</c>, one blob per write
/// and event date (UTC), so a join over a time range reads only the dates it needs. Each line is one row as written:
/// the key columns, <c>event_time</c>, <c>ingested_at</c> and the features the row gave. A blob is named by the SHA-256 of its
/// rows without <c>ingested_at</c> and created only if absent, so blobs are never rewritten and a retried write appends nothing
/// new (the first acceptance time stays). The container is created on the first append. Thread-safe.
/// </summary>
public sealed class BlobFeatureHistory : IFeatureHistory
{
    private readonly BlobContainerClient _container;
    private readonly StorageInitializer _initializer;

    public BlobFeatureHistory(BlobContainerClient container)
    {
        _container = container;
        _initializer = new StorageInitializer(async ct => await _container.CreateIfNotExistsAsync(cancellationToken: ct).ConfigureAwait(false));
    }

    /// <summary>The prefix of a set version's history for event date <paramref name="date"/>.</summary>
    public static string DatePrefix(FeatureSetDefinition set, DateOnly date) =>
        $"{set.Name}/{set.Version}/event_date={date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}/";

    public async Task<IReadOnlyList<string>> AppendAsync(FeatureSetDefinition set, IReadOnlyList<FeatureRecord> rows, DateTimeOffset ingestedAt,
        CancellationToken cancellationToken)
    {
        await _initializer.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var names = new List<string>();
        foreach (var day in rows.GroupBy(EventDate).OrderBy(g => g.Key))
        {
            var identity = Lines(set, day, null);
            var name = DatePrefix(set, day.Key) + Convert.ToHexStringLower(SHA256.HashData(identity)) + ".jsonl";
            var content = Lines(set, day, ingestedAt);
            try
            {
                await _container.GetBlobClient(name).UploadAsync(BinaryData.FromBytes(content),
                    new BlobUploadOptions
                    {
                        Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                        HttpHeaders = new BlobHttpHeaders { ContentType = "application/x-ndjson" },
                    }, cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412)
            {
                // The same rows were appended before: the history already holds them.
            }

            names.Add(name);
        }

        return names;
    }

    private static DateOnly EventDate(FeatureRecord row)
    {
        var ticks = row.Ticks.Max();
        return DateOnly.FromDateTime(new DateTime(ticks, DateTimeKind.Utc));
    }

    private static byte[] Lines(FeatureSetDefinition set, IEnumerable<FeatureRecord> rows, DateTimeOffset? ingestedAt)
    {
        using var buffer = new PooledBufferWriter(4096);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            foreach (var row in rows)
            {
                writer.WriteStartObject();
                for (var k = 0; k < set.EntityKeys.Count; k++)
                {
                    writer.WriteString(set.EntityKeys[k], row.KeyValues[k]);
                }

                writer.WriteString(FeatureSetJson.EventTimeColumn, new DateTimeOffset(row.Ticks.Max(), TimeSpan.Zero));
                if (ingestedAt is { } at)
                {
                    writer.WriteString(FeatureSetJson.IngestedAtColumn, at.ToUniversalTime());
                }

                for (var f = 0; f < set.Features.Count; f++)
                {
                    if (!row.Has(f))
                    {
                        continue;
                    }

                    if (set.Features[f].IsNumeric)
                    {
                        writer.WriteNumber(set.Features[f].Name, row.Numbers[f]);
                    }
                    else
                    {
                        writer.WriteString(set.Features[f].Name, row.Texts[f]);
                    }
                }

                writer.WriteEndObject();
                writer.Flush();
                buffer.Write("\n"u8);
                writer.Reset();
            }
        }

        return buffer.WrittenSpan.ToArray();
    }
}
