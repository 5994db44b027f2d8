using System.Globalization;
using System.Text.Json;
using Serverless.Core.Errors;
using Serverless.Core.Storage;
using Serverless.Core.Tabular;

namespace Serverless.Core.Features;

/// <summary>Builds one feature record per row for <see cref="FeatureRowReader"/>, collecting errors; not thread-safe.</summary>
internal sealed class FeatureRowBuilder(FeatureSetDefinition set, DateTimeOffset now, bool history = false)
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
        if (_errors.Count < FeatureRowReader.MaxKeptErrors)
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
            var shown = string.Join("; ", _errors.Take(FeatureRowReader.MaxReportedErrors).Select(e => e.Feature is null
                ? string.Create(CultureInfo.InvariantCulture, $"row {e.Row}: {e.Reason}")
                : string.Create(CultureInfo.InvariantCulture, $"row {e.Row}, column '{e.Feature}': {e.Reason}")));
            var more = _errorCount > FeatureRowReader.MaxReportedErrors ? $"; and {_errorCount - FeatureRowReader.MaxReportedErrors} more" : "";
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
            if (text!.Length > FeatureRowReader.MaxTextLength)
            {
                Fail(column, $"the category is longer than {FeatureRowReader.MaxTextLength} characters");
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

        if (time > now + FeatureRowReader.MaxClockSkew)
        {
            Fail(FeatureSetJson.EventTimeColumn, $"the event time is in the future (more than {FeatureRowReader.MaxClockSkew.TotalMinutes} minutes ahead of the server's clock)");
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
