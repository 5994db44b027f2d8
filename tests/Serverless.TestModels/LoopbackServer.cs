using System.Net;
using System.Net.Sockets;

namespace Serverless.TestModels;

/// <summary>
/// An HTTP listener on 127.0.0.1 (a free port) standing in for a webhook: it answers each path with a status (and a
/// Location when given) and records the paths asked for and the bodies posted. Thread-safe; dispose to stop it.
/// </summary>
public sealed class LoopbackServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Func<string, (int Status, string? Location)> _answer;
    private readonly Task _serving;
    private readonly List<string> _paths = [];
    private readonly List<string> _bodies = [];

    public LoopbackServer(Func<string, (int Status, string? Location)> answer)
    {
        _answer = answer;
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        Url = $"http://127.0.0.1:{port}/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _serving = ServeAsync();
    }

    public string Url { get; }

    /// <summary>The paths asked for, in order.</summary>
    public List<string> Paths
    {
        get
        {
            lock (_paths)
            {
                return [.. _paths];
            }
        }
    }

    /// <summary>The request bodies received, in order.</summary>
    public List<string> Bodies
    {
        get
        {
            lock (_paths)
            {
                return [.. _bodies];
            }
        }
    }

    public void Dispose()
    {
        _listener.Close();
        _serving.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing).GetAwaiter().GetResult();
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            var context = await _listener.GetContextAsync().ConfigureAwait(false);
            var path = context.Request.Url!.AbsolutePath;
            using var reader = new StreamReader(context.Request.InputStream);
            var body = await reader.ReadToEndAsync().ConfigureAwait(false);
            lock (_paths)
            {
                _paths.Add(path);
                _bodies.Add(body);
            }

            var (status, location) = _answer(path);
            context.Response.StatusCode = status;
            if (location is not null)
            {
                context.Response.RedirectLocation = Url.TrimEnd('/') + location;
            }

            context.Response.Close();
        }
    }
}
