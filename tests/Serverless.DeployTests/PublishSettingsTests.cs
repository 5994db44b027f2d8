using System.Diagnostics;
using System.Text.Json;
using Serverless.DeployTests.Support;

namespace Serverless.DeployTests;

/// <summary>
/// What `dotnet publish` of the function app (azd, the pipeline) produces, read from MSBuild's evaluation: precompiled
/// (ReadyToRun) for Flex Consumption's linux-x64, framework-dependent; builds and tests stay portable.
/// </summary>
public sealed class PublishSettingsTests
{
    [Fact]
    public async Task Publish_IsReadyToRunForLinuxX64_FrameworkDependent_WithoutDynamicPgo()
    {
        var properties = await EvaluateAsync("-p:_IsPublishing=true");

        Assert.Equal("linux-x64", properties["RuntimeIdentifier"]);
        Assert.Equal("true", properties["PublishReadyToRun"]);
        Assert.Equal("false", properties["SelfContained"]);
        Assert.Equal("false", properties["TieredPGO"]);
    }

    [Fact]
    public async Task Build_StaysPortable_AndPublishCanOptOut()
    {
        var build = await EvaluateAsync();
        var optedOut = await EvaluateAsync("-p:_IsPublishing=true", "-p:ReadyToRunOnPublish=false");

        Assert.Equal("", build["RuntimeIdentifier"]);
        Assert.NotEqual("true", build["PublishReadyToRun"]);
        Assert.Equal("", optedOut["RuntimeIdentifier"]);
        Assert.NotEqual("true", optedOut["PublishReadyToRun"]);
    }

    private static async Task<Dictionary<string, string>> EvaluateAsync(params string[] extra)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in (string[])["msbuild", RepositoryPaths.File("functions", "Serverless.Functions.csproj"), "-p:Configuration=Release",
            "-getProperty:RuntimeIdentifier", "-getProperty:PublishReadyToRun", "-getProperty:SelfContained", "-getProperty:TieredPGO", .. extra])
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        Assert.True(process.ExitCode == 0, $"dotnet msbuild exited with {process.ExitCode}:\n{await stdout}\n{await stderr}");
        using var json = JsonDocument.Parse(await stdout);
        return json.RootElement.GetProperty("Properties").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "");
    }
}
