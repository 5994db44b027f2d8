using System.Diagnostics;
using System.Text;
using Serverless.Core.Models;
using Serverless.Core.Training;
using Serverless.Trainer;
using TrainerProgram = Serverless.Trainer.Program;

namespace Serverless.Tests.Training;

/// <summary>The trainer's command line on file:// specs: outputs, exit codes, stderr and error.txt.</summary>
public sealed class TrainerProgramTests : IClassFixture<TrainerDataset>
{
    private readonly TrainerDataset _data;

    public TrainerProgramTests(TrainerDataset data)
    {
        _data = data;
    }

    [Fact]
    public async Task Main_ValidSpec_WritesModelManifestAndMetricsAndExitsZero()
    {
        var spec = _data.Spec(Algorithms.LightGbm, Algorithms.Binary);
        var (exitCode, output, error) = await RunAsync(spec);

        Assert.True(exitCode == 0, error);
        Assert.Contains("succeeded", output);
        var folder = LocalPath(spec.OutputUri);
        Assert.True(new FileInfo(Path.Combine(folder, TrialOutputs.Model)).Length > 0);
        var manifest = ModelManifest.Parse(File.ReadAllBytes(Path.Combine(folder, TrialOutputs.Manifest)));
        Assert.Equal(TabularTask.Binary, manifest.Task);
        Assert.Equal(["0", "1"], manifest.ClassLabels);
        var metrics = TrialMetrics.FromJson(File.ReadAllText(Path.Combine(folder, TrialOutputs.Metrics)));
        Assert.True(metrics.Metrics[MetricNames.Auc] > 0.9);
        Assert.Equal(TrainerDataset.TrainRows, metrics.TrainRows);
        Assert.False(File.Exists(Path.Combine(folder, TrainerProgram.ErrorFile)));
        var predictions = File.ReadAllLines(Path.Combine(folder, TrialOutputs.ValidationPredictions));
        Assert.Equal("row,probability", predictions[0]);
        Assert.Equal(TrainerDataset.ValidationRows + 1, predictions.Length);
        Assert.StartsWith("1,", predictions[1]);
    }

    [Fact]
    public void ValidationPredictionsCsv_Multiclass_HeaderNamesClassesAndRowsHoldTheirProbabilities()
    {
        var predictions = new ValidationPredictions(Algorithms.Multiclass, null, [[0.25, 0.75], [1, 0]], ["a", "b,c"]);

        Assert.Equal("row,a,\"b,c\"\n1,0.25,0.75\n2,1,0\n", predictions.ToCsv());
    }

    [Theory]
    [InlineData("xgboost", "{}", "'xgboost'")]
    [InlineData(Algorithms.LightGbm, """{"num_leafs": 8}""", "'num_leafs'")]
    public async Task Main_BadSpec_ExitsOneWithErrorOnStderrAndInErrorTxt(string algorithm, string hyperparameters, string expected)
    {
        var spec = _data.Spec(algorithm, Algorithms.Binary) with { Hyperparameters = TrainerParityTests.Hyperparameters(hyperparameters) };

        var (exitCode, _, error) = await RunAsync(spec);

        Assert.Equal(1, exitCode);
        Assert.Contains(expected, error);
        var folder = LocalPath(spec.OutputUri);
        Assert.Contains(expected, File.ReadAllText(Path.Combine(folder, TrainerProgram.ErrorFile)));
        Assert.False(File.Exists(Path.Combine(folder, TrialOutputs.Metrics)));
    }

    [Fact]
    public async Task Main_MissingTargetColumn_ExitsOneNamingTheColumn()
    {
        var (exitCode, _, error) = await RunAsync(_data.Spec(Algorithms.Sdca, Algorithms.Regression, target: "revenue"));

        Assert.Equal(1, exitCode);
        Assert.Contains("'revenue'", error);
    }

    [Fact]
    public async Task Main_SpecFileAbsent_ExitsOne()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exitCode = await TrainerProgram.RunAsync(["--spec", TrainerDataset.FileUri(Path.Combine(_data.Folder, "absent.json"))], output, error, CancellationToken.None);

        Assert.Equal(1, exitCode);
        Assert.Contains("absent.json", error.ToString());
    }

    [Fact]
    public async Task Main_MalformedSpec_ExitsOneSayingTheSpecIsInvalid()
    {
        var path = Path.Combine(_data.Folder, $"malformed-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, """{"trial_id": "t"}""");
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exitCode = await TrainerProgram.RunAsync(["--spec", TrainerDataset.FileUri(path)], output, error, CancellationToken.None);

        Assert.Equal(1, exitCode);
        Assert.Contains("not a valid trial spec", error.ToString());
    }

    [Fact]
    public async Task ChildProcess_ValidSpec_ExitsZeroWithOutputs()
    {
        var trainer = TrainerDll();
        var spec = _data.Spec(Algorithms.Sdca, Algorithms.Multiclass);
        var specPath = Path.Combine(_data.Folder, $"spec-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(specPath, spec.ToJson());
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(trainer);
        start.ArgumentList.Add("--spec");
        start.ArgumentList.Add(TrainerDataset.FileUri(specPath));
        start.Environment.Remove("AzureWebJobsStorage");

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));

        Assert.True(process.ExitCode == 0, await stderr);
        Assert.Contains("succeeded", await stdout);
        var folder = LocalPath(spec.OutputUri);
        Assert.All([TrialOutputs.Model, TrialOutputs.Manifest, TrialOutputs.Metrics], f => Assert.True(File.Exists(Path.Combine(folder, f)), f));
    }

    private async Task<(int ExitCode, string Output, string Error)> RunAsync(TrialSpec spec)
    {
        var specPath = Path.Combine(_data.Folder, $"spec-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(specPath, spec.ToJson(), Encoding.UTF8);
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await TrainerProgram.RunAsync(["--spec", TrainerDataset.FileUri(specPath)], output, error, CancellationToken.None);
        return (exitCode, output.ToString(), error.ToString());
    }

    /// <summary>
    /// The trainer in its own build output (the ProjectReference builds it): the copy beside the tests would
    /// resolve Microsoft.Extensions.* from the ASP.NET Core framework the test host references, which the
    /// trainer's runtimeconfig does not name.
    /// </summary>
    private static string TrainerDll()
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var targetFramework = testOutput.Name;
        var configuration = testOutput.Parent!.Name;
        for (var folder = testOutput; folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, "trainer", "bin", configuration, targetFramework, "Serverless.Trainer.dll");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"Serverless.Trainer.dll is not in trainer/bin/{configuration}/{targetFramework} above {testOutput.FullName}.");
    }

    private static string LocalPath(string uri) => new Uri(uri).LocalPath;
}
