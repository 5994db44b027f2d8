using Serverless.Core.Errors;

namespace Serverless.Orchestrations.BatchScoring;

/// <summary>The input formats batch scoring reads.</summary>
public static class BatchFormats
{
    public const string Csv = "csv";
    public const string JsonLines = "jsonl";

    /// <summary>The explicit format, else the one the input's extension names; BadRequest when neither is known.</summary>
    public static string Resolve(string? format, string input)
    {
        var chosen = format?.Trim().ToLowerInvariant() ?? Path.GetExtension(input).TrimStart('.').ToLowerInvariant() switch
        {
            "csv" => Csv,
            "jsonl" or "ndjson" => JsonLines,
            var other => other,
        };
        return chosen is Csv or JsonLines
            ? chosen
            : throw ServingException.BadRequest($"Unknown input format '{chosen}': use 'csv' (with a header row) or 'jsonl'.");
    }
}
