using System.Text;
using Serverless.Core.Errors;
using Serverless.Core.Monitoring.Logging;
using Serverless.Functions.Monitoring;

namespace Serverless.Tests.Monitoring.Feedback;

public sealed class FeedbackRequestReaderTests
{
    private static readonly DateTimeOffset Now = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);

    [Fact]
    public void Read_ValidItems_ReadsIdRowAndActual()
    {
        var records = Read("""[{"id":"r-1","actual":1.5},{"id":"r-2","actual":"yes","row":3},{"id":"r-3","actual":true}]""");

        Assert.Equal(["r-1", "r-2", "r-3"], records.Select(r => r.RequestId));
        Assert.Equal(["1.5", "yes", "true"], records.Select(r => r.Actual));
        Assert.Equal([0, 3, 0], records.Select(r => r.Row));
    }

    [Fact]
    public void Read_IdAtTheCap_IsAccepted()
    {
        var id = new string('a', RequestIds.MaxLength);

        Assert.Equal(id, Read($$"""[{"id":"{{id}}","actual":1}]""").Single().RequestId);
    }

    [Fact]
    public void Read_IdOverTheCap_IsBadRequestNamingTheFieldWithoutEchoingIt()
    {
        var id = new string('a', RequestIds.MaxLength + 1);

        var error = BadRequest($$"""[{"id":"ok","actual":1},{"id":"{{id}}","actual":1}]""");

        Assert.Contains("item 1", error.Message);
        Assert.Contains("'id' is longer than 128", error.Message);
        Assert.DoesNotContain(id, error.Message);
    }

    [Fact]
    public void Read_ActualOverTheCap_IsBadRequestNamingTheField()
    {
        var actual = new string('x', FeedbackRequestReader.MaxActualLength + 1);

        var error = BadRequest($$"""[{"id":"r","actual":"{{actual}}"}]""");

        Assert.Contains("'actual' is longer than", error.Message);
        Assert.DoesNotContain(actual, error.Message);
    }

    [Fact]
    public void Read_HugeNumberAsActual_IsBadRequest()
    {
        var error = BadRequest($$"""[{"id":"r","actual":{{new string('9', 10_000)}}}]""");

        Assert.Contains("'actual' is longer than", error.Message);
    }

    [Fact]
    public void Read_MoreItemsThanTheCap_IsBadRequest()
    {
        var items = string.Join(",", Enumerable.Repeat("""{"id":"r","actual":1}""", FeedbackRequestReader.MaxItems + 1));

        var error = BadRequest($"[{items}]");

        Assert.Contains("1 to 10000 items", error.Message);
    }

    [Fact]
    public void Read_LongUnknownFieldAndInvalidValue_AreQuotedTruncated()
    {
        var longName = new string('n', 5_000);

        var unknown = BadRequest($$"""[{"id":"r","actual":1,"{{longName}}":1}]""");
        var invalid = BadRequest($$"""[{"id":"r","actual":[{{string.Join(",", Enumerable.Repeat("1", 5_000))}}]}]""");

        Assert.True(unknown.Message.Length < 200, unknown.Message);
        Assert.True(invalid.Message.Length < 200, invalid.Message);
    }

    [Theory]
    [InlineData("""[{"id":"\uD800","actual":1}]""")]
    [InlineData("""[{"id":"r","actual":"\uDC00x"}]""")]
    public void Read_UnpairedSurrogateEscape_IsBadRequest(string body)
    {
        var error = BadRequest(body);

        Assert.Contains("item 0", error.Message);
    }

    [Fact]
    public void Read_InvalidUtf8InAString_IsBadRequest()
    {
        var body = Encoding.UTF8.GetBytes("""[{"id":"r?","actual":1}]""");
        body[Array.IndexOf(body, (byte)'?')] = 0xFF;

        var error = Assert.Throws<ServingException>(() => FeedbackRequestReader.Read(body, Now));

        Assert.Equal(400, error.StatusCode);
    }

    private static IReadOnlyList<Core.Monitoring.Feedback.FeedbackRecord> Read(string json) => FeedbackRequestReader.Read(Encoding.UTF8.GetBytes(json), Now);

    private static ServingException BadRequest(string json)
    {
        var error = Assert.Throws<ServingException>(() => Read(json));
        Assert.Equal(ServingErrorKind.BadRequest, error.Kind);
        return error;
    }
}
