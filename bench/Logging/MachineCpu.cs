using System.Diagnostics;
using System.Globalization;

namespace Serverless.Bench.Logging;

/// <summary>
/// CPU time used by this process and by the rest of the machine (here: Azurite, the only other busy process), from
/// <see cref="Process.TotalProcessorTime"/> and the busy ticks of <c>/proc/stat</c> (Linux; zero elsewhere).
/// </summary>
public readonly record struct MachineCpu(TimeSpan Process, TimeSpan Machine)
{
    public TimeSpan Others => Machine - Process;

    public static MachineCpu Now()
    {
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        return new MachineCpu(self.TotalProcessorTime, MachineBusy());
    }

    public static MachineCpu operator -(MachineCpu a, MachineCpu b) => new(a.Process - b.Process, a.Machine - b.Machine);

    public static MachineCpu operator +(MachineCpu a, MachineCpu b) => new(a.Process + b.Process, a.Machine + b.Machine);

    /// <summary>Busy time of all cores: the first line of /proc/stat less idle and iowait, in USER_HZ (100 per second).</summary>
    private static TimeSpan MachineBusy()
    {
        if (!File.Exists("/proc/stat"))
        {
            return TimeSpan.Zero;
        }

        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        var busy = fields.Take(8).Sum() - fields[3] - fields[4];
        return TimeSpan.FromSeconds(busy / 100.0);
    }
}
