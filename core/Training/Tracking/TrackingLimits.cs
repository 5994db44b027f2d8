using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Serverless.Core.Errors;
using Serverless.Core.Storage;

namespace Serverless.Core.Training.Tracking;

/// <summary>
/// MLflow's rules for what a client may log, as its tracking server enforces them (mlflow/utils/validation.py): key syntax
/// and lengths, value lengths, the batch limits, result bounds and the page tokens (base64 of <c>{"offset": N}</c>). Each
/// check throws <see cref="ServingException"/> (BadRequest, INVALID_PARAMETER_VALUE in MLflow's shape) naming the field. Pure; thread-safe.
/// </summary>
public static partial class TrackingLimits
{
    public const int MaxKeyLength = 250;
    public const int MaxParamValueLength = 6000;
    public const int MaxTagValueLength = 8000;
    public const int MaxExperimentTagValueLength = 5000;
    public const int MaxNameLength = 500;
    public const int MaxMetricsPerBatch = 1000;
    public const int MaxParamsTagsPerBatch = 100;
    public const int MaxEntitiesPerBatch = 1000;

    /// <summary>The largest JSON body any tracking route reads (MLflow's log-batch limit, 1 MB).</summary>
    public const int MaxRequestBytes = 1024 * 1024;

    public const int MaxSearchResults = 50_000;
    public const int DefaultSearchResults = 1000;
    public const int MaxMetricHistoryResults = 25_000;

    /// <summary>
    /// A metric, param or tag key: 1 to <see cref="MaxKeyLength"/> letters, digits, '_', '-', '.', ' ', ':' or '/', and a
    /// normalised relative path (no leading '/', no '//', no '.' or '..' segment), since clients map keys to file names.
    /// </summary>
    public static string Key(string? key, string field)
    {
        if (string.IsNullOrEmpty(key))
        {
            throw Missing(field);
        }

        if (key.Length > MaxKeyLength)
        {
            throw ServingException.BadRequest($"'{field}' {DataText.Quote(key)} is {key.Length} characters long; at most {MaxKeyLength} are allowed.");
        }

        if (!KeyPattern().IsMatch(key) || key.StartsWith('/') || key.Contains("//", StringComparison.Ordinal)
            || key.Split('/').Any(s => s is "." or ".."))
        {
            throw ServingException.BadRequest(
                $"Invalid value {DataText.Quote(key)} for parameter '{field}': names may only contain alphanumerics, underscores (_), dashes (-), " +
                "periods (.), spaces ( ), colons (:) and slashes (/), and must be a normalised relative path.");
        }

        return key;
    }

    /// <summary>A value of at most <paramref name="maxLength"/> characters (empty allowed, null read as empty).</summary>
    public static string Value(string? value, int maxLength, string field)
    {
        value ??= string.Empty;
        return value.Length <= maxLength
            ? value
            : throw ServingException.BadRequest($"'{field}' is {value.Length} characters long; at most {maxLength} are allowed.");
    }

    public static string Required(string? value, string field) => string.IsNullOrEmpty(value) ? throw Missing(field) : value;

    public static ServingException Missing(string field) => ServingException.BadRequest($"Missing value for required parameter '{field}'.");

    /// <summary>A result bound: <paramref name="fallback"/> when absent, else 1 to <paramref name="max"/>.</summary>
    public static int MaxResults(long? value, int fallback, int max, string field = "max_results")
    {
        if (value is null)
        {
            return fallback;
        }

        return value is < 1 or > int.MaxValue || value > max
            ? throw ServingException.BadRequest($"Invalid value {value} for parameter '{field}' supplied: it must be between 1 and {max}.")
            : (int)value.Value;
    }

    /// <summary>The offset a page token names (0 without one): base64 of JSON <c>{"offset": N}</c>, as MLflow's stores write it.</summary>
    public static int Offset(string? pageToken)
    {
        if (string.IsNullOrEmpty(pageToken))
        {
            return 0;
        }

        try
        {
            var bytes = Convert.FromBase64String(pageToken);
            using var document = JsonDocument.Parse(bytes);
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("offset", out var offset)
                && offset.TryGetInt32(out var value) && value >= 0)
            {
                return value;
            }
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            // answered below
        }

        throw ServingException.BadRequest($"Invalid page token {DataText.Quote(pageToken)}: it is not one this server handed out.");
    }

    /// <summary>The token of the page that starts at <paramref name="offset"/>, or null when <paramref name="total"/> items end before it.</summary>
    public static string? NextToken(int offset, int total) =>
        offset >= total ? null : Convert.ToBase64String(Encoding.UTF8.GetBytes($"{{\"offset\": {offset.ToString(CultureInfo.InvariantCulture)}}}"));

    /// <summary>A key as a Table row-key part: '%', '/', '\', '#', '?', '|' and control characters escaped as %XX.</summary>
    public static string RowKeyPart(string key)
    {
        var builder = new StringBuilder(key.Length + 8);
        foreach (var c in key)
        {
            if (c is '%' or '/' or '\\' or '#' or '?' or '|' || char.IsControl(c))
            {
                builder.Append('%').Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    /// <summary>An int64 as 20 digits that sort as the numbers do.</summary>
    public static string Sortable(long value) => ((ulong)(value ^ long.MinValue)).ToString("D20", CultureInfo.InvariantCulture);

    /// <summary>A run id as MLflow allows it (a letter or digit, then up to 255 word characters or '-'); checked before it reaches a storage key.</summary>
    public static string RunId(string? runId, string field = "run_id") =>
        IdPattern().IsMatch(Required(runId, field)) && runId!.Length <= 256
            ? runId
            : throw ServingException.BadRequest($"Invalid value {DataText.Quote(runId)} for parameter '{field}': not a run id.");

    /// <summary>An experiment id: digits, as this server hands them out.</summary>
    public static string ExperimentId(string? experimentId, string field = "experiment_id") =>
        Required(experimentId, field) is { Length: <= 19 } id && id.All(char.IsAsciiDigit)
            ? id
            : throw ServingException.BadRequest($"Invalid value {DataText.Quote(experimentId)} for parameter '{field}': not an experiment id.");

    [GeneratedRegex(@"^[a-zA-Z0-9][\w\-]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex IdPattern();

    [GeneratedRegex(@"^[\w\-. :/]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex KeyPattern();
}
