using System.Globalization;

namespace Serverless.Bench.Startup;

/// <summary>
/// CPU time per thread of a process, read from Linux's <c>/proc/PID/task/TID/schedstat</c> (nanoseconds on CPU) and
/// <c>comm</c> (the thread's name: ".NET TP Worker", ".NET Tiered Com", ...). Two snapshots subtracted name what ran in
/// between; on other systems a snapshot is empty.
/// </summary>
public sealed class ThreadCpu
{
    private readonly Dictionary<int, (string Name, long Nanoseconds)> _threads;

    private ThreadCpu(Dictionary<int, (string Name, long Nanoseconds)> threads)
    {
        _threads = threads;
    }

    public static ThreadCpu Read(int processId)
    {
        var threads = new Dictionary<int, (string Name, long Nanoseconds)>();
        var root = $"/proc/{processId}/task";
        if (!Directory.Exists(root))
        {
            return new ThreadCpu(threads);
        }

        foreach (var directory in Directory.EnumerateDirectories(root))
        {
            try
            {
                var id = int.Parse(Path.GetFileName(directory), CultureInfo.InvariantCulture);
                var name = File.ReadAllText(Path.Combine(directory, "comm")).Trim();
                var onCpu = long.Parse(File.ReadAllText(Path.Combine(directory, "schedstat")).Split(' ')[0], CultureInfo.InvariantCulture);
                threads[id] = (name, onCpu);
            }
            catch (IOException)
            {
                // The thread ended while being read.
            }
        }

        return new ThreadCpu(threads);
    }

    /// <summary>CPU milliseconds per thread name spent since <paramref name="earlier"/>, busiest first, as "name 1.2 ms, ...".</summary>
    public string Since(ThreadCpu earlier, int top = 5)
    {
        var byName = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (id, (name, ns)) in _threads)
        {
            var before = earlier._threads.TryGetValue(id, out var e) ? e.Nanoseconds : 0;
            var key = name.StartsWith(".NET TP Worker", StringComparison.Ordinal) ? ".NET TP Worker" : name;
            byName[key] = byName.GetValueOrDefault(key) + ((ns - before) / 1e6);
        }

        return string.Join(", ", byName.Where(p => p.Value >= 0.05).OrderByDescending(p => p.Value).Take(top)
            .Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} {p.Value:F1} ms")));
    }
}
