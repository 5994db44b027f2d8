using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;

namespace Serverless.Local.Azurite;

/// <summary>
/// Azurite, the Azure Storage emulator, run from the npm registry's package: installed on first use into a
/// git-ignored folder (<c>npm install azurite</c>), started with Node.js, and stopped (its whole process
/// tree) on dispose. Installation is serialised across processes with a lock file.
/// </summary>
public sealed class AzuriteProcess : IAsyncDisposable
{
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private const string SetSid = "/usr/bin/setsid";
    private static readonly TimeSpan GracefulStop = TimeSpan.FromSeconds(5);

    private readonly Process _process;
    private readonly AzuriteOptions _options;

    private AzuriteProcess(Process process, AzuriteOptions options)
    {
        _process = process;
        _options = options;
    }

    public AzuriteOptions Options => _options;

    /// <summary>A connection string for the emulator's well-known development account on these ports.</summary>
    public string ConnectionString => ConnectionStringFor(_options);

    public static string ConnectionStringFor(AzuriteOptions options) =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{options.BlobPort}/devstoreaccount1;" +
        $"QueueEndpoint=http://127.0.0.1:{options.QueuePort}/devstoreaccount1;" +
        $"TableEndpoint=http://127.0.0.1:{options.TablePort}/devstoreaccount1;";

    public static bool IsListening(int port)
    {
        try
        {
            using var client = new TcpClient();
            return client.ConnectAsync("127.0.0.1", port).Wait(TimeSpan.FromMilliseconds(300)) && client.Connected;
        }
        catch (AggregateException)
        {
            return false;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The emulator's process id (its own process group's leader where <c>setsid</c> exists).</summary>
    public int ProcessId => _process.Id;

    /// <summary>
    /// Starts Azurite in its own process group (so a terminal's Ctrl+C reaches only the runner, which then stops it in
    /// order), through a small Node.js wrapper that ends Azurite when the pipe on its stdin closes: when this process
    /// exits, even killed, Azurite follows.
    /// </summary>
    public static async Task<AzuriteProcess> StartAsync(AzuriteOptions options, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        logger ??= NullLogger.Instance;
        var script = await EnsureInstalledAsync(options.InstallDirectory, logger, cancellationToken).ConfigureAwait(false);
        var busy = new[] { options.BlobPort, options.QueuePort, options.TablePort }.Where(IsListening).ToList();
        if (busy.Count > 0)
        {
            throw new InvalidOperationException(
                $"Azurite cannot start: port{(busy.Count > 1 ? "s" : "")} {string.Join(", ", busy)} {(busy.Count > 1 ? "are" : "is")} already in use by another process. " +
                "Stop that process, or start the runner with --azurite-port N (N, N+1 and N+2 must be free).");
        }

        var start = new ProcessStartInfo(File.Exists(SetSid) ? SetSid : "node")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (start.FileName == SetSid)
        {
            start.ArgumentList.Add("node");
        }

        foreach (var argument in new[]
        {
            AzuriteWrapper.Write(options.InstallDirectory), script,
            "--blobHost", "127.0.0.1", "--blobPort", options.BlobPort.ToString(CultureInfo.InvariantCulture),
            "--queueHost", "127.0.0.1", "--queuePort", options.QueuePort.ToString(CultureInfo.InvariantCulture),
            "--tableHost", "127.0.0.1", "--tablePort", options.TablePort.ToString(CultureInfo.InvariantCulture),
            "--skipApiVersionCheck", "--loose", "--disableProductStyleUrl", "--disableTelemetry",
        })
        {
            start.ArgumentList.Add(argument);
        }

        if (options.DataDirectory is null)
        {
            start.ArgumentList.Add("--inMemoryPersistence");
        }
        else
        {
            Directory.CreateDirectory(options.DataDirectory);
            start.ArgumentList.Add("--location");
            start.ArgumentList.Add(options.DataDirectory);
        }

        var output = new StringBuilder();
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("Could not start 'node' for Azurite; is Node.js installed?");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"Could not start 'node' for Azurite ({e.Message}); is Node.js installed and on PATH?", e);
        }

        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var azurite = new AzuriteProcess(process, options);

        var deadline = DateTime.UtcNow + options.StartTimeout;
        while (!(IsListening(options.BlobPort) && IsListening(options.QueuePort) && IsListening(options.TablePort)))
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                // Read what happened before disposing: a disposed Process answers nothing but "No process is associated".
                var outcome = process.HasExited ? $"it exited with code {process.ExitCode}" : "timed out";
                await azurite.DisposeAsync().ConfigureAwait(false);
                string log;
                lock (output)
                {
                    log = output.ToString();
                }

                throw new InvalidOperationException(
                    $"Azurite did not start listening on ports {options.BlobPort}/{options.QueuePort}/{options.TablePort} " +
                    $"({outcome}). Its output:\n{log.Trim()}");
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }

        logger.LogInformation("Azurite {Version} listening: blob {Blob}, queue {Queue}, table {Table} ({Persistence}; process {ProcessId})",
            AzuriteOptions.PackageVersion, options.BlobPort, options.QueuePort, options.TablePort, options.DataDirectory ?? "in memory", process.Id);
        return azurite;
    }

    /// <summary>Stops Azurite: closes its stdin (it shuts its servers down and exits), and kills it if it has not exited within a few seconds.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                try
                {
                    _process.StandardInput.Close();
                    await _process.WaitForExitAsync().WaitAsync(GracefulStop).ConfigureAwait(false);
                }
                catch (Exception e) when (e is TimeoutException or IOException)
                {
                    _process.Kill(entireProcessTree: true);
                    await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
                }
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        catch (TimeoutException)
        {
            // It was killed; the OS reaps it.
        }

        _process.Dispose();
    }

    /// <summary>Installs the pinned Azurite package unless present; returns the path of its entry script.</summary>
    public static async Task<string> EnsureInstalledAsync(string installDirectory, ILogger logger, CancellationToken cancellationToken)
    {
        var script = Path.Combine(installDirectory, "node_modules", "azurite", "dist", "src", "azurite.js");
        if (File.Exists(script))
        {
            return script;
        }

        Directory.CreateDirectory(installDirectory);
        await using var installLock = await AcquireLockAsync(Path.Combine(installDirectory, ".install.lock"), cancellationToken).ConfigureAwait(false);
        if (File.Exists(script))
        {
            return script;
        }

        logger.LogInformation("Installing Azurite {Version} from the npm registry into {Directory} (first run only)...",
            AzuriteOptions.PackageVersion, installDirectory);
        var install = new ProcessStartInfo("npm")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "install", "--no-audit", "--no-fund", "--no-save", "--prefix", installDirectory, $"azurite@{AzuriteOptions.PackageVersion}" })
        {
            install.ArgumentList.Add(argument);
        }

        using var npm = Process.Start(install) ?? throw new InvalidOperationException("Could not start 'npm'; is Node.js installed?");
        var stdout = npm.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = npm.StandardError.ReadToEndAsync(cancellationToken);
        await npm.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (npm.ExitCode != 0 || !File.Exists(script))
        {
            throw new InvalidOperationException(
                $"'npm install azurite@{AzuriteOptions.PackageVersion}' failed (exit code {npm.ExitCode}):\n{await stdout.ConfigureAwait(false)}\n{await stderr.ConfigureAwait(false)}");
        }

        return script;
    }

    private static async Task<FileStream> AcquireLockAsync(string path, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (IOException)
            {
                await Task.Delay(250, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
