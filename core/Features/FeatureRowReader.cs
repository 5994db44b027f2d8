using System.Globalization;
using System.Text.Json;
using CsvHelper;
using Serverless.Core.Errors;
using Serverless.Core.Storage;
using Serverless.Core.Tabular;

namespace Serverless.Core.Features;

/// <summary>
/// Reads a write's rows for a feature set version: JSON <c>{"rows": [{"key": ..., "event_time": ..., "feature": value}, ...]}</c> or
/// CSV with a header row. Each row names every key column (a string, or a number taken as its text), its <c>event_time</c>
/// (ISO 8601; without an offset it is UTC; not more than <see cref="MaxClockSkew"/> ahead of now) and at least one feature;
/// a feature left out, null or an empty cell is not written (the stored value stays). All or nothing: any bad row refuses the
/// whole write with a BadRequest naming row and column (up to <see cref="MaxReportedErrors"/>). Stateless; thread-safe.
/// </summary>
public static class FeatureRowReader
{
    public const int MaxReportedErrors = 10;

    /// <summary>The longest category text a feature value may have.</summary>
    public const int MaxTextLength = 1024;

    /// <summary>How far ahead of the server's clock an event time may be.</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);

    private const int MaxKeptErrors = 100;

    /// <summary>The rows of a JSON body; PayloadTooLarge past <paramref name="maxRows"/>.</summary>
    public static IReadOnlyList<FeatureRecord> ReadJson(FeatureSetDefinition set, ReadOnlySpan<byte> body, int maxRows, DateTimeOffset now)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body.ToArray(), new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            throw JsonErrorText.BadRequest(e, body, "The rows");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("rows", out var rows)
                || rows.ValueKind != JsonValueKind.Array)
            {
                throw ServingException.BadRequest("The body must be {\"rows\": [{...}, ...]}: one object per row with the key column(s), 'event_time' and features.");
            }

            CheckCount(rows.GetArrayLength(), maxRows);
            var reader = new RowBuilder(set, now);
            var index = 0;
            foreach (var row in rows.EnumerateArray())
            {
                reader.Begin(index++);
                if (row.ValueKind != JsonValueKind.Object)
                {
                    reader.Fail(null, "must be an object of column values");
                }
                else
                {
                    foreach (var cell in row.EnumerateObject())
                    {
                        reader.Set(cell.Name, cell.Value);
                    }
                }

                reader.End();
            }

            return reader.Finish();
        }
    }

    /// <summary>The rows of a CSV body (header row first, comma separated); PayloadTooLarge past <paramref name="maxRows"/>.</summary>
    public static IReadOnlyList<FeatureRecord> ReadCsv(FeatureSetDefinition set, ReadOnlyMemory<byte> body, int maxRows, DateTimeOffset now)
    {
        var options = new CsvReaderOptions { HasHeader = false, Separator = ',', DetectSeparatorHint = false, IncludeValuesInExceptions = false };
        using var csv = CsvReader.Create(new MemoryStream(body.ToArray(), writable: false), options);
        if (!csv.Read())
        {
            throw ServingException.BadRequest("The CSV is empty: send a header row naming the key column(s), 'event_time' and features, then rows.");
        }

        var header = Enumerable.Range(0, csv.FieldCount).Select(i => csv.GetString(i).Trim().TrimStart('\uFEFF')).ToArray();
        var reader = new RowBuilder(set, now);
        var index = 0;
        while (csv.Read())
        {
            if (csv.FieldCount == 1 && string.IsNullOrWhiteSpace(csv.GetString(0)))
            {
                continue;
            }

            CheckCount(index + 1, maxRows);
            reader.Begin(index++);
            if (csv.FieldCount != header.Length)
            {
                reader.Fail(null, $"has {csv.FieldCount} cell(s), but the header has {header.Length}");
            }
            else
            {
                for (var c = 0; c < header.Length; c++)
                {
                    reader.SetText(header[c], csv.GetString(c));
                }
            }

            reader.End();
        }

        return reader.Finish();
    }

    /// <summary>
    /// The rows of history JSON Lines (<see cref="BlobFeatureHistory"/>): one row object a line, read as <see cref="ReadJson"/> reads rows,
    /// with <c>ingested_at</c> skipped and no limit on the rows or on how far ahead event times are (both were checked when written).
    /// No rows for blank text; BadRequest naming the line for one that is not a row of <paramref name="set"/>.
    /// </summary>
    public static IReadOnlyList<FeatureRecord> ReadHistoryLines(FeatureSetDefinition set, ReadOnlySpan<byte> lines) =>
        ReadLines(new RowBuilder(set, DateTimeOffset.MaxValue - MaxClockSkew, history: true), lines, int.MaxValue);

    /// <summary>
    /// The rows of JSON Lines (a file being materialised): one row object a line, checked as <see cref="ReadJson"/> checks rows (an
    /// <c>ingested_at</c> column is refused: the app stamps it). All or nothing, BadRequest naming the row (0-based among the text's
    /// non-blank lines) and column; PayloadTooLarge past <paramref name="maxRows"/>; no rows for blank text.
    /// </summary>
    public static IReadOnlyList<FeatureRecord> ReadJsonLines(FeatureSetDefinition set, ReadOnlySpan<byte> lines, int maxRows, DateTimeOffset now) =>
        ReadLines(new RowBuilder(set, now), lines, maxRows);

    private static IReadOnlyList<FeatureRecord> ReadLines(RowBuilder reader, ReadOnlySpan<byte> lines, int maxRows)
    {
        var index = 0;
        while (!lines.IsEmpty)
        {
            var end = lines.IndexOf((byte)'\n');
            var line = end < 0 ? lines : lines[..end];
            lines = end < 0 ? [] : lines[(end + 1)..];
            if (line.Trim(" \t\r"u8).IsEmpty)
            {
                continue;
            }

            CheckCount(index + 1, maxRows);
            reader.Begin(index++);
            try
            {
                using var document = JsonDocument.Parse(line.ToArray(), new JsonDocumentOptions { MaxDepth = 8 });
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    reader.Fail(null, "must be an object of column values");
                }
                else
                {
                    foreach (var cell in document.RootElement.EnumerateObject())
                    {
                        reader.Set(cell.Name, cell.Value);
                    }
                }
            }
            catch (JsonException)
            {
                reader.Fail(null, "is not a JSON object");
            }

            reader.End();
        }

        return index == 0 ? [] : reader.Finish();
    }

    private static void CheckCount(int rows, int maxRows)
    {
        if (rows > maxRows)
        {
            throw ServingException.PayloadTooLarge($"A write may carry at most {maxRows} rows (FeatureStore:MaxRowsPerWrite); send smaller batches.");
        }
    }

    /// <summary>Builds one record per row, collecting errors; not thread-safe.</summary>
    private sealed class RowBuilder(FeatureSetDefinition set, DateTimeOffset now, bool history = false)
    {
        private readonly List<FeatureRecord> _rows = [];
        private readonly List<RowError> _errors = [];
        private readonly string?[] _keys = new string?[set.EntityKeys.Count];
        private readonly double[] _numbers = new double[set.Features.Count];
        private readonly string?[] _texts = new string?[set.Features.Count];
        private readonly bool[] _given = new bool[set.Features.Count];
        private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
        private long _eventTicks;
        private bool _eventTimeRefused;
        private int _row;
        private bool _failed;
        private int _errorCount;

        public void Begin(int row)
        {
            _row = row;
            _failed = false;
            _eventTicks = 0;
            _eventTimeRefused = false;
            Array.Clear(_keys);
            Array.Clear(_given);
            Array.Clear(_texts);
            _seen.Clear();
        }

        public void Set(string column, JsonElement value)
        {
            switch (value.ValueKind)
            {
                case JsonValueKind.Null:
                    Claim(column);
                    return;
                case JsonValueKind.String:
                    SetText(column, value.GetString(), isJsonString: true);
                    return;
                case JsonValueKind.Number:
                    SetNumberText(column, value);
                    return;
                default:
                    if (Claim(column))
                    {
                        Fail(column, $"expected a number or a string, got {(value.ValueKind is JsonValueKind.True or JsonValueKind.False ? "a boolean" : "an " + value.ValueKind.ToString().ToLowerInvariant())}");
                    }

                    return;
            }
        }

        public void SetText(string column, string? text) => SetText(column, text, isJsonString: false);

        public void Fail(string? column, string reason)
        {
            _failed = true;
            if (_errors.Count < MaxKeptErrors)
            {
                _errors.Add(new RowError(_row, column is null ? null : Cut(column), reason));
            }

            _errorCount++;
        }

        public void End()
        {
            for (var k = 0; k < _keys.Length; k++)
            {
                if (_keys[k] is null)
                {
                    Fail(set.EntityKeys[k], "the entity key column is missing");
                }
            }

            if (_eventTicks == 0 && !_eventTimeRefused)
            {
                Fail(FeatureSetJson.EventTimeColumn, "missing: every row needs its event time (ISO 8601)");
            }

            if (!_failed && !_given.Contains(true))
            {
                Fail(null, "gives no feature value");
            }

            if (_failed)
            {
                return;
            }

            var keys = _keys.Select(k => k!).ToArray();
            var record = new FeatureRecord(EntityKey.Encode(keys), keys, _given.Length);
            for (var f = 0; f < _given.Length; f++)
            {
                if (_given[f])
                {
                    record.Numbers[f] = _numbers[f];
                    record.Texts[f] = _texts[f];
                    record.Ticks[f] = _eventTicks;
                }
            }

            _rows.Add(record);
        }

        public IReadOnlyList<FeatureRecord> Finish()
        {
            if (_errorCount > 0)
            {
                var shown = string.Join("; ", _errors.Take(MaxReportedErrors).Select(e => e.Feature is null
                    ? string.Create(CultureInfo.InvariantCulture, $"row {e.Row}: {e.Reason}")
                    : string.Create(CultureInfo.InvariantCulture, $"row {e.Row}, column '{e.Feature}': {e.Reason}")));
                var more = _errorCount > MaxReportedErrors ? $"; and {_errorCount - MaxReportedErrors} more" : "";
                throw ServingException.BadRequest($"Invalid rows, nothing was stored: {shown}{more}.");
            }

            return _rows.Count > 0 ? _rows : throw ServingException.BadRequest("The write has no rows: send at least one.");
        }

        private void SetNumberText(string column, JsonElement value)
        {
            var feature = set.IndexOf(column);
            if (feature >= 0 && set.Features[feature].IsNumeric)
            {
                if (Claim(column))
                {
                    if (value.TryGetDouble(out var number) && double.IsFinite(number))
                    {
                        Give(feature, number, null);
                    }
                    else
                    {
                        Fail(column, "the number is out of range");
                    }
                }

                return;
            }

            SetText(column, value.GetRawText(), isJsonString: false);
        }

        private void SetText(string column, string? text, bool isJsonString)
        {
            if (!Claim(column))
            {
                return;
            }

            var key = IndexOfKey(column);
            if (key >= 0)
            {
                if (string.IsNullOrWhiteSpace(text))
                {
                    return; // reported as missing at the end of the row
                }

                if (text.Length > EntityKey.MaxValueLength)
                {
                    Fail(column, $"the key value is longer than {EntityKey.MaxValueLength} characters");
                    return;
                }

                _keys[key] = text;
                return;
            }

            if (column == FeatureSetJson.EventTimeColumn)
            {
                SetEventTime(text);
                return;
            }

            if (history && column == FeatureSetJson.IngestedAtColumn)
            {
                return;
            }

            var feature = set.IndexOf(column);
            if (feature < 0)
            {
                Fail(column, $"not a column of feature set '{set.Id}'; its columns are {DataText.List([.. set.EntityKeys, FeatureSetJson.EventTimeColumn, .. set.Features.Select(f => f.Name)])}");
                return;
            }

            if (string.IsNullOrWhiteSpace(text) && !isJsonString)
            {
                return; // an empty cell: not written
            }

            if (!set.Features[feature].IsNumeric)
            {
                if (text!.Length > MaxTextLength)
                {
                    Fail(column, $"the category is longer than {MaxTextLength} characters");
                    return;
                }

                Give(feature, 0, text);
                return;
            }

            if (!isJsonString && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
            {
                Give(feature, number, null);
            }
            else
            {
                Fail(column, $"expected a number, got {DataText.Quote(text)}");
            }
        }

        private void SetEventTime(string? text)
        {
            _eventTimeRefused = true;
            if (string.IsNullOrWhiteSpace(text)
                || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
            {
                Fail(FeatureSetJson.EventTimeColumn, $"expected an ISO 8601 time such as 2026-01-31T12:00:00Z, got {DataText.Quote(text)}");
                return;
            }

            if (time.UtcTicks <= DateTimeOffset.UnixEpoch.UtcTicks)
            {
                Fail(FeatureSetJson.EventTimeColumn, "the event time is before 1970");
                return;
            }

            if (time > now + MaxClockSkew)
            {
                Fail(FeatureSetJson.EventTimeColumn, $"the event time is in the future (more than {MaxClockSkew.TotalMinutes} minutes ahead of the server's clock)");
                return;
            }

            _eventTicks = time.UtcTicks;
            _eventTimeRefused = false;
        }

        private bool Claim(string column)
        {
            if (_seen.Add(column))
            {
                return true;
            }

            Fail(column, "is given more than once");
            return false;
        }

        private void Give(int feature, double number, string? text)
        {
            _numbers[feature] = number;
            _texts[feature] = text;
            _given[feature] = true;
        }

        private int IndexOfKey(string column)
        {
            for (var k = 0; k < set.EntityKeys.Count; k++)
            {
                if (set.EntityKeys[k] == column)
                {
                    return k;
                }
            }

            return -1;
        }

        private static string Cut(string text) => text.Length <= DataText.MaxQuoted ? text : text[..DataText.MaxQuoted] + "...";
    }
}
