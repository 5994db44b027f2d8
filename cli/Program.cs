namespace Serverless.Cli;

/// <summary>The <c>Serverless.Cli</c> entry point; everything happens in <see cref="CliApp.RunAsync"/>.</summary>
internal static class Program
{
    public static Task<int> Main(string[] args) => CliApp.RunAsync(args, Console.Out, Console.Error);
}
