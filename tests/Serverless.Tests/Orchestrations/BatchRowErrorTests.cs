using System.Text;
using System.Text.Json;
using Serverless.Core.Tabular;
using Serverless.Orchestrations.BatchScoring;

namespace Serverless.Tests.Orchestrations;

/// <summary>The lines of a batch job's errors blob: row, the row's id from the job's id column (or why it is unreadable), feature and reason.</summary>
public sealed class BatchRowErrorTests
{
    [Fact]
    public void Line_WithAnId_CarriesItBesideTheRowAndReason() =>
        Assert.Equal("""{"row":17,"id":"C-17","feature":"age","reason":"expected a number, got \"x\""}""",
            BatchRowError.From(new RowError(17, "age", "expected a number, got \"x\""), RowId.Of("C-17")).ToJsonLine());

    [Fact]
    public void Line_WithoutAnIdColumn_HasNoIdField() =>
        Assert.Equal("""{"row":3,"feature":null,"reason":"has 2 cell(s), but the header has 3"}""",
            BatchRowError.From(new RowError(3, null, "has 2 cell(s), but the header has 3"), null).ToJsonLine());

    [Fact]
    public void Line_IdUnreadable_SaysWhyInIdError() =>
        Assert.Equal("""{"row":4,"id_error":"the row has 1 cell(s), none in id column 'id'","feature":null,"reason":"r"}""",
            BatchRowError.From(new RowError(4, null, "r"), RowIds.FromCsvCell([], 2, 1, "id")).ToJsonLine());

    [Fact]
    public void Line_QuotesAndNonAsciiText_StayReadable() =>
        Assert.Contains("'größe' is not one of the known categories",
            BatchRowError.From(new RowError(1, "größe", "'größe' is not one of the known categories"), RowId.Of("Zoë")).ToJsonLine());

    [Theory]
    [InlineData("""{"id": "C-1", "age": "x"}""", "C-1", null)]
    [InlineData("""{"id": 42, "age": "x"}""", "42", null)]
    [InlineData("""{"age": "x"}""", null, "the line has no field 'id'")]
    [InlineData("""{"id": null}""", null, "the field 'id' is null")]
    [InlineData("""["C-1"]""", null, "the line is not a JSON object, so it has no id field")]
    [InlineData("""{"id": "C-1", "age": x}""", null, "the line is not valid JSON (column 22: 'x' cannot start a value)")]
    public void FromJsonLine_ReadsTheIdOrSaysWhyNot(string line, string? id, string? error) =>
        Assert.Equal(new RowId(id, error), RowIds.FromJsonLine(Encoding.UTF8.GetBytes(line), "id"));

    [Fact]
    public void FromCsvCell_InvalidUtf8_SaysSo() =>
        Assert.Equal(RowId.Unreadable("the id cell is not valid UTF-8 text"), RowIds.FromCsvCell([0xC3, 0x28], 0, 3, "id"));

    [Fact]
    public void FromCsvCell_ReadsTheCell() =>
        Assert.Equal(RowId.Of("Zoë"), RowIds.FromCsvCell(Encoding.UTF8.GetBytes("Zoë"), 0, 3, "id"));

    [Fact]
    public void Line_ParsesBackWithSnakeCaseFields()
    {
        using var line = JsonDocument.Parse(BatchRowError.From(new RowError(9, "city", "r"), RowId.Of("a\"b")).ToJsonLine());

        Assert.Equal(["row", "id", "feature", "reason"], line.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal("a\"b", line.RootElement.GetProperty("id").GetString());
    }
}
