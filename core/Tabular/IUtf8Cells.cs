namespace Serverless.Core.Tabular;

/// <summary>
/// One row of text cells as UTF-8, read by position (a CSV record under a bound header), so rows can be added to
/// a <see cref="FeatureBatch"/> without a string per cell. A span is valid until the next cell is asked for.
/// </summary>
public interface IUtf8Cells
{
    /// <summary>The number of cells in the row.</summary>
    int Count { get; }

    /// <summary>The cell at <paramref name="index"/> (0-based), decoded (quotes removed), as UTF-8.</summary>
    ReadOnlySpan<byte> this[int index] { get; }
}
