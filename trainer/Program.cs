using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Serverless.Core.Storage;
using Serverless.Core.Training;

namespace Serverless.Trainer;

/// <summary>
/// The trainer's command line: <c>dotnet Serverless.Trainer.dll --spec &lt;uri&gt;</c> (or the environment variable
/// <c>TRIAL_SPEC_URI</c>). Reads the <see cref="TrialSpec"/>, trains (<see cref="TrialTrainer"/>) and writes
/// <c>model.onnx</c>, <c>manifest.json</c>, <c>validation_predictions.csv</c> (ML.NET's own validation predictions),
/// <c>model.zip</c> (the fitted ML.NET pipeline, which a later trial can warm-start from) and <c>metrics.json</c> (last) under the spec's output URI. Blob URLs are
/// reached with the storage account configured by <c>AzureWebJobsStorage</c> (environment variables); without it
/// only file:// URIs work. Exit code 0 on success; 1 on any failure, with the error on stderr and, when the
/// spec could be read, in <c>error.txt</c> under the output URI. Progress lines go to stdout.
/// </summary>
public static class Program
{
    public const string SpecUriVariable = "TRIAL_SPEC_URI";
    public const string ErrorFile = "error.txt";

    public static Task<int> Main(string[] args) => RunAsync(args, Console.Out, Console.Error, CancellationToken.None);

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        TrialFiles? files = null;
        TrialSpec? spec = null;
        try
        {
            var specUri = SpecUri(args);
            var storage = CreateStorage(new ConfigurationBuilder().AddEnvironmentVariables().Build());
            files = new TrialFiles(storage);
            output.WriteLine($"reading spec {specUri}");
            spec = ReadSpec(await files.ReadTextAsync(specUri, cancellationToken).ConfigureAwait(false), specUri);
            var trial = await TrialTrainer.TrainAsync(spec, storage, cancellationToken, output).ConfigureAwait(false);
            await WriteOutputsAsync(files, spec, trial, output, cancellationToken).ConfigureAwait(false);
            output.WriteLine($"trial {spec.TrialId}: succeeded");
            return 0;
        }
        catch (Exception e)
        {
            var message = e is TrialException or FileNotFoundException ? e.Message : $"{e.GetType().Name}: {e.Message}";
            error.WriteLine(TrialOutputs.FailureLinePrefix + message);
            await TryWriteErrorAsync(files, spec, message, error).ConfigureAwait(false);
            return 1;
        }
    }

    /// <summary>The storage account from <c>AzureWebJobsStorage</c>, or null when the setting is absent (file:// only).</summary>
    public static TrialStorage? CreateStorage(IConfiguration configuration)
    {
        var configured = !string.IsNullOrWhiteSpace(configuration[StorageAccount.SettingName])
            || configuration.GetSection(StorageAccount.SettingName).GetChildren().Any();
        return configured ? new TrialStorage(StorageAccount.FromConfiguration(configuration).CreateBlobServiceClient()) : null;
    }

    private static string SpecUri(string[] args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--spec" && i + 1 < args.Length)
            {
                return args[i + 1];
            }

            if (args[i].StartsWith("--spec=", StringComparison.Ordinal))
            {
                return args[i]["--spec=".Length..];
            }
        }

        var fromEnvironment = Environment.GetEnvironmentVariable(SpecUriVariable);
        return !string.IsNullOrWhiteSpace(fromEnvironment)
            ? fromEnvironment
            : throw new TrialException($"No spec: run with --spec <uri> or set {SpecUriVariable} (a file:// URI or a blob URL of spec.json).");
    }

    private static TrialSpec ReadSpec(string json, string uri)
    {
        try
        {
            return TrialSpec.FromJson(json);
        }
        catch (JsonException e)
        {
            throw new TrialException($"'{uri}' is not a valid trial spec: {e.Message}", e);
        }
    }

    private static async Task WriteOutputsAsync(TrialFiles files, TrialSpec spec, TrainedTrial trial, TextWriter output, CancellationToken cancellationToken)
    {
        var model = TrialOutputs.Combine(spec.OutputUri, TrialOutputs.Model);
        await files.WriteAsync(model, trial.OnnxModel, cancellationToken).ConfigureAwait(false);
        await files.WriteAsync(TrialOutputs.Combine(spec.OutputUri, TrialOutputs.Manifest), trial.Manifest.ToCanonicalJson(), cancellationToken).ConfigureAwait(false);
        await files.WriteTextAsync(TrialOutputs.Combine(spec.OutputUri, TrialOutputs.ValidationPredictions), trial.ValidationPredictions.ToCsv(), cancellationToken).ConfigureAwait(false);
        await files.WriteAsync(TrialOutputs.Combine(spec.OutputUri, TrialOutputs.MlnetModel), trial.MlnetModel, cancellationToken).ConfigureAwait(false);
        await files.WriteTextAsync(TrialOutputs.Combine(spec.OutputUri, TrialOutputs.Metrics), trial.Metrics.ToJson(), cancellationToken).ConfigureAwait(false);
        output.WriteLine($"trial {spec.TrialId}: wrote {TrialOutputs.Model}, {TrialOutputs.Manifest}, {TrialOutputs.ValidationPredictions}, {TrialOutputs.MlnetModel} and {TrialOutputs.Metrics} under {spec.OutputUri}");
    }

    private static async Task TryWriteErrorAsync(TrialFiles? files, TrialSpec? spec, string message, TextWriter error)
    {
        if (files is null || spec is null || string.IsNullOrWhiteSpace(spec.OutputUri))
        {
            return;
        }

        try
        {
            await files.WriteTextAsync(TrialOutputs.Combine(spec.OutputUri, ErrorFile), message + Environment.NewLine, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            error.WriteLine($"could not write {ErrorFile}: {e.Message}");
        }
    }
}
