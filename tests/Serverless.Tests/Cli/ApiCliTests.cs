using System.Net;
using System.Text.Json.Nodes;
using Azure.Core;
using Serverless.Cli;
using Serverless.Cli.Commands;

namespace Serverless.Tests.Cli;

/// <summary>The global options (endpoint, key, Entra, output form, timeout), the registry commands and the exit codes, against a scripted API.</summary>
public sealed class ApiCliTests : IDisposable
{
    private const string Models = """{"models": [{"name": "fraud", "versions": ["1", "2"], "aliases": {"production": "2"}, "latest_version": "2"}]}""";

    private readonly string _folder = Directory.CreateTempSubdirectory("api-cli-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Endpoint_DefaultIsTheLocalRunner_EnvironmentAndOptionOverrideIt()
    {
        var api = new FakeApi().On(HttpMethod.Get, "models", HttpStatusCode.OK, Models);

        await api.RunAsync("models", "list");
        await api.RunAsync(new Dictionary<string, string> { [GlobalOptions.EndpointVariable] = "https://from-env.example" }, null, "models", "list");
        await api.RunAsync(new Dictionary<string, string> { [GlobalOptions.EndpointVariable] = "https://from-env.example" }, null,
            "models", "list", "--endpoint", "https://from-option.example/");

        Assert.Equal(
            ["http://localhost:7071/api/models", "https://from-env.example/api/models", "https://from-option.example/api/models"],
            api.Requests.Select(r => r.Uri.ToString()));
    }

    [Fact]
    public async Task Key_FromEnvironmentOrOption_IsSentAsXFunctionsKey()
    {
        var api = new FakeApi().On(HttpMethod.Get, "models", HttpStatusCode.OK, Models);

        await api.RunAsync("models", "list");
        await api.RunAsync(new Dictionary<string, string> { [GlobalOptions.KeyVariable] = "env-key" }, null, "models", "list");
        await api.RunAsync(new Dictionary<string, string> { [GlobalOptions.KeyVariable] = "env-key" }, null, "models", "list", "--key", "option-key");

        Assert.Equal([null, "env-key", "option-key"], api.Requests.Select(r => r.Headers.GetValueOrDefault("x-functions-key")));
    }

    [Fact]
    public async Task Entra_SendsABearerTokenForTheScope()
    {
        var api = new FakeApi().On(HttpMethod.Get, "models", HttpStatusCode.OK, Models);
        var credential = new FixedCredential();

        var (code, _, _) = await api.RunAsync(null, credential, "models", "list", "--entra", "--endpoint", "https://app.example", "--entra-scope", "api://serving/.default");
        await api.RunAsync(null, credential, "models", "list", "--entra", "--endpoint", "https://app.example");

        Assert.Equal(ExitCodes.Success, code);
        Assert.Equal("Bearer token-for-api://serving/.default", api.Requests[0].Headers["Authorization"]);
        Assert.Equal("Bearer token-for-https://app.example/.default", api.Requests[1].Headers["Authorization"]);
    }

    [Fact]
    public async Task List_Redirected_IsPlainAlignedLines_Json_IsTheApisAnswerAsItIs()
    {
        var api = new FakeApi().On(HttpMethod.Get, "models", HttpStatusCode.OK, Models);

        var (code, stdout, _) = await api.RunAsync("models", "list");
        var (jsonCode, json, jsonErr) = await api.RunAsync("models", "list", "-o", "json");

        Assert.Equal(ExitCodes.Success, code);
        var lines = stdout.Split('\n');
        Assert.StartsWith("name ", lines[0]);
        Assert.StartsWith("----", lines[1]);
        Assert.StartsWith("fraud  ", lines[2]);
        Assert.Contains("production=2", lines[2]);
        Assert.DoesNotContain("│", stdout);
        Assert.DoesNotContain("\u001b[", stdout);
        Assert.Equal(ExitCodes.Success, jsonCode);
        Assert.Equal("", jsonErr);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(Models), JsonNode.Parse(json)));
    }

    [Fact]
    public async Task Push_RegistersManifestBaselineAndPromotes_InOrder()
    {
        var model = Write("m.onnx", "onnx-bytes");
        var manifest = Write("m.json", """{"task": "regression"}""");
        var baseline = Write("ref.csv", "x\n1\n");
        var api = new FakeApi()
            .On(HttpMethod.Put, "models/m/versions/3", HttpStatusCode.Created, """{"name": "m", "version": "3", "sha256": "0123456789abcdef", "size_bytes": 10}""")
            .On(HttpMethod.Put, "models/m/versions/3/manifest", HttpStatusCode.Created, """{"task": "regression"}""")
            .On(HttpMethod.Put, "models/m/versions/3/baseline", HttpStatusCode.OK, """{"rows": 1}""")
            .On(HttpMethod.Get, "models/m/aliases/production", HttpStatusCode.NotFound, """{"error": "no alias", "code": "alias_not_found"}""")
            .On(HttpMethod.Put, "models/m/aliases/production", HttpStatusCode.OK, """{"name": "m", "alias": "production", "version": "3", "etag": "x"}""");

        var (code, stdout, stderr) = await api.RunAsync("models", "push", model, "--name", "m", "--version", "3", "--manifest", manifest, "--baseline", baseline,
            "--promote", "production", "--description", "first one");

        Assert.Equal(ExitCodes.Success, code);
        Assert.Equal("", stderr);
        Assert.Equal(
            ["PUT models/m/versions/3", "PUT models/m/versions/3/manifest", "PUT models/m/versions/3/baseline", "GET models/m/aliases/production", "PUT models/m/aliases/production"],
            api.Requests.Select(r => $"{r.Method} {r.Path}"));
        Assert.Equal("onnx-bytes", api.Requests[0].Body);
        Assert.Equal("application/octet-stream", api.Requests[0].Headers["Content-Type"]);
        Assert.Equal("description=first%20one", api.Requests[0].Query);
        Assert.Equal("text/csv", api.Requests[2].Headers["Content-Type"]);
        Assert.Contains("registered m version 3", stdout);
        Assert.Contains("baseline stored (1 rows)", stdout);
        Assert.Contains("production of m -> version 3 (new alias)", stdout);
    }

    [Fact]
    public async Task Push_MissingFile_IsADataError_AndSendsNothing()
    {
        var api = new FakeApi();

        var (code, _, stderr) = await api.RunAsync("models", "push", Path.Combine(_folder, "absent.onnx"), "--name", "m", "--version", "1");

        Assert.Equal(ExitCodes.DataError, code);
        Assert.Contains("No file", stderr);
        Assert.Empty(api.Requests);
    }

    [Fact]
    public async Task Refusal_NotJson_ShowsTheStatusAndTheBody()
    {
        var api = new FakeApi().On(HttpMethod.Get, "models", HttpStatusCode.BadGateway, "upstream gone");

        var (code, _, stderr) = await api.RunAsync("models", "list");

        Assert.Equal(ExitCodes.ApiRefused, code);
        Assert.Contains("HTTP 502 (BadGateway) from GET /api/models: upstream gone", stderr);
    }

    [Fact]
    public async Task Unreachable_SaysWhereAndWhat_Exit4()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var code = await CliApp.RunAsync(["models", "list", "--endpoint", "http://127.0.0.1:9"], stdout, stderr);

        Assert.Equal(ExitCodes.ApiRefused, code);
        Assert.Contains("Cannot reach http://127.0.0.1:9", stderr.ToString());
    }

    [Theory]
    [InlineData("bogus")]
    [InlineData("models", "list", "-o", "yaml")]
    [InlineData("models", "list", "--timeout", "0")]
    [InlineData("models", "list", "--timeout", "ten")]
    [InlineData("models", "list", "--endpoint", "ftp://x")]
    [InlineData("models", "push", "m.onnx", "--name", "m")]
    [InlineData("models", "promote", "fraud")]
    [InlineData("score", "--input", "data/x.csv", "--output", "scores/x")]
    [InlineData("score", "--input", "data/x.csv", "--output", "scores/x", "--model", "m", "--version", "1", "--alias", "production")]
    [InlineData("predict", "m", "--input", "x.csv", "--batch-size", "0")]
    [InlineData("sweep")]
    [InlineData("status")]
    public async Task UsageMistakes_Exit2_WithAMessage_AndNoRequest(params string[] args)
    {
        var api = new FakeApi();

        var (code, stdout, stderr) = await api.RunAsync(args);

        Assert.Equal(ExitCodes.UsageError, code);
        Assert.Equal("", stdout);
        Assert.StartsWith("error:", stderr);
        Assert.Contains("--help", stderr);
        Assert.Empty(api.Requests);
    }

    [Fact]
    public async Task Help_ListsEveryCommandAndTheExitCodes()
    {
        var (code, stdout, _) = await new FakeApi().RunAsync("--help");

        Assert.Equal(ExitCodes.Success, code);
        foreach (var command in (string[])["models", "predict", "score", "sweep", "monitor", "status", "terminate", "data", "samples", "drift"])
        {
            Assert.Contains($"\n  {command} ", stdout);
        }

        Assert.All(ExitCodes.Table, e => Assert.Contains($"  {e.Code}  {e.Meaning}", stdout));
    }

    [Fact]
    public void ExitCodes_AreDistinctAndDocumented()
    {
        Assert.Equal((0, 1, 2, 3, 4, 5, 6), (ExitCodes.Success, ExitCodes.DataError, ExitCodes.UsageError, ExitCodes.DriftFound, ExitCodes.ApiRefused,
            ExitCodes.WorkflowFailed, ExitCodes.Timeout));
        Assert.Equal([0, 1, 2, 3, 4, 5, 6], ExitCodes.Table.Select(e => e.Code));
    }

    [Theory]
    [InlineData("90", 90)]
    [InlineData("90s", 90)]
    [InlineData("1.5m", 90)]
    [InlineData("2h", 7200)]
    public void Duration_SecondsMinutesHours(string text, double seconds) => Assert.Equal(TimeSpan.FromSeconds(seconds), GlobalOptions.ParseDuration(text));

    private string Write(string name, string text)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    private sealed class FixedCredential : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            new("token-for-" + string.Join(" ", requestContext.Scopes), DateTimeOffset.UtcNow.AddHours(1));

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
