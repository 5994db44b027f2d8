using System.CommandLine;
using System.Globalization;
using Azure;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Serverless.Cli.Commands;
using Serverless.Cli.Output;
using Serverless.Core.Errors;
using Serverless.Core.Storage;

namespace Serverless.Cli.Data;

/// <summary>
/// <c>data upload FILE container/path</c>, <c>data download container/path FILE</c>, <c>data list container[/prefix]</c>:
/// moves files in and out of the app's data containers (the only containers its requests may name), in the storage
/// account <see cref="StorageConnection"/> resolves, with progress for large files. Stateless; thread-safe.
/// </summary>
public static class DataCommand
{
    public static Command Create(CliRun run)
    {
        var connection = new Option<string?>("--connection")
        {
            Description = "storage connection string (default: AzureWebJobsStorage from the environment, else from local.settings.json here, else the local emulator)",
            Recursive = true,
            HelpName = "string",
        };
        var accountUrl = new Option<string?>("--account-url")
        {
            Description = "a deployed account's blob endpoint (https://<account>.blob.core.windows.net), reached with your Entra identity (DefaultAzureCredential)",
            Recursive = true,
            HelpName = "url",
        };
        var data = new Command("data", "Upload, download and list files in the app's data containers (Storage__DataContainers; default data, training, scores).")
        {
            connection, accountUrl,
        };

        var file = new Argument<string>("file") { Description = "the local file" };
        var target = new Argument<string>("container/path") { Description = "the blob (replaced if it exists)" };
        var upload = new Command("upload", "Upload a local file into a data container.") { file, target };
        data.Subcommands.Add(run.Bind(upload, (context, token) => RunAsync(context, connection, accountUrl,
            (service, store) => UploadAsync(service, context.Value(file), Blob(store, context.Value(target)), context.Output, token))));

        var source = new Argument<string>("container/path") { Description = "the blob" };
        var output = new Argument<string>("file") { Description = "the local file to write (replaced if it exists)" };
        var download = new Command("download", "Download a blob into a local file.") { source, output };
        data.Subcommands.Add(run.Bind(download, (context, token) => RunAsync(context, connection, accountUrl,
            (service, store) => DownloadAsync(service, Blob(store, context.Value(source)), context.Value(output), context.Output, token))));

        var prefix = new Argument<string>("container[/prefix]") { Description = "the container, and optionally the start of the blob names" };
        var list = new Command("list", "List blobs: size, last modified, name.") { prefix };
        data.Subcommands.Add(run.Bind(list, (context, token) => RunAsync(context, connection, accountUrl,
            (service, store) => ListAsync(service, Prefix(store, context.Value(prefix)), context.Output, token))));
        return data;
    }

    private static async Task<int> RunAsync(CliContext context, Option<string?> connectionOption, Option<string?> accountUrl,
        Func<BlobServiceClient, StorageConnection, Task> action)
    {
        var connection = StorageConnection.Resolve(context.Value(connectionOption), context.Value(accountUrl), context.Environment.Variable,
            Directory.GetCurrentDirectory());
        var service = connection.CreateClient(() => context.Credential);
        try
        {
            await action(service, connection).ConfigureAwait(false);
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
        catch (AuthenticationFailedException e)
        {
            throw CliException.ForData($"No Entra token for storage at {connection.Source}: {e.Message.Split('\n')[0]}", e);
        }

        return ExitCodes.Success;
    }

    private static async Task UploadAsync(BlobServiceClient service, string file, DataPath target, CliOutput output, CancellationToken cancellationToken)
    {
        if (!File.Exists(file))
        {
            throw CliException.ForData($"No file '{file}'.");
        }

        var container = service.GetBlobContainerClient(target.Container);
        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await using var stream = File.OpenRead(file);
        var length = stream.Length;
        await TransferProgress.RunAsync(output, $"upload {Path.GetFileName(file)}", length, progress =>
            container.GetBlobClient(target.Name).UploadAsync(stream, new BlobUploadOptions { ProgressHandler = progress }, cancellationToken)).ConfigureAwait(false);
        output.Line($"uploaded {file} ({length:N0} bytes) to {target}");
    }

    private static async Task DownloadAsync(BlobServiceClient service, DataPath source, string file, CliOutput output, CancellationToken cancellationToken)
    {
        var blob = service.GetBlobContainerClient(source.Container).GetBlobClient(source.Name);
        try
        {
            var properties = await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            await TransferProgress.RunAsync(output, $"download {source.Name}", properties.Value.ContentLength, progress =>
                blob.DownloadToAsync(file, new BlobDownloadToOptions { ProgressHandler = progress }, cancellationToken)).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            File.Delete(file);
            throw CliException.ForData($"No blob {source}.", e);
        }

        output.Line($"downloaded {source} ({new FileInfo(file).Length:N0} bytes) to {file}");
    }

    private static async Task ListAsync(BlobServiceClient service, DataPath prefix, CliOutput output, CancellationToken cancellationToken)
    {
        var container = service.GetBlobContainerClient(prefix.Container);
        var name = prefix.Name.Length == 0 ? null : prefix.Name;
        var rows = new List<IReadOnlyList<string>>();
        var items = new List<BlobItemJson>();
        try
        {
            await foreach (var item in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, name, cancellationToken).ConfigureAwait(false))
            {
                var size = item.Properties.ContentLength ?? 0;
                var modified = item.Properties.LastModified;
                rows.Add([size.ToString("N0", CultureInfo.InvariantCulture),
                    modified?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "", $"{prefix.Container}/{item.Name}"]);
                items.Add(new BlobItemJson($"{prefix.Container}/{item.Name}", size, modified));
            }
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            throw CliException.ForData($"No container '{prefix.Container}' yet.", e);
        }

        if (output.IsJson)
        {
            output.Json(new BlobListJson(items));
            return;
        }

        output.Table(["bytes", "modified (UTC)", "name"], rows);
    }

    private static DataPath Blob(StorageConnection connection, string text) => Guard(() => connection.Containers.Blob(text, "the blob path"));

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

    private sealed record BlobListJson(IReadOnlyList<BlobItemJson> Blobs);

    private sealed record BlobItemJson(string Path, long SizeBytes, DateTimeOffset? LastModifiedUtc);
}
