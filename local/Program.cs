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
    Console.WriteLine("Stopping: the function host, then the Azurite it started.");
    return 0;
}
catch (IOException e) when (e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
{
    Console.Error.WriteLine($"The local runner could not start: port {options.Port} is already in use by another process (another runner?). Stop it, or start with --port N.");
    return 1;
}
catch (Exception e) when (e is InvalidOperationException or IOException or System.ComponentModel.Win32Exception)
{
    Console.Error.WriteLine($"The local runner could not start: {e.Message}");
    return 1;
}
