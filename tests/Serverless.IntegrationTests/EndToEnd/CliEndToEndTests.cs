using System.Diagnostics;
using System.Text.Json;
using Azure.Storage.Blobs;
using Serverless.Cli;
using Serverless.IntegrationTests.Support;

namespace Serverless.IntegrationTests.EndToEnd;

/// <summary>
/// Every CLI command against the local runner on Azurite, as an operator walks a model's life: example data, upload, a
/// sweep followed with --wait, the registry (list, show, push with manifest, baseline and promotion, promote, delete),
/// predictions in batches, batch scoring with --wait, the monitor and its report, status and terminate; and the exit
/// codes a shell sees from the packed command.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class CliEndToEndTests : IDisposable
{
    private readonly StackFixture _stack;
    private readonly string _folder = Directory.CreateTempSubdirectory("cli-e2e-").FullName;
    private readonly string _model = "cli-" + Guid.NewGuid().ToString("N")[..8];

    public CliEndToEndTests(StackFixture stack)
    {
        _stack = stack;
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task AModelsLife_EveryCommandAgainstTheRunner()
    {
        Ok(await RunAsync("samples", _folder, "--rows", "300"));
        Ok(await RunAsync("data", "upload", Path.Combine(_folder, "churn.csv"), $"training/{_model}.csv", "--connection", _stack.ConnectionString));

        var spec = Path.Combine(_folder, "sweep.json");
        await File.WriteAllTextAsync(spec, $$$"""
            {"dataset": "training/{{{_model}}}.csv", "target": "churned", "task": "binary", "exclude_columns": ["customer_id"],
             "algorithms": [{"name": "sdca"}], "metric": "auc", "model_name": "{{{_model}}}", "seed": 42,
             "promotion": {"policy": "promote-if-better", "margin": 0.0}}
            """);
        var sweep = Ok(await RunAsync("sweep", "start", spec, "--wait", "-o", "json"));
        var sweepStatus = JsonDocument.Parse(sweep.Stdout).RootElement;
        Assert.Equal("Completed", sweepStatus.GetProperty("runtime_status").GetString());
        Assert.True(sweepStatus.GetProperty("output").GetProperty("promoted").GetBoolean(), sweep.Stdout);
        var sweepId = sweepStatus.GetProperty("instance_id").GetString()!;
        Assert.Contains($"{sweepId}: Completed", sweep.Stderr);
        Assert.Contains(sweepId, Ok(await RunAsync("sweep", "list")).Stdout);
        var shown = Ok(await RunAsync("sweep", "show", sweepId)).Stdout;
        Assert.Contains("leaderboard", shown);
        Assert.Contains("sdca", shown);

        Assert.Contains(Ok(await RunAsync("models", "list")).Stdout.Split('\n'), l => l.StartsWith(_model + " ", StringComparison.Ordinal) && l.Contains("production=1"));
        var version1 = JsonDocument.Parse(Ok(await RunAsync("models", "show", _model, "--version", "1", "-o", "json")).Stdout).RootElement;
        Assert.True(version1.GetProperty("has_manifest").GetBoolean());

        // Version 2: the same model pushed by hand, with its manifest and a baseline, and promoted.
        var onnx = Path.Combine(_folder, "model.onnx");
        var manifest = Path.Combine(_folder, "manifest.json");
        await File.WriteAllBytesAsync(onnx, (await new BlobServiceClient(_stack.ConnectionString).GetBlobContainerClient(_stack.ContainerName)
            .GetBlobClient($"{_model}/1/{version1.GetProperty("sha256").GetString()}/model.onnx").DownloadContentAsync()).Value.Content.ToArray());
        await File.WriteAllTextAsync(manifest, await _stack.Client.GetStringAsync($"models/{_model}/versions/1/manifest"));
        var push = Ok(await RunAsync("models", "push", onnx, "--name", _model, "--version", "2", "--manifest", manifest,
            "--baseline", Path.Combine(_folder, "churn.csv"), "--promote", "production", "--reason", "pushed by the CLI test"));
        Assert.Contains($"registered {_model} version 2", push.Stdout);
        Assert.Contains("manifest registered", push.Stdout);
        Assert.Contains("baseline stored (300 rows)", push.Stdout);
        Assert.Contains($"production of {_model}: version 1 -> 2", push.Stdout);
        Assert.Contains(Ok(await RunAsync("models", "show", _model)).Stdout.Split('\n'), l => l.StartsWith("2 ", StringComparison.Ordinal));

        var predictions = Path.Combine(_folder, "predictions.csv");
        var predict = Ok(await RunAsync("predict", _model, "--input", Path.Combine(_folder, "customers.csv"), "--id-column", "customer_id",
            "--batch-size", "40", "--output", predictions));
        Assert.Contains($"wrote 100 predictions of {_model} version 2", predict.Stderr);
        var lines = await File.ReadAllLinesAsync(predictions);
        Assert.Equal(101, lines.Length);
        Assert.StartsWith("id,label,probability,score_0,score_1", lines[0]);
        Assert.StartsWith("n", lines[1]);

        Ok(await RunAsync("data", "upload", Path.Combine(_folder, "customers.csv"), $"data/{_model}/customers.csv", "--connection", _stack.ConnectionString));
        var score = Ok(await RunAsync("score", "--input", $"data/{_model}/customers.csv", "--output", $"scores/{_model}", "--model", _model,
            "--id-column", "customer_id", "--chunk-rows", "100", "--merge", "--wait"));
        Assert.Contains("Completed", score.Stdout);
        Assert.Matches(@": Running.*chunks \d+/\d+|: Completed", score.Stderr);
        var scored = Path.Combine(_folder, "scored.csv");
        Ok(await RunAsync("data", "download", $"scores/{_model}/predictions.csv", scored, "--connection", _stack.ConnectionString));
        Assert.Equal(101, (await File.ReadAllLinesAsync(scored)).Length);
        Assert.Contains($"scores/{_model}/predictions.csv", Ok(await RunAsync("data", "list", $"scores/{_model}/", "--connection", _stack.ConnectionString)).Stdout);

        var scoreId = Ok(await RunAsync("score", "--input", $"data/{_model}/customers.csv", "--output", $"scores/{_model}-2", "--model", _model)).Stdout.Trim();
        var status = Ok(await RunAsync("status", scoreId, "--wait", "-o", "json"));
        Assert.Equal("Completed", JsonDocument.Parse(status.Stdout).RootElement.GetProperty("runtime_status").GetString());
        var terminate = await RunAsync("terminate", scoreId);
        Assert.Equal(ExitCodes.ApiRefused, terminate.Code);
        Assert.Contains("HTTP 409 (conflict): Orchestration", terminate.Stderr);

        var monitor = Ok(await RunAsync("monitor", "run", "--model", _model, "--wait"));
        Assert.Contains(monitor.Stdout.Split('\n'), l => l.StartsWith(_model + " ", StringComparison.Ordinal));
        var page = Path.Combine(_folder, "report.html");
        var report = Ok(await RunAsync("monitor", "report", _model, "--html", page));
        Assert.Contains("latest report", report.Stdout);
        Assert.Contains("<html", await File.ReadAllTextAsync(page));

        Assert.Contains($"version 2 -> 1", Ok(await RunAsync("models", "promote", _model, "1")).Stdout);
        Ok(await RunAsync("models", "delete", _model, "--version", "2"));
        var gone = await RunAsync("models", "show", _model, "--version", "2");
        Assert.Equal(ExitCodes.ApiRefused, gone.Code);
        Assert.Contains("HTTP 404 (version_not_found)", gone.Stderr);
    }

    [Fact]
    public async Task Rollback_WalksBackThroughPromotions_AndHistoryShowsEveryMove()
    {
        // Needs the alias history and rollback routes (issue 13's registry part).
        var onnx = Path.Combine(_folder, "model.onnx");
        await File.WriteAllBytesAsync(onnx, Serverless.TestModels.ReferenceModels.AddAndMultiply());
        foreach (var version in (string[])["1", "2", "3"])
        {
            Ok(await RunAsync("models", "push", onnx, "--name", _model, "--version", version, "--promote", "production", "--reason", $"release {version}"));
        }

        var back = Ok(await RunAsync("models", "rollback", _model, "--reason", "bad release"));
        var further = Ok(await RunAsync("models", "rollback", _model));
        var history = JsonDocument.Parse(Ok(await RunAsync("models", "history", _model, "-o", "json")).Stdout).RootElement;

        Assert.Contains("version 3 -> 2", back.Stdout);
        Assert.Contains("version 2 -> 1", further.Stdout);
        var moves = history.GetProperty("moves").EnumerateArray().ToList();
        Assert.Equal(["rollback", "rollback", "set", "set", "set"], moves.Select(m => m.GetProperty("kind").GetString()));
        Assert.Equal("bad release", moves[1].GetProperty("reason").GetString());
        Assert.Equal("release 3", moves[2].GetProperty("reason").GetString());
        var none = await RunAsync("models", "rollback", _model);
        Assert.Equal(ExitCodes.ApiRefused, none.Code);
        Assert.Contains("HTTP 409", none.Stderr);
    }

    [Fact]
    public async Task PackedCommand_ExitCodesReachTheShell()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Serverless.Cli.dll");
        var endpoint = _stack.Host.BaseAddress.ToString();

        var missing = await ProcessAsync(dll, "models", "show", "no-such-model-" + _model, "--endpoint", endpoint);
        var usage = await ProcessAsync(dll, "models", "show");

        Assert.Equal(ExitCodes.ApiRefused, missing.ExitCode);
        Assert.Contains("HTTP 404 (model_not_found)", missing.Output);
        Assert.Equal(ExitCodes.UsageError, usage.ExitCode);
    }

    private static (int Code, string Stdout, string Stderr) Ok((int Code, string Stdout, string Stderr) result)
    {
        Assert.True(result.Code == ExitCodes.Success, $"exit code {result.Code}\n--- stdout ---\n{result.Stdout}\n--- stderr ---\n{result.Stderr}");
        return result;
    }

    private async Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CliApp.RunAsync([.. args, "--endpoint", _stack.Host.BaseAddress.ToString(), "--timeout", "3m"], stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static Task<ProcessRun.Result> ProcessAsync(string dll, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet");
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["CI"] = "1";
        return ProcessRun.RunAsync(start, TimeSpan.FromMinutes(1));
    }
}
