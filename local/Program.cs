using Serverless.Local.Hosting;

LocalRunnerOptions options;
try
{
    options = LocalRunnerOptions.FromArgs(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

try
{
    await using var host = await LocalFunctionHost.StartAsync(options);
    host.WriteBanner(Console.Out);
    await host.WaitForShutdownAsync();
    Console.WriteLine("Stopping: function host and the Azurite it started.");
    return 0;
}
catch (Exception e) when (e is InvalidOperationException or IOException or System.ComponentModel.Win32Exception)
{
    Console.Error.WriteLine($"The local runner could not start: {e.Message}");
    return 1;
}
