using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Serverless.Core.Tabular;

namespace Serverless.Core.Monitoring.Logging;

/// <summary>One record as the writer stores it: its table, its partition and the entity, with a size estimate for batching.</summary>
internal readonly record struct InferenceLogEntity(string Table, string PartitionKey, TableEntity Entity, int EstimatedBytes);

/// <summary>
/// The entity layout, both ways. Fixed properties: RequestId, Row, Model, Version, TimestampUtc, LatencyMs, Status,
/// Source, Error, Label, Probability, Value; the inputs as <c>Features</c> (a JSON object, so column names stay
/// arbitrary) and, where there is more than label/probability/value to say, <c>Outputs</c> (JSON). Absent values are
/// left out of the entity. Each JSON property is kept under <see cref="MaxJsonBytes"/> UTF-8 bytes (so under Table
/// storage's 64 KiB per property even as UTF-16): entries that would pass it are left out, the JSON stays valid,
/// and <c>Truncated</c> is true. The builder runs on the writer's thread only (not thread-safe; it reuses one buffer).
/// </summary>
internal sealed class InferenceLogEntities
{
    public const int MaxJsonBytes = 32_000;
    public const int MaxErrorLength = 8_000;
    public const int MaxLabelLength = 1_000;

    public const string RequestIdField = "RequestId";
    public const string RowField = "Row";
    public const string ModelField = "Model";
    public const string VersionField = "Version";
    public const string TimestampField = "TimestampUtc";
    public const string LatencyField = "LatencyMs";
    public const string StatusField = "Status";
    public const string SourceField = "Source";
    public const string ErrorField = "Error";
    public const string LabelField = "Label";
    public const string ProbabilityField = "Probability";
    public const string ValueField = "Value";
    public const string FeaturesField = "Features";
    public const string OutputsField = "Outputs";
    public const string TruncatedField = "Truncated";

    private const int NumberBound = 32;

    private readonly string _tablePrefix;
    private readonly int _shards;
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private readonly Utf8JsonWriter _json;

    public InferenceLogEntities(string tablePrefix, int shards)
    {
        _tablePrefix = tablePrefix;
        _shards = shards;
        _json = new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = false });
    }

    /// <summary>Appends the records of a completed capture to <paramref name="target"/>.</summary>
    public void Build(InferenceLogCapture capture, List<InferenceLogEntity> target)
    {
        var table = InferenceLogKeys.TableName(_tablePrefix, capture.TimestampUtc);
        var partition = InferenceLogKeys.PartitionKey(capture.Model, capture.TimestampUtc, InferenceLogKeys.Shard(capture.RequestIdHash, _shards));
        if (capture.Status == InferenceLogStatus.Error)
        {
            var entity = Common(capture, partition, -1);
            entity[ErrorField] = Truncate(capture.Error ?? "", MaxErrorLength);
            entity[FeaturesField] = "{}";
            target.Add(new InferenceLogEntity(table, partition, entity, 512 + ((capture.Error?.Length ?? 0) * 2)));
            return;
        }

        switch (capture.Payload)
        {
            case TabularLogPayload tabular:
                BuildTabular(capture, tabular, table, partition, target);
                break;
            case TensorLogPayload tensors:
                BuildTensors(capture, tensors, table, partition, target);
                break;
        }
    }

    /// <summary>Reads a stored entity back.</summary>
    public static InferenceLogRecord ToRecord(TableEntity entity)
    {
        var outputs = entity.GetString(OutputsField);
        return new InferenceLogRecord
        {
            RequestId = entity.GetString(RequestIdField) ?? "",
            Row = entity.GetInt32(RowField) ?? 0,
            Model = entity.GetString(ModelField) ?? "",
            Version = entity.GetString(VersionField) ?? "",
            TimestampUtc = entity.GetDateTimeOffset(TimestampField) ?? default,
            LatencyMs = entity.GetDouble(LatencyField) ?? 0,
            Status = entity.GetString(StatusField) ?? InferenceLogStatus.Ok,
            Source = entity.GetString(SourceField) ?? "",
            Error = entity.GetString(ErrorField),
            Label = entity.GetString(LabelField),
            Probability = entity.GetDouble(ProbabilityField),
            Value = entity.GetDouble(ValueField),
            Features = ParseObject(entity.GetString(FeaturesField)) ?? new Dictionary<string, JsonElement>(),
            Outputs = ParseObject(outputs),
            Truncated = entity.GetBoolean(TruncatedField) ?? false,
        };
    }

    private void BuildTabular(InferenceLogCapture capture, TabularLogPayload payload, string table, string partition, List<InferenceLogEntity> target)
    {
        var features = payload.Schema.Features;
        for (var row = 0; row < payload.RowCount; row++)
        {
            var entity = Common(capture, partition, row);
            var truncated = false;
            Begin();
            for (var f = 0; f < features.Count && !truncated; f++)
            {
                var name = features[f].Name;
                var index = (row * features.Count) + f;
                if (features[f].Type == FeatureType.Numeric)
                {
                    truncated = !TryWriteNumber(name, payload.Numbers[index], nanIsMissing: true);
                }
                else
                {
                    var category = payload.Categories![index];
                    truncated = !TryWriteString(name, string.IsNullOrEmpty(category) ? null : category);
                }
            }

            var featuresJson = End();
            entity[FeaturesField] = featuresJson;
            var prediction = payload.Predictions[row];
            SetIfPresent(entity, LabelField, prediction.Label is null ? null : Truncate(prediction.Label, MaxLabelLength));
            SetIfFinite(entity, ProbabilityField, prediction.Probability);
            SetIfFinite(entity, ValueField, prediction.Value);
            var outputsLength = 0;
            if (prediction.Scores is { Count: > 0 } scores)
            {
                if ((scores.Count * NumberBound) + 16 <= MaxJsonBytes)
                {
                    Begin();
                    _json.WriteStartArray("scores");
                    foreach (var score in scores)
                    {
                        WriteNumberValue(score);
                    }

                    _json.WriteEndArray();
                    var outputsJson = End();
                    entity[OutputsField] = outputsJson;
                    outputsLength = outputsJson.Length;
                }
                else
                {
                    truncated = true;
                }
            }

            if (truncated)
            {
                entity[TruncatedField] = true;
            }

            target.Add(new InferenceLogEntity(table, partition, entity, 512 + ((featuresJson.Length + outputsLength) * 2)));
        }
    }

    private void BuildTensors(InferenceLogCapture capture, TensorLogPayload payload, string table, string partition, List<InferenceLogEntity> target)
    {
        var names = payload.Inputs is { } inputs ? FeatureNames(inputs) : null;
        for (var row = 0; row < payload.Rows; row++)
        {
            var entity = Common(capture, partition, row);
            var truncated = false;
            Begin();
            if (payload.Inputs is { } columns)
            {
                var n = 0;
                foreach (var column in columns)
                {
                    for (var j = 0; j < column.Width; j++, n++)
                    {
                        if (!truncated)
                        {
                            truncated = !TryWriteCell(names![n], column, (row * column.Width) + j);
                        }
                    }
                }
            }
            else
            {
                foreach (var summary in payload.InputSummaries ?? [])
                {
                    truncated = truncated || !TryWriteSummary(summary, prefix: summary.Name + ".");
                }
            }

            var featuresJson = End();
            entity[FeaturesField] = featuresJson;
            string? outputsJson = null;
            if (payload.Output is { } output)
            {
                Begin();
                var start = row * output.Width;
                if (output.Width == 1)
                {
                    WriteCellValue(output, start, output.Name);
                }
                else
                {
                    _json.WriteStartArray(output.Name);
                    for (var j = 0; j < output.Width; j++)
                    {
                        WriteCellValue(output, start + j, null);
                    }

                    _json.WriteEndArray();
                }

                outputsJson = End();
                if (output.Width > 0)
                {
                    if (output.Numbers is { } numbers)
                    {
                        SetIfFinite(entity, ValueField, numbers[start]);
                    }
                    else
                    {
                        SetIfPresent(entity, LabelField, Truncate(output.Strings![start], MaxLabelLength));
                    }
                }
            }
            else if (payload.OutputSummary is { } outputSummary)
            {
                Begin();
                _json.WriteString("name", outputSummary.Name);
                truncated = !TryWriteSummary(outputSummary, prefix: "") || truncated;
                outputsJson = End();
            }

            if (outputsJson is not null)
            {
                entity[OutputsField] = outputsJson;
            }

            if (truncated)
            {
                entity[TruncatedField] = true;
            }

            target.Add(new InferenceLogEntity(table, partition, entity, 512 + ((featuresJson.Length + (outputsJson?.Length ?? 0)) * 2)));
        }
    }

    /// <summary>One input: <c>x0..x{F-1}</c>; several: <c>{input}</c> for a single column, <c>{input}.x{j}</c> otherwise.</summary>
    private static string[] FeatureNames(TensorColumns[] inputs)
    {
        var names = new List<string>();
        foreach (var input in inputs)
        {
            for (var j = 0; j < input.Width; j++)
            {
                names.Add(inputs.Length == 1 ? $"x{j}" : input.Width == 1 ? input.Name : $"{input.Name}.x{j}");
            }
        }

        return names.ToArray();
    }

    private static TableEntity Common(InferenceLogCapture capture, string partition, int row)
    {
        var entity = new TableEntity(partition, InferenceLogKeys.RowKey(capture.TimestampUtc, capture.RequestId!, row))
        {
            [RequestIdField] = capture.RequestId,
            [RowField] = row,
            [ModelField] = capture.Model,
            [VersionField] = capture.Version ?? "",
            [TimestampField] = capture.TimestampUtc,
            [LatencyField] = capture.LatencyMs,
            [StatusField] = capture.Status,
            [SourceField] = capture.Source,
        };
        return entity;
    }

    private void Begin()
    {
        _buffer.ResetWrittenCount();
        _json.Reset();
        _json.WriteStartObject();
    }

    private string End()
    {
        _json.WriteEndObject();
        _json.Flush();
        return Encoding.UTF8.GetString(_buffer.WrittenSpan);
    }

    private long Written => _json.BytesCommitted + _json.BytesPending;

    /// <summary>Whether an entry with this name and a value of at most <paramref name="valueBound"/> bytes surely fits (with the closing brace).</summary>
    private bool Fits(string name, int valueBound) => Written + (name.Length * 6) + 4 + valueBound + 1 <= MaxJsonBytes;

    private bool TryWriteNumber(string name, double value, bool nanIsMissing)
    {
        if (!Fits(name, NumberBound))
        {
            return false;
        }

        _json.WritePropertyName(name);
        if (nanIsMissing && double.IsNaN(value))
        {
            _json.WriteNullValue();
        }
        else
        {
            WriteNumberValue(value);
        }

        return true;
    }

    private bool TryWriteString(string name, string? value)
    {
        if (!Fits(name, value is null ? 4 : (value.Length * 6) + 2))
        {
            return false;
        }

        if (value is null)
        {
            _json.WriteNull(name);
        }
        else
        {
            _json.WriteString(name, value);
        }

        return true;
    }

    private bool TryWriteCell(string name, TensorColumns column, int index) =>
        column.Numbers is { } numbers ? TryWriteNumber(name, numbers[index], nanIsMissing: false) : TryWriteString(name, column.Strings![index]);

    private void WriteCellValue(TensorColumns column, int index, string? name)
    {
        if (name is not null)
        {
            _json.WritePropertyName(name);
        }

        if (column.Numbers is { } numbers)
        {
            WriteNumberValue(numbers[index]);
        }
        else
        {
            _json.WriteStringValue(column.Strings![index]);
        }
    }

    private bool TryWriteSummary(TensorSummary summary, string prefix)
    {
        var shape = "[" + string.Join(",", summary.Shape) + "]";
        return TryWriteString(prefix + "shape", shape) &&
               TryWriteString(prefix + "dtype", summary.Datatype) &&
               TryWriteNumber(prefix + "count", summary.Count, nanIsMissing: false) &&
               TryWriteOptional(prefix + "min", summary.Min) &&
               TryWriteOptional(prefix + "max", summary.Max) &&
               TryWriteOptional(prefix + "mean", summary.Mean);
    }

    private bool TryWriteOptional(string name, double? value) =>
        TryWriteNumber(name, value ?? double.NaN, nanIsMissing: true);

    /// <summary>
    /// Finite numbers as JSON numbers, as the responses write them: a value that is exactly an FP32 value with its
    /// shortest FP32 text (so 0.1f logs as 0.1); NaN and infinities as strings, as OIP writes them.
    /// </summary>
    private void WriteNumberValue(double value)
    {
        if (double.IsFinite(value))
        {
            if ((double)(float)value == value)
            {
                _json.WriteNumberValue((float)value);
            }
            else
            {
                _json.WriteNumberValue(value);
            }
        }
        else
        {
            _json.WriteStringValue(double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
        }
    }

    private static void SetIfPresent(TableEntity entity, string field, string? value)
    {
        if (value is not null)
        {
            entity[field] = value;
        }
    }

    /// <summary>Stores a finite number as the response shows it: an FP32 value as the double its shortest text reads as.</summary>
    private static void SetIfFinite(TableEntity entity, string field, double? value)
    {
        if (value is { } number && double.IsFinite(number))
        {
            entity[field] = (double)(float)number == number
                ? double.Parse(((float)number).ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture)
                : number;
        }
    }

    private static string Truncate(string text, int maxLength) => text.Length <= maxLength ? text : text[..maxLength];

    private static Dictionary<string, JsonElement>? ParseObject(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
