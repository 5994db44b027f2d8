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

    public async Task<IReadOnlyList<string>> ListAsync(FeatureSetDefinition set, DateOnly? from, DateOnly? to, CancellationToken cancellationToken)
    {
        var prefix = $"{set.Name}/{set.Version}/";
        var names = new List<string>();
        try
        {
            await foreach (var item in _container.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix, cancellationToken).ConfigureAwait(false))
            {
                if (TryDateOf(item.Name.AsSpan(prefix.Length), out var date) && (from is null || date >= from) && (to is null || date <= to))
                {
                    names.Add(item.Name);
                }
            }
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // Nothing was ever appended: the container does not exist yet.
        }

        names.Sort(StringComparer.Ordinal);
        return names;
    }

    public async Task<IReadOnlyList<FeatureRecord>> ReadAsync(FeatureSetDefinition set, string blob, CancellationToken cancellationToken)
    {
        if (!blob.StartsWith($"{set.Name}/{set.Version}/", StringComparison.Ordinal) || !TryDateOf(blob.AsSpan(set.Name.Length + set.Version.Length + 2), out _))
        {
            throw new ArgumentException($"'{blob}' is not a history blob of feature set '{set.Id}'.", nameof(blob));
        }

        var content = (await _container.GetBlobClient(blob).DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value.Content;
        return FeatureRowReader.ReadHistoryLines(set, content.ToMemory().Span);
    }

    /// <summary>The event date and file name (<c>{sha256}.jsonl</c>) of a history blob's name; false for a name of another shape.</summary>
    public static bool TryParseName(string blob, out DateOnly date, out string file)
    {
        file = "";
        var slash = blob.LastIndexOf('/');
        var dateStart = slash < 0 ? -1 : blob.LastIndexOf('/', slash - 1);
        if (dateStart < 0 || !TryDateOf(blob.AsSpan(dateStart + 1), out date))
        {
            date = default;
            return false;
        }

        file = blob[(slash + 1)..];
        return true;
    }

    /// <summary>The date of <c>event_date=yyyy-MM-dd/...</c>.</summary>
    private static bool TryDateOf(ReadOnlySpan<char> rest, out DateOnly date)
    {
        const string Key = "event_date=";
        date = default;
        return rest.StartsWith(Key, StringComparison.Ordinal) && rest.Length > Key.Length + 10 && rest[Key.Length + 10] == '/'
               && DateOnly.TryParseExact(rest.Slice(Key.Length, 10), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);
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
