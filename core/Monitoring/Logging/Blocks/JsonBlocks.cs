using System.Text.Json;
using Serverless.Core.Monitoring.Logging.Blocks.Columns;
using F = Serverless.Core.Monitoring.Logging.Blocks.InferenceLogBlockFormat;

namespace Serverless.Core.Monitoring.Logging.Blocks;

/// <summary>
/// Blocks of the earlier format <see cref="InferenceLogBlockFormat.JsonFormatName"/>: the payload a JSON array of record
/// objects. Read as records (<see cref="ReadRecords"/>) or turned into columns (<see cref="ReadColumns"/>) by the same
/// path the writer takes, so logs stored before the columnar format are judged exactly like new ones. Pure; thread-safe.
/// </summary>
internal static class JsonBlocks
{
    private static readonly IReadOnlyDictionary<string, JsonElement> NoFeatures = new Dictionary<string, JsonElement>();

    public static List<InferenceLogRecord> ReadRecords(ReadOnlySpan<byte> json, string model)
    {
        var reader = new Utf8JsonReader(json);
        var root = JsonElement.ParseValue(ref reader);
        var records = new List<InferenceLogRecord>(root.GetArrayLength());
        var names = new NameCache();
        foreach (var element in root.EnumerateArray())
        {
            records.Add(ToRecord(model, element, names));
        }

        return records;
    }

    /// <summary>The array's records as columnar blocks (one, unless it holds more than a columnar block takes).</summary>
    public static List<InferenceLogColumns> ReadColumns(ReadOnlySpan<byte> json, string model)
    {
        var blocks = new List<InferenceLogColumns>(1);
        var builder = new ColumnsBuilder();
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException("An inference log block's payload is not a JSON array.");
        }

        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var start = (int)reader.TokenStartIndex;
            reader.Skip();
            var record = json[start..(int)reader.BytesConsumed];
            if (!builder.Fits(record.Length, InferenceLogBlocks.MaxBlockBytes) || builder.Rows >= InferenceLogBlocks.MaxBlockRecords)
            {
                blocks.Add(InferenceLogColumns.Build(builder, model));
            }

            builder.Add(record);
        }

        if (builder.Rows > 0 || blocks.Count == 0)
        {
            blocks.Add(InferenceLogColumns.Build(builder, model));
        }

        return blocks;
    }

    private static InferenceLogRecord ToRecord(string model, JsonElement element, NameCache names)
    {
        string requestId = "", version = "", status = InferenceLogStatus.Ok, source = "";
        string? error = null, label = null;
        var row = 0;
        int? statusCode = null;
        long ticks = 0;
        double latency = 0;
        double? probability = null, value = null;
        LoggedValues? features = null, outputs = null;
        bool truncated = false, mirror = false;
        foreach (var property in element.EnumerateObject())
        {
            var field = property.Value;
            if (property.NameEquals(F.Features.EncodedUtf8Bytes))
            {
                features = names.Features.Read(field);
            }
            else if (property.NameEquals(F.RequestId.EncodedUtf8Bytes))
            {
                requestId = field.GetString()!;
            }
            else if (property.NameEquals(F.Row.EncodedUtf8Bytes))
            {
                row = field.GetInt32();
            }
            else if (property.NameEquals(F.Version.EncodedUtf8Bytes))
            {
                version = names.Intern(field);
            }
            else if (property.NameEquals(F.Ticks.EncodedUtf8Bytes))
            {
                ticks = field.GetInt64();
            }
            else if (property.NameEquals(F.Latency.EncodedUtf8Bytes))
            {
                latency = field.GetDouble();
            }
            else if (property.NameEquals(F.Status.EncodedUtf8Bytes))
            {
                status = names.Intern(field);
            }
            else if (property.NameEquals(F.Source.EncodedUtf8Bytes))
            {
                source = names.Intern(field);
            }
            else if (property.NameEquals(F.Label.EncodedUtf8Bytes))
            {
                label = names.Intern(field);
            }
            else if (property.NameEquals(F.Probability.EncodedUtf8Bytes))
            {
                probability = field.GetDouble();
            }
            else if (property.NameEquals(F.Value.EncodedUtf8Bytes))
            {
                value = field.GetDouble();
            }
            else if (property.NameEquals(F.Outputs.EncodedUtf8Bytes))
            {
                outputs = names.Outputs.Read(field);
            }
            else if (property.NameEquals(F.Error.EncodedUtf8Bytes))
            {
                error = field.GetString();
            }
            else if (property.NameEquals(F.StatusCode.EncodedUtf8Bytes))
            {
                statusCode = field.GetInt32();
            }
            else if (property.NameEquals(F.Truncated.EncodedUtf8Bytes))
            {
                truncated = field.GetBoolean();
            }
            else if (property.NameEquals(F.Mirror.EncodedUtf8Bytes))
            {
                mirror = field.GetBoolean();
            }
        }

        return new InferenceLogRecord
        {
            RequestId = requestId,
            Row = row,
            Model = model,
            Version = version,
            TimestampUtc = new DateTimeOffset(ticks, TimeSpan.Zero),
            LatencyMs = latency,
            Status = status,
            Source = source,
            Error = error,
            StatusCode = statusCode,
            Label = label,
            Probability = probability,
            Value = value,
            Features = features ?? NoFeatures,
            Outputs = outputs,
            Truncated = truncated,
            Mirror = mirror,
        };
    }

    /// <summary>
    /// Strings that repeat from record to record within a block (feature names, versions, statuses, labels), kept once
    /// instead of allocated per record: reading a million records otherwise allocates tens of millions of equal strings.
    /// </summary>
    private sealed class NameCache
    {
        private readonly List<string> _small = [];

        public PropertyNames Features { get; } = new();

        public PropertyNames Outputs { get; } = new();

        /// <summary>A short string value, shared with earlier equal ones.</summary>
        public string Intern(JsonElement value)
        {
            foreach (var known in _small)
            {
                if (value.ValueEquals(known))
                {
                    return known;
                }
            }

            var text = value.GetString()!;
            if (_small.Count < 16 && text.Length <= 64)
            {
                _small.Add(text);
            }

            return text;
        }
    }

    /// <summary>Objects' property names, shared while consecutive objects repeat the previous one's names in order.</summary>
    private sealed class PropertyNames
    {
        private LoggedNames? _last;

        public LoggedValues Read(JsonElement json)
        {
            var count = json.GetPropertyCount();
            var values = new JsonElement[count];
            var same = _last is { } last && last.Names.Length == count;
            var k = 0;
            foreach (var property in json.EnumerateObject())
            {
                same = same && property.NameEquals(_last!.Names[k]);
                values[k++] = property.Value;
            }

            if (!same)
            {
                var names = new string[count];
                k = 0;
                foreach (var property in json.EnumerateObject())
                {
                    names[k++] = property.Name;
                }

                _last = new LoggedNames(names);
            }

            return new LoggedValues(_last!, values);
        }
    }
}
