using System.Globalization;
using NCrontab;

namespace Serverless.Local.Timers;

/// <summary>
/// A TimerTrigger schedule as Azure Functions reads it: a six-field NCRONTAB expression (with seconds), a
/// five-field one, or a TimeSpan interval ("00:05:00"); "%Name%" is replaced by the app setting Name.
/// </summary>
public sealed class TimerSchedule
{
    private readonly CrontabSchedule? _cron;
    private readonly TimeSpan? _interval;

    private TimerSchedule(string expression, CrontabSchedule? cron, TimeSpan? interval)
    {
        Expression = expression;
        _cron = cron;
        _interval = interval;
    }

    public string Expression { get; }

    public static TimerSchedule Parse(string schedule, IConfiguration configuration)
    {
        var expression = schedule.Trim();
        if (expression.Length > 2 && expression[0] == '%' && expression[^1] == '%')
        {
            var setting = expression[1..^1];
            expression = configuration[setting]
                ?? throw new InvalidOperationException($"Timer schedule refers to app setting '{setting}', which is not set.");
        }

        if (!expression.Contains(' ') && TimeSpan.TryParse(expression, CultureInfo.InvariantCulture, out var interval) && interval > TimeSpan.Zero)
        {
            return new TimerSchedule(expression, null, interval);
        }

        var fields = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        var cron = CrontabSchedule.TryParse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = fields == 6 })
            ?? throw new InvalidOperationException($"'{expression}' is neither an NCRONTAB expression nor a TimeSpan.");
        return new TimerSchedule(expression, cron, null);
    }

    /// <summary>The first occurrence strictly after <paramref name="after"/> (UTC, as WEBSITE_TIME_ZONE is unset locally).</summary>
    public DateTime Next(DateTime after) => _interval is { } interval ? after + interval : _cron!.GetNextOccurrence(after);
}
