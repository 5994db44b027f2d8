using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Serverless.Bench;

/// <summary>The bench's own ASP.NET Core endpoints: built for 127.0.0.1 on a free port, started, and their base address read back.</summary>
public static class LoopbackApp
{
    /// <summary>A slim builder (or the full one) in Production, listening on 127.0.0.1 on a port the system chooses.</summary>
    public static WebApplicationBuilder CreateBuilder(string name, bool full = false)
    {
        var options = new WebApplicationOptions
        {
            ApplicationName = name,
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
        };
        var builder = full ? WebApplication.CreateBuilder(options) : WebApplication.CreateSlimBuilder(options);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        return builder;
    }

    /// <summary>Starts the app and answers the address it listens on, with a trailing slash.</summary>
    public static async Task<Uri> StartAsync(WebApplication app)
    {
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Uri(address.TrimEnd('/') + "/");
    }
}
