using Azure.Storage.Blobs;
using Serverless.Cli;
using Serverless.IntegrationTests.Support;

namespace Serverless.IntegrationTests.EndToEnd;

/// <summary>The CLI's data commands against a real Azurite: upload, list and download give back the same bytes.</summary>
[Collection(StackCollection.Name)]
public sealed class CliDataEndToEndTests : IDisposable
{
    private readonly StackFixture _stack;
    private readonly string _folder = Directory.CreateTempSubdirectory("cli-data-").FullName;

    public CliDataEndToEndTests(StackFixture stack)
    {
        _stack = stack;
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task UploadListDownload_RoundTripsTheBytes()
    {
        var source = Path.Combine(_folder, "in.csv");
        var bytes = System.Text.Encoding.UTF8.GetBytes("id,x\n1,2.5\n2,ü\n");
        await File.WriteAllBytesAsync(source, bytes);
        var name = $"cli/{Guid.NewGuid():N}/in.csv";

        var upload = await RunAsync("data", "upload", source, $"data/{name}");
        var list = await RunAsync("data", "list", $"data/{name[..^"in.csv".Length]}");
        var target = Path.Combine(_folder, "out.csv");
        var download = await RunAsync("data", "download", $"data/{name}", target);

        Assert.Equal(ExitCodes.Success, upload.Code);
        Assert.Equal(ExitCodes.Success, list.Code);
        Assert.Contains($"data/{name}", list.Stdout);
        Assert.Equal(ExitCodes.Success, download.Code);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(target));
        var stored = await new BlobServiceClient(_stack.ConnectionString).GetBlobContainerClient("data").GetBlobClient(name).DownloadContentAsync();
        Assert.Equal(bytes, stored.Value.Content.ToArray());
    }

    [Fact]
    public async Task Download_MissingBlob_IsADataErrorAndLeavesNoFile()
    {
        var target = Path.Combine(_folder, "missing.csv");

        var (code, _, stderr) = await RunAsync("data", "download", $"data/cli/{Guid.NewGuid():N}.csv", target);

        Assert.Equal(ExitCodes.DataError, code);
        Assert.Contains("No blob", stderr);
        Assert.False(File.Exists(target));
    }

    [Fact]
    public async Task Upload_StorageNotListening_SaysSoInsteadOfHanging()
    {
        var source = Path.Combine(_folder, "in.csv");
        await File.WriteAllTextAsync(source, "a\n1\n");
        var unreachable = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:9/devstoreaccount1;";

        var (code, _, stderr) = await RunAsync("data", "upload", source, "data/x.csv", "--connection", unreachable);

        Assert.Equal(ExitCodes.DataError, code);
        Assert.Contains("Cannot reach storage", stderr);
    }

    private async Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var withConnection = args.Contains("--connection") ? args : [.. args, "--connection", _stack.ConnectionString];
        var code = await CliApp.RunAsync(withConnection, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
