using System.Globalization;
using System.Text.RegularExpressions;

namespace Serverless.Bench;

/// <summary>The last lines a child process wrote, for failure messages, and its warm-up time when logged. Thread-safe.</summary>
public sealed partial class OutputTail
{
    private const int MaxLines = 60;
    private readonly Queue<string> _lines = new();
    private readonly Lock _gate = new();
    private double? _readyAfterMs;

    public void Add(string? line)
    {
        if (line is null)
        {
            return;
        }

        var ready = ReadyLine().Match(line);
        lock (_gate)
        {
            if (ready.Success)
            {
                _readyAfterMs = double.Parse(ready.Groups[1].Value, CultureInfo.InvariantCulture);
            }

            _lines.Enqueue(line);
            if (_lines.Count > MaxLines)
            {
                _lines.Dequeue();
            }
        }
    }

    /// <summary>The runner's "Serving is ready after N ms", once it has written it.</summary>
    public double? ReadyAfterMs
    {
        get
        {
            lock (_gate)
            {
                return _readyAfterMs;
            }
        }
    }

    public override string ToString()
    {
        lock (_gate)
        {
            return string.Join(Environment.NewLine, _lines);
        }
    }

    [GeneratedRegex(@"Serving is ready after (\d+(?:\.\d+)?) ms")]
    private static partial Regex ReadyLine();
}
