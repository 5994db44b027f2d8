using System.Globalization;
using Spectre.Console;

namespace Serverless.Cli.Output;

/// <summary>
/// Progress of a file transfer of known size on stderr: a Spectre progress bar on a terminal, a plain line at every tenth
/// otherwise; nothing for files under <see cref="LargeFileBytes"/>. the reporter may be called from any thread.
/// </summary>
public static class TransferProgress
{
    public const long LargeFileBytes = 8L * 1024 * 1024;

    /// <summary>Runs <paramref name="transfer"/> with a byte-count reporter shown as progress of <paramref name="totalBytes"/>.</summary>
    public static async Task RunAsync(CliOutput output, string description, long totalBytes, Func<IProgress<long>?, Task> transfer)
    {
        if (totalBytes < LargeFileBytes)
        {
            await transfer(null).ConfigureAwait(false);
            return;
        }

        if (output.IsTerminal)
        {
            await new Progress(output.ErrorConsole)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
                .StartAsync(async context =>
                {
                    var task = context.AddTask(Markup.Escape(description), maxValue: totalBytes);
                    await transfer(new Reporter(bytes => task.Value = bytes)).ConfigureAwait(false);
                    task.Value = totalBytes;
                }).ConfigureAwait(false);
            return;
        }

        var lastTenth = 0;
        var gate = new object();
        await transfer(new Reporter(bytes =>
        {
            var tenth = (int)Math.Min(10, bytes * 10 / totalBytes);
            lock (gate)
            {
                if (tenth > lastTenth)
                {
                    lastTenth = tenth;
                    output.Note(string.Create(CultureInfo.InvariantCulture, $"{description}: {bytes:N0} of {totalBytes:N0} bytes ({tenth * 10}%)"));
                }
            }
        })).ConfigureAwait(false);
    }

    private sealed class Reporter(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }
}
