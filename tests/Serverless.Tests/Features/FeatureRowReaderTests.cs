using System.Text;
using Serverless.Core.Errors;
using Serverless.Core.Features;

namespace Serverless.Tests.Features;

public sealed class FeatureRowReaderTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
    private static readonly FeatureSetDefinition Set = FeatureSetJson.Read("cust", "1", Encoding.UTF8.GetBytes(
        """{"entity_keys": ["customer_id"], "features": [{"name": "tenure", "type": "numeric"}, {"name": "plan", "type": "categorical"}], "ttl_seconds": 60}"""));

    [Fact]
    public void ReadJson_Rows_StampEachGivenFeatureWithTheRowsEventTime()
    {
        var rows = Json("""{"rows": [{"customer_id": 42, "event_time": "2026-11-30T10:00:00Z", "tenure": 12}, {"customer_id": "c2", "event_time": "2026-11-30T11:00:00+01:00", "plan": "gold", "tenure": null}]}""");

        Assert.Equal(["42", "c2"], rows.Select(r => r.KeyValues[0]));
        Assert.Equal(12, rows[0].Numbers[0]);
        Assert.Equal(new DateTimeOffset(2026, 11, 30, 10, 0, 0, TimeSpan.Zero).UtcTicks, rows[0].Ticks[0]);
        Assert.False(rows[0].Has(1));
        Assert.False(rows[1].Has(0));
        Assert.Equal("gold", rows[1].Texts[1]);
        Assert.Equal(new DateTimeOffset(2026, 11, 30, 10, 0, 0, TimeSpan.Zero).UtcTicks, rows[1].Ticks[1]);
    }

    [Fact]
    public void ReadCsv_HeaderAndRows_EmptyCellIsNotWritten()
    {
        var rows = FeatureRowReader.ReadCsv(Set, Encoding.UTF8.GetBytes("customer_id,event_time,tenure,plan\nc1,2026-11-30T10:00:00Z,3.5,\nc2,2026-11-30T10:00:00Z,,basic\n"), 10, Now);

        Assert.Equal(3.5, rows[0].Numbers[0]);
        Assert.False(rows[0].Has(1));
        Assert.Equal("basic", rows[1].Texts[1]);
    }

    [Theory]
    [InlineData("""{"rows": [{"customer_id": "c1", "event_time": "2026-11-30T10:00:00Z", "tenure": "abc"}]}""", "row 0, column 'tenure'")]
    [InlineData("""{"rows": [{"customer_id": "c1", "event_time": "2026-11-30T10:00:00Z", "tenure": 1}, {"event_time": "2026-11-30T10:00:00Z", "tenure": 1}]}""", "row 1, column 'customer_id'")]
    [InlineData("""{"rows": [{"customer_id": "c1", "tenure": 1}]}""", "row 0, column 'event_time'")]
    [InlineData("""{"rows": [{"customer_id": "c1", "event_time": null, "tenure": 1}]}""", "row 0, column 'event_time'")]
    [InlineData("""{"rows": [{"customer_id": "c1", "event_time": "yesterday", "tenure": 1}]}""", "ISO 8601")]
    [InlineData("""{"rows": [{"customer_id": "c1", "event_time": "2027-01-01T00:00:00Z", "tenure": 1}]}""", "future")]
    [InlineData("""{"rows": [{"customer_id": "c1", "event_time": "2026-11-30T10:00:00Z", "income": 1}]}""", "row 0, column 'income'")]
    [InlineData("""{"rows": [{"customer_id": "c1", "event_time": "2026-11-30T10:00:00Z"}]}""", "no feature value")]
    [InlineData("""{"rows": [{"customer_id": "c1", "event_time": "2026-11-30T10:00:00Z", "tenure": 1e999}]}""", "row 0, column 'tenure'")]
    [InlineData("""{"rows": []}""", "no rows")]
    [InlineData("""[1, 2]""", "\"rows\"")]
    public void ReadJson_BadRows_AreBadRequestNamingRowAndColumn(string json, string named)
    {
        var error = Assert.Throws<ServingException>(() => Json(json));

        Assert.Equal(ServingErrorKind.BadRequest, error.Kind);
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadJson_OverTheRowLimit_IsPayloadTooLarge()
    {
        var rows = string.Join(",", Enumerable.Range(0, 11).Select(i => $$"""{"customer_id": "c{{i}}", "event_time": "2026-11-30T10:00:00Z", "tenure": 1}"""));

        var error = Assert.Throws<ServingException>(() => Json($$"""{"rows": [{{rows}}]}"""));

        Assert.Equal(ServingErrorKind.PayloadTooLarge, error.Kind);
    }

    [Fact]
    public void ReadJson_ManyBadRows_ReportsTenAndCountsTheRest()
    {
        var rows = string.Join(",", Enumerable.Range(0, 10).Select(i => $$"""{"customer_id": "c{{i}}", "event_time": "2026-11-30T10:00:00Z", "tenure": "x", "plan": 1, "more": 2}"""));

        var error = Assert.Throws<ServingException>(() => Json($$"""{"rows": [{{rows}}]}"""));

        Assert.Contains("and 10 more", error.Message, StringComparison.Ordinal);
    }

    private static IReadOnlyList<FeatureRecord> Json(string json) => FeatureRowReader.ReadJson(Set, Encoding.UTF8.GetBytes(json), 10, Now);
}
