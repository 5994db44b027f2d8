using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Testing;

namespace Serverless.Tests.Support;

/// <summary>
/// Starts the in-process Durable test host on a port the OS says is free (the host's own default is a random port
/// in 30000–40000, which collides with ephemeral ports when other tests run alongside), retrying if the port is
/// taken between the check and the bind.
/// </summary>
public static class DurableTestHosts
{
    public static async Task<DurableTaskTestHost> StartAsync(Action<DurableTaskRegistry> configure)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await DurableTaskTestHost.StartAsync(configure, new DurableTaskTestHostOptions { Port = FreePort() }, CancellationToken.None);
            }
            catch (IOException e) when (attempt < 5 && e.InnerException is AddressInUseException)
            {
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
