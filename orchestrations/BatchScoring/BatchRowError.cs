using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Serverless.Core.Tabular;

namespace Serverless.Orchestrations.BatchScoring;

/// <summary>
/// One line of a batch job's errors blob (JSON Lines, snake_case): the refused row's number in the input file (data
/// rows from 1), its <c>id</c> (the <c>id_column</c> value, when the job has an id column), the feature at fault (null
/// for the row as a whole) and the reason. When the job has an id column but the row's id cannot be read (no such
/// cell, a line that is not JSON), <c>id</c> is absent and <c>id_error</c> says why. Immutable.
/// </summary>
public sealed record BatchRowError(
    long Row,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Id,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? IdError,
    string? Feature,
    string Reason)
{
    /// <summary>How the lines are written: snake_case, quotes and non-ASCII text as they are (the blob is JSON Lines, never HTML).</summary>
    public static JsonSerializerOptions Json { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static BatchRowError From(RowError error, RowId? id) => new(error.Row, id?.Value, id?.Error, error.Feature, error.Reason);

    public string ToJsonLine() => JsonSerializer.Serialize(this, Json);
}

/// <summary>A row's id as read from its id column, or why it could not be read (<see cref="Error"/>). Immutable.</summary>
public readonly record struct RowId(string? Value, string? Error)
{
    public static RowId Of(string value) => new(value, null);

    public static RowId Unreadable(string why) => new(null, why);
}
