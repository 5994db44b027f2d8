using System.Globalization;

namespace Serverless.Core.Tabular;

/// <summary>
/// Why one row was refused: the row's index (0-based, as the caller numbered rows), the feature at fault (null for
/// a problem with the row as a whole) and the reason. <see cref="ToString"/> gives the client-facing text.
/// </summary>
public sealed record RowError(long Row, string? Feature, string Reason)
{
    public override string ToString() => Feature is null
        ? string.Create(CultureInfo.InvariantCulture, $"row {Row}: {Reason}")
        : string.Create(CultureInfo.InvariantCulture, $"row {Row}, feature '{Feature}': {Reason}");
}
