using System.Globalization;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Serverless.Core.Errors;
using Serverless.Core.Storage;

namespace Serverless.Cli.Data;

/// <summary>
/// <c>data upload FILE container/path</c>, <c>data download container/path FILE</c>, <c>data list container[/prefix]</c>:
/// moves files in and out of the app's data containers (the only containers its requests may name), in the storage
/// account <see cref="StorageConnection"/> resolves. Stateless; thread-safe.
/// </summary>
public static class DataCommand
{
    public const string Usage = """
        Usage: Serverless.Cli data <upload|download|list> ... [options]

          data upload <file> <container/path>      upload a local file (replaces a blob of that name)
          data download <container/path> <file>    download a blob into a local file
          data list <container[/prefix]>           list blobs: size, last modified, name

        Paths name a data container (Storage__DataContainers; default data, training, scores), as requests do.

        Options:
          --connection <string>   storage connection string (default: AzureWebJobsStorage from the environment,
                                  else from local.settings.json here, else the local emulator)
          --help                  show this help
        """;

    private static readonly string[] Options = ["connection"];
    private static readonly string[] Flags = ["help"];

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter stdout, Func<string, string?> environment, CancellationToken cancellationToken = default)
    {
        if (args.Count == 0)
        {
            throw CliException.ForUsage("data needs a command: upload, download or list.");
        }

        if (args[0] is "--help" or "help")
        {
            await stdout.WriteAsync(Usage).ConfigureAwait(false);
            return ExitCodes.Success;
        }

        var verb = args[0];
        var (min, max) = verb switch
        {
            "upload" or "download" => (2, 2),
            "list" => (1, 1),
            _ => throw CliException.ForUsage($"Unknown data command '{verb}' (upload, download or list)."),
        };
        var line = CommandLine.Parse(args.Skip(1).ToList(), Options, Flags, min, max);
        if (line.Has("help"))
        {
            await stdout.WriteAsync(Usage).ConfigureAwait(false);
            return ExitCodes.Success;
        }

        var connection = StorageConnection.Resolve(line.Value("connection"), environment, Directory.GetCurrentDirectory());
        var service = connection.CreateClient();
        try
        {
            switch (verb)
            {
                case "upload":
                    await UploadAsync(service, line.Positionals[0], Blob(connection, line.Positionals[1], "the blob path"), stdout, cancellationToken).ConfigureAwait(false);
                    break;
                case "download":
                    await DownloadAsync(service, Blob(connection, line.Positionals[0], "the blob path"), line.Positionals[1], stdout, cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    await ListAsync(service, Prefix(connection, line.Positionals[0]), stdout, cancellationToken).ConfigureAwait(false);
                    break;
            }
        }
        catch (RequestFailedException e) when (e.Status == 0)
        {
            throw CliException.ForData($"Cannot reach storage at {connection.Source}: is the local runner (or Azurite) running?", e);
        }
        catch (RequestFailedException e)
        {
            throw CliException.ForData($"Storage answered {e.Status} ({e.ErrorCode ?? "no code"}) at {connection.Source}.", e);
        }
        catch (AggregateException e) when (e.InnerExceptions.All(i => i is RequestFailedException or HttpRequestException))
        {
            throw CliException.ForData($"Cannot reach storage at {connection.Source}: is the local runner (or Azurite) running?", e);
        }

        return ExitCodes.Success;
    }

    private static async Task UploadAsync(BlobServiceClient service, string file, DataPath target, TextWriter stdout, CancellationToken cancellationToken)
    {
        if (!File.Exists(file))
        {
            throw CliException.ForData($"No file '{file}'.");
        }

        var container = service.GetBlobContainerClient(target.Container);
        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await using var stream = File.OpenRead(file);
        await container.GetBlobClient(target.Name).UploadAsync(stream, overwrite: true, cancellationToken).ConfigureAwait(false);
        await stdout.WriteLineAsync($"uploaded {file} ({stream.Length:N0} bytes) to {target}").ConfigureAwait(false);
    }

    private static async Task DownloadAsync(BlobServiceClient service, DataPath source, string file, TextWriter stdout, CancellationToken cancellationToken)
    {
        var blob = service.GetBlobContainerClient(source.Container).GetBlobClient(source.Name);
        try
        {
            await blob.DownloadToAsync(file, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            File.Delete(file);
            throw CliException.ForData($"No blob {source}.", e);
        }

        await stdout.WriteLineAsync($"downloaded {source} ({new FileInfo(file).Length:N0} bytes) to {file}").ConfigureAwait(false);
    }

    private static async Task ListAsync(BlobServiceClient service, DataPath prefix, TextWriter stdout, CancellationToken cancellationToken)
    {
        var container = service.GetBlobContainerClient(prefix.Container);
        var name = prefix.Name.Length == 0 ? null : prefix.Name;
        try
        {
            await foreach (var item in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, name, cancellationToken).ConfigureAwait(false))
            {
                var size = item.Properties.ContentLength ?? 0;
                var modified = item.Properties.LastModified?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "";
                await stdout.WriteLineAsync($"{size,14:N0}  {modified}  {prefix.Container}/{item.Name}").ConfigureAwait(false);
            }
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            throw CliException.ForData($"No container '{prefix.Container}' yet.", e);
        }
    }

    private static DataPath Blob(StorageConnection connection, string text, string field) => Guard(() => connection.Containers.Blob(text, field));

    private static DataPath Prefix(StorageConnection connection, string text) => Guard(() => connection.Containers.Prefix(text, "the prefix"));

    private static DataPath Guard(Func<DataPath> parse)
    {
        try
        {
            return parse();
        }
        catch (ServingException e)
        {
            throw CliException.ForUsage(e.Message);
        }
    }
}
