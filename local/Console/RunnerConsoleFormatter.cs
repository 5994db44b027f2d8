using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Serverless.Local.Console;

/// <summary>Options of <see cref="RunnerConsoleFormatter"/>.</summary>
public sealed class RunnerConsoleFormatterOptions : ConsoleFormatterOptions
{
    /// <summary>Write each exception whole (type, message, stack trace); otherwise only its innermost message, on the same line.</summary>
    public bool IncludeExceptionDetails { get; set; }
}

/// <summary>
/// The runner's console lines: <c>HH:mm:ss level: category[event] message</c>, one line per event. An exception adds
/// only its innermost cause in words (<c>(SocketException: Connection refused)</c>); <c>--verbose</c> writes it whole.
/// </summary>
public sealed class RunnerConsoleFormatter : ConsoleFormatter, IDisposable
{
    public const string FormatterName = "runner";

    private readonly IDisposable? _reload;
    private RunnerConsoleFormatterOptions _options;

    public RunnerConsoleFormatter(IOptionsMonitor<RunnerConsoleFormatterOptions> options)
        : base(FormatterName)
    {
        _options = options.CurrentValue;
        _reload = options.OnChange(o => _options = o);
    }

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        if (message is null && logEntry.Exception is null)
        {
            return;
        }

        var details = _options.IncludeExceptionDetails;
        textWriter.Write(DateTime.Now.ToString("HH:mm:ss ", System.Globalization.CultureInfo.InvariantCulture));
        textWriter.Write(Level(logEntry.LogLevel));
        textWriter.Write(": ");
        textWriter.Write(logEntry.Category);
        textWriter.Write('[');
        textWriter.Write(logEntry.EventId.Id);
        textWriter.Write("] ");
        textWriter.Write(details ? message : OneLine(message));
        if (logEntry.Exception is { } exception)
        {
            if (details)
            {
                textWriter.Write(Environment.NewLine);
                textWriter.Write(exception.ToString());
            }
            else
            {
                textWriter.Write(" (");
                textWriter.Write(Cause(exception));
                textWriter.Write(')');
            }
        }

        textWriter.Write(Environment.NewLine);
    }

    public void Dispose() => _reload?.Dispose();

    /// <summary>The innermost exception's type and first line of message: what went wrong, without the trace.</summary>
    public static string Cause(Exception exception)
    {
        var inner = exception;
        while (true)
        {
            var next = inner is AggregateException { InnerExceptions.Count: > 0 } aggregate ? aggregate.InnerExceptions[0] : inner.InnerException;
            if (next is null)
            {
                break;
            }

            inner = next;
        }

        return $"{inner.GetType().Name}: {OneLine(inner.Message)}";
    }

    private static string OneLine(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }

        var end = text.IndexOfAny(['\r', '\n']);
        return end < 0 ? text : text[..end].TrimEnd() + " …";
    }

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => "none",
    };
}
