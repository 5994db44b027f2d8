using CsvHelper;
using Serverless.Core.Tabular;

namespace Serverless.Orchestrations.BatchScoring;

/// <summary>The current record of a <see cref="CsvReader"/> as UTF-8 cells; valid until the reader's next read.</summary>
internal readonly struct CsvRecordCells : IUtf8Cells
{
    private readonly CsvReader _reader;

    public CsvRecordCells(CsvReader reader)
    {
        _reader = reader;
    }

    public int Count => _reader.FieldCount;

    public ReadOnlySpan<byte> this[int index] => _reader.GetSpan(index);
}
