using System.Globalization;
using System.Text;
using Serverless.Core.Errors;

namespace Serverless.Tests.Fuzz;

/// <summary>
/// Runs generated bodies through a target and collects every outcome that is neither success nor a
/// <see cref="ServingException"/> with a 4xx status (what the HTTP layer would turn into a 5xx). The failure message
/// names the seed, the case, the mutation and the body (cut short, invalid UTF-8 as \xNN), so any case can be replayed.
/// The seed is fixed; set FUZZ_SEED to explore others. Not thread-safe.
/// </summary>
internal static class FuzzRun
{
    public const int DefaultSeed = 20_250_610;

    public static int Seed => int.TryParse(Environment.GetEnvironmentVariable("FUZZ_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed)
        ? seed
        : DefaultSeed;

    /// <summary>Runs <paramref name="cases"/> cases from <paramref name="next"/> and fails listing the first few faults.</summary>
    public static void Run(string suite, int seed, int cases, Func<FuzzCase> next)
    {
        var failures = new List<string>();
        var kinds = new Dictionary<string, int>();
        for (var i = 0; i < cases; i++)
        {
            var (target, run, kind, body) = next();
            kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
            try
            {
                run(body);
            }
            catch (ServingException e) when (e.StatusCode is >= 400 and < 500)
            {
            }
            catch (Exception e)
            {
                failures.Add($"case {i} ({target}, {kind}): {e.GetType().Name}: {e.Message}{Environment.NewLine}  body ({body.Length} bytes): {Show(body)}" +
                    $"{Environment.NewLine}  at {e.StackTrace?.Split('\n').FirstOrDefault()?.Trim()}");
            }
        }

        Assert.True(failures.Count == 0,
            $"{suite}: {failures.Count} of {cases} bodies ended in a server error (seed {seed}; rerun with FUZZ_SEED={seed}):{Environment.NewLine}" +
            string.Join(Environment.NewLine, failures.Take(10)));
        Assert.True(kinds.Count >= 10, $"{suite}: only {kinds.Count} kinds of mutation ran");
    }

    /// <summary>The body as text, at most 300 bytes of it, invalid UTF-8 bytes as \xNN.</summary>
    public static string Show(ReadOnlySpan<byte> body)
    {
        var text = new StringBuilder();
        var shown = body[..Math.Min(body.Length, 300)];
        while (!shown.IsEmpty)
        {
            if (System.Text.Rune.DecodeFromUtf8(shown, out var rune, out var consumed) == System.Buffers.OperationStatus.Done && !System.Text.Rune.IsControl(rune))
            {
                text.Append(rune.ToString());
            }
            else
            {
                for (var i = 0; i < Math.Max(consumed, 1); i++)
                {
                    text.Append(CultureInfo.InvariantCulture, $"\\x{shown[i]:X2}");
                }
            }

            shown = shown[Math.Max(consumed, 1)..];
        }

        return body.Length > 300 ? text + $"... ({body.Length - 300} more bytes)" : text.ToString();
    }
}

/// <summary>One generated body, the mutation that made it, and the code under test it goes to (named <paramref name="Target"/>).</summary>
internal readonly record struct FuzzCase(string Target, Action<byte[]> Run, string Kind, byte[] Body);
