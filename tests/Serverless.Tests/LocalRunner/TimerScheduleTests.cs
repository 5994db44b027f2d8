using Microsoft.Extensions.Configuration;
using Serverless.Local.Timers;

namespace Serverless.Tests.LocalRunner;

public sealed class TimerScheduleTests
{
    private static readonly DateTime Start = new(2026, 11, 28, 10, 1, 30, DateTimeKind.Utc);
    private static readonly IConfiguration Settings = new ConfigurationBuilder()
        .AddInMemoryCollection(new Dictionary<string, string?> { ["DriftSchedule"] = "0 0 * * * *" })
        .Build();

    [Theory]
    [InlineData("0 */5 * * * *", "2026-11-28T10:05:00")]
    [InlineData("*/10 * * * *", "2026-11-28T10:10:00")]
    [InlineData("00:00:45", "2026-11-28T10:02:15")]
    [InlineData("%DriftSchedule%", "2026-11-28T11:00:00")]
    public void Next_ReadsSchedulesAsAzureFunctionsDoes(string schedule, string expected)
    {
        var next = TimerSchedule.Parse(schedule, Settings).Next(Start);

        Assert.Equal(DateTime.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), next);
    }

    [Theory]
    [InlineData("every five minutes")]
    [InlineData("%Missing%")]
    public void Parse_InvalidSchedule_ThrowsNamingIt(string schedule)
    {
        var error = Assert.Throws<InvalidOperationException>(() => TimerSchedule.Parse(schedule, Settings));

        Assert.Contains(schedule.Trim('%'), error.Message);
    }
}
