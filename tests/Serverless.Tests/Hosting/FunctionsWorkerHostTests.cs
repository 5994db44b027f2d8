using System.Reflection;
using System.Text.Json;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Serverless.Functions;
using Serverless.Local.Hosting;

namespace Serverless.Tests.Hosting;

/// <summary>
/// The Functions worker host as Program.cs builds it (<c>FunctionsApplication.CreateBuilder</c>,
/// <c>ConfigureFunctionsWebApplication</c>, <c>AddFunctionApp</c>) with the sample settings of
/// local.settings.sample.json: every function class resolves from its services as the worker creates it per invocation,
/// and the options validated at start-up hold, so a missing registration or a sample setting that no longer validates
/// fails here, not in a deployment. Storage clients are created lazily, so nothing is contacted.
/// </summary>
public sealed class FunctionsWorkerHostTests
{
    private static readonly Assembly Functions = typeof(FunctionAppServiceCollectionExtensions).Assembly;

    [Fact]
    public void Build_SampleSettings_EveryFunctionClassResolvesAsTheWorkerCreatesIt()
    {
        using var host = BuildHost(SampleSettings());
        var classes = FunctionClasses();
        using var scope = host.Services.CreateScope();

        var failures = new List<string>();
        foreach (var type in classes)
        {
            try
            {
                var instance = ActivatorUtilities.CreateInstance(scope.ServiceProvider, type);
                (instance as IDisposable)?.Dispose();
            }
            catch (InvalidOperationException e)
            {
                failures.Add($"{type.Name}: {e.Message}");
            }
        }

        Assert.True(classes.Count >= 10, $"Only {classes.Count} function classes found.");
        Assert.Empty(failures);
    }

    [Fact]
    public void Build_SampleSettings_OptionsValidatedAtStartHold()
    {
        using var host = BuildHost(SampleSettings());

        var exception = Record.Exception(() => host.Services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Null(exception);
    }

    [Fact]
    public void Build_SampleSettingOutOfRange_StartValidationNamesIt()
    {
        var settings = SampleSettings();
        settings["Serving:MaxLoadedSessions"] = "0";
        using var host = BuildHost(settings);

        var error = Assert.ThrowsAny<OptionsValidationException>(() => host.Services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("MaxLoadedSessions", error.Message);
    }

    [Fact]
    public void FunctionClasses_DurableWrappers_TakeTheirActivitiesByConstructorInjection()
    {
        var wrappers = FunctionClasses().Where(t => t.GetMethods().Any(m => m.GetParameters().Any(p =>
            p.GetCustomAttribute<ActivityTriggerAttribute>() is not null || p.GetCustomAttribute<OrchestrationTriggerAttribute>() is not null))).ToList();

        Assert.NotEmpty(wrappers);
        Assert.All(wrappers, type => Assert.DoesNotContain(type.GetConstructors().Single().GetParameters(), p => p.ParameterType == typeof(IServiceProvider)));
    }

    private static List<Type> FunctionClasses() =>
        Functions.GetTypes()
            .Where(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .Any(m => m.GetCustomAttribute<FunctionAttribute>() is not null))
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .ToList();

    /// <summary>The sample's <c>Values</c>, with <c>__</c> read as the section separator as app settings are.</summary>
    private static Dictionary<string, string?> SampleSettings()
    {
        using var sample = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.FindRoot(), "local.settings.sample.json")));
        return sample.RootElement.GetProperty("Values").EnumerateObject()
            .ToDictionary(p => p.Name.Replace("__", ":", StringComparison.Ordinal), p => (string?)p.Value.GetString(), StringComparer.OrdinalIgnoreCase);
    }

    private static IHost BuildHost(Dictionary<string, string?> settings)
    {
        var builder = FunctionsApplication.CreateBuilder([]);
        builder.Configuration.AddInMemoryCollection(settings);
        builder.ConfigureFunctionsWebApplication();
        builder.Services.AddFunctionApp(builder.Configuration);
        return builder.Build();
    }
}
