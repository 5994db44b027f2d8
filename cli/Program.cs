namespace Serverless.Cli;

/// <summary>The <c>sls</c> entry point; everything happens in <see cref="CliApp.RunAsync(string[], TextWriter, TextWriter, CliEnvironment, CancellationToken)"/>.</summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        using var interrupt = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            interrupt.Cancel();
        };
        try
        {
            return await CliApp.RunAsync(args, Console.Out, Console.Error, CliEnvironment.FromProcess(), interrupt.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (interrupt.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("interrupted").ConfigureAwait(false);
            return 130;
        }
    }
}
