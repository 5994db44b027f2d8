using System.Globalization;

namespace Serverless.Core.Monitoring.Logging;

/// <summary>
/// Where a record lives: table <c>{prefix}{yyyyMM}</c> (the month of the request, UTC), PartitionKey
/// <c>{model}|{yyyyMMddHH}|{shard:D2}</c> and RowKey <c>{ticks:D19}|{requestId}|{row:D5}</c>, so one partition
/// holds one model's hour on one shard and its rows sort by time. The shard and the sampling decision both come
/// from one stable hash of the request id (FNV-1a, then a 64-bit finaliser), so every row of a request lands in
/// the same partition and is logged or skipped together, in every process. Pure functions; thread-safe.
/// </summary>
public static class InferenceLogKeys
{
    /// <summary>Longest request id (after escaping) put into a RowKey; the RequestId property keeps the whole id.</summary>
    public const int MaxKeyRequestIdLength = 256;

    public static string TableName(string prefix, DateTimeOffset timestampUtc) =>
        string.Create(CultureInfo.InvariantCulture, $"{prefix}{timestampUtc.UtcDateTime:yyyyMM}");

    public static string PartitionKey(string model, DateTimeOffset timestampUtc, int shard) =>
        string.Create(CultureInfo.InvariantCulture, $"{EscapeKey(model)}|{timestampUtc.UtcDateTime:yyyyMMddHH}|{shard:D2}");

    public static string RowKey(DateTimeOffset timestampUtc, string requestId, int row) =>
        string.Create(CultureInfo.InvariantCulture, $"{RowKeyPrefix(timestampUtc)}|{KeyRequestId(requestId)}|{row:D5}");

    /// <summary>The RowKey's time part alone: RowKeys of records at or after <paramref name="timestampUtc"/> compare greater or equal.</summary>
    public static string RowKeyPrefix(DateTimeOffset timestampUtc) =>
        timestampUtc.UtcTicks.ToString("D19", CultureInfo.InvariantCulture);

    /// <summary>The shard (0 to <paramref name="shards"/> - 1) of a request id.</summary>
    public static int Shard(string requestId, int shards) => Shard(Hash(requestId), shards);

    public static int Shard(ulong requestIdHash, int shards) => (int)(requestIdHash % (ulong)Math.Max(1, shards));

    /// <summary>Whether a request is in the sample at <paramref name="rate"/>: the same answer for the same id everywhere.</summary>
    public static bool IsSampled(string requestId, double rate) => IsSampled(Hash(requestId), rate);

    /// <summary>The hash's top 53 bits as a fraction in [0, 1), compared with the rate (independent of the shard's low bits).</summary>
    public static bool IsSampled(ulong requestIdHash, double rate) =>
        rate >= 1 || (rate > 0 && (requestIdHash >> 11) * (1.0 / (1UL << 53)) < rate);

    /// <summary>The month a table holds, when <paramref name="tableName"/> is <c>{prefix}{yyyyMM}</c>.</summary>
    public static bool TryParseTableMonth(string prefix, string tableName, out DateTimeOffset monthStartUtc)
    {
        monthStartUtc = default;
        if (tableName.Length != prefix.Length + 6 || !tableName.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) ||
            !DateTime.TryParseExact(tableName.AsSpan(prefix.Length), "yyyyMM", CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var month))
        {
            return false;
        }

        monthStartUtc = new DateTimeOffset(month.Year, month.Month, 1, 0, 0, 0, TimeSpan.Zero);
        return true;
    }

    /// <summary>A 64-bit hash of the id that does not change between processes or runtime versions.</summary>
    public static ulong Hash(string requestId)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in requestId)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        // FNV's low bits are weak for short keys; mix every input bit into every output bit (splitmix64's finaliser).
        hash = (hash ^ (hash >> 30)) * 0xBF58476D1CE4E5B9UL;
        hash = (hash ^ (hash >> 27)) * 0x94D049BB133111EBUL;
        return hash ^ (hash >> 31);
    }

    /// <summary>
    /// Keys may not hold '/', '\', '#', '?' or control characters, and '%' trips URL decoding on some paths, so
    /// anything outside [A-Za-z0-9-_.] becomes <c>~XXXX</c> (its UTF-16 code in hex); '~' is escaped too, so the
    /// escaped form is unambiguous.
    /// </summary>
    private static string EscapeKey(string value)
    {
        var unsafeCount = 0;
        foreach (var c in value)
        {
            if (!IsKeySafe(c))
            {
                unsafeCount++;
            }
        }

        if (unsafeCount == 0)
        {
            return value;
        }

        return string.Create(value.Length + (unsafeCount * 4), value, static (span, source) =>
        {
            var i = 0;
            foreach (var c in source)
            {
                if (IsKeySafe(c))
                {
                    span[i++] = c;
                }
                else
                {
                    span[i++] = '~';
                    ((int)c).TryFormat(span[i..], out _, "X4", CultureInfo.InvariantCulture);
                    i += 4;
                }
            }
        });
    }

    private static bool IsKeySafe(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.';

    private static string KeyRequestId(string requestId)
    {
        var escaped = EscapeKey(requestId);
        return escaped.Length <= MaxKeyRequestIdLength ? escaped : escaped[..MaxKeyRequestIdLength];
    }
}
