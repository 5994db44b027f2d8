using Azure;
using Azure.Data.Tables;
using Azure.Data.Tables.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Moq;
using Serverless.Core.Monitoring.Logging;

namespace Serverless.Tests.Monitoring.Logging;

public sealed class InferenceLogRetentionTests
{
    [Fact]
    public async Task DeleteExpiredAsync_DeletesOnlyMonthlyLogTablesWhoseWholeMonthIsPastRetention()
    {
        var service = new Mock<TableServiceClient>();
        string? filter = null;
        service.Setup(s => s.QueryAsync(It.IsAny<string>(), It.IsAny<int?>(), It.IsAny<CancellationToken>()))
            .Callback((string f, int? _, CancellationToken _) => filter = f)
            .Returns(AsyncPageable<TableItem>.FromPages(
            [
                Page<TableItem>.FromValues(
                [
                    new TableItem("inferencelog202510"),
                    new TableItem("inferencelog202511"),
                    new TableItem("inferencelog202512"),
                    new TableItem("inferencelog202603"),
                    new TableItem("inferencelogarchive"),
                ], null, Mock.Of<Response>()),
            ]));
        service.Setup(s => s.DeleteTableAsync(It.IsAny<string>(), It.IsAny<CancellationToken>())).ReturnsAsync(Mock.Of<Response>());
        var now = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
        var retention = new InferenceLogRetention(service.Object, Options.Create(new InferenceLogOptions { RetentionDays = 90 }), new FixedTime(now),
            NullLogger<InferenceLogRetention>.Instance);

        var deleted = await retention.DeleteExpiredAsync(CancellationToken.None);

        // Cut-off 2025-12-01 12:00: October and November ended before it; December's records are not all older yet.
        Assert.Equal(["inferencelog202510", "inferencelog202511"], deleted);
        service.Verify(s => s.DeleteTableAsync("inferencelog202510", It.IsAny<CancellationToken>()), Times.Once);
        service.Verify(s => s.DeleteTableAsync("inferencelog202511", It.IsAny<CancellationToken>()), Times.Once);
        service.Verify(s => s.DeleteTableAsync(It.IsAny<string>(), It.IsAny<CancellationToken>()), Times.Exactly(2));
        Assert.Equal("TableName ge 'inferencelog' and TableName lt 'inferencelog{'", filter);
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
