using Serverless.Cli;
using Serverless.Cli.Data;

namespace Serverless.Tests.Cli;

/// <summary>The <c>samples</c> command and the data commands' argument handling, in process.</summary>
public sealed class SamplesAndDataCliTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("samples-cli-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Samples_WritesLabelledTrainingRowsAndUnlabelledRowsToScore()
    {
        var (code, stdout, stderr) = await RunAsync("samples", _folder, "--rows", "300");

        Assert.Equal(ExitCodes.Success, code);
        Assert.Equal("", stderr);
        var churn = File.ReadAllLines(Path.Combine(_folder, "churn.csv"));
        var customers = File.ReadAllLines(Path.Combine(_folder, "customers.csv"));
        Assert.Equal("customer_id,tenure,charges,contract,noise,churned", churn[0]);
        Assert.Equal(301, churn.Length);
        Assert.Equal("customer_id,tenure,charges,contract,noise", customers[0]);
        Assert.Equal(101, customers.Length);
        Assert.All(customers.Skip(1), line => Assert.Equal(5, line.Split(',').Length));
        Assert.Contains("churn.csv (300 rows)", stdout);
    }

    [Fact]
    public async Task Samples_SameSeed_SameFiles_OtherSeed_OtherFiles()
    {
        var other = Path.Combine(_folder, "other");
        await RunAsync("samples", _folder, "--rows", "200", "--seed", "7");
        var first = await File.ReadAllTextAsync(Path.Combine(_folder, "churn.csv"));
        await RunAsync("samples", _folder, "--rows", "200", "--seed", "7");
        await RunAsync("samples", other, "--rows", "200", "--seed", "8");

        Assert.Equal(first, await File.ReadAllTextAsync(Path.Combine(_folder, "churn.csv")));
        Assert.NotEqual(first, await File.ReadAllTextAsync(Path.Combine(other, "churn.csv")));
    }

    [Theory]
    [InlineData("samples")]
    [InlineData("samples", "x", "--rows", "5")]
    [InlineData("samples", "x", "--rows", "many")]
    [InlineData("samples", "x", "y")]
    [InlineData("data")]
    [InlineData("data", "copy", "a", "b")]
    [InlineData("data", "upload", "only-one")]
    [InlineData("data", "list", "Data/x")]
    [InlineData("data", "list", "models")]
    [InlineData("data", "download", "data/../x", "out.csv")]
    public async Task UsageMistakes_ExitCode2_WithAMessage(params string[] args)
    {
        var (code, _, stderr) = await RunAsync(args);

        Assert.Equal(ExitCodes.UsageError, code);
        Assert.StartsWith("error:", stderr.TrimStart());
    }

    [Fact]
    public async Task Upload_MissingFile_IsADataError()
    {
        var (code, _, stderr) = await RunAsync("data", "upload", Path.Combine(_folder, "absent.csv"), "data/x.csv", "--connection", "UseDevelopmentStorage=true");

        Assert.Equal(ExitCodes.DataError, code);
        Assert.Contains("No file", stderr);
    }

    [Fact]
    public void Connection_OptionThenEnvironmentThenLocalSettingsThenEmulator()
    {
        var environment = new Dictionary<string, string?>();
        string? Get(string name) => environment.GetValueOrDefault(name);

        Assert.Equal("UseDevelopmentStorage=true", StorageConnection.Resolve(null, Get, _folder).ConnectionString);

        File.WriteAllText(Path.Combine(_folder, "local.settings.json"), """{"Values": {"AzureWebJobsStorage": "from-settings"}}""");
        Assert.Equal("from-settings", StorageConnection.Resolve(null, Get, _folder).ConnectionString);

        environment["AzureWebJobsStorage"] = "from-environment";
        Assert.Equal("from-environment", StorageConnection.Resolve(null, Get, _folder).ConnectionString);
        Assert.Equal("from-option", StorageConnection.Resolve("from-option", Get, _folder).ConnectionString);
    }

    [Fact]
    public void Connection_DataContainersSetting_IsHonoured()
    {
        var connection = StorageConnection.Resolve(null, name => name == "Storage__DataContainers" ? "inbox, outbox" : null, _folder);

        Assert.Equal(["inbox", "outbox"], connection.Containers.Names);
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CliApp.RunAsync(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
