using System.Diagnostics;

namespace Serverless.Bench;

/// <summary>Progress lines on standard output, stamped with the time since the bench started. Thread-safe.</summary>
public static class Progress
{
    private static readonly long Started = Stopwatch.GetTimestamp();

    public static void Write(string message) =>
        Console.WriteLine($"[{Stopwatch.GetElapsedTime(Started).TotalSeconds,6:F1}s] {message}");
}
