namespace Serverless.IntegrationTests.Readme;

public sealed class ReadmeScriptTests
{
    [Fact]
    public void Readme_SetUpBlocks_AreTheTwoCommandsAndEveryOtherBlockCanRun()
    {
        var script = ReadmeScript.Parse(ReadmeWalkthroughTests.ReadReadme());

        Assert.Equal(ReadmeScript.SetUpBlocks, script.Skipped.Select(b => b.Text.Trim()));
        Assert.True(script.Blocks.Count >= 5, $"only {script.Blocks.Count} runnable blocks found");
        Assert.Empty(script.OtherDotnetRuns());
        Assert.All(script.Blocks, b => Assert.DoesNotContain("azd ", b.Text, StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_BlocksOfTheAzureSection_AreLeftOutAndTheNextSectionRunsAgain()
    {
        var script = ReadmeScript.Parse("""
            ## Deploy to Azure
            ```bash
            azd up
            ```
            ### Deploy
            ```bash
            azd deploy
            ```
            ## Benchmark
            ```bash
            echo local
            ```
            """);

        Assert.Equal(["azd up", "azd deploy"], script.Azure.Select(b => b.Text.Trim()));
        Assert.Equal("echo local", Assert.Single(script.Blocks).Text.Trim());
    }

    [Fact]
    public void ToBash_ReplacesTheAddressAndTheCli_AndMarksEachBlock()
    {
        var script = ReadmeScript.Parse("""
            ```bash
            dotnet run --project local
            ```
            text
            ```bash
            dotnet run --project cli -- samples out
            curl http://localhost:7071/api/v2
            ```
            """);

        var bash = script.ToBash("http://localhost:5555", "/x/Serverless.Cli.dll");

        Assert.Single(script.Skipped);
        Assert.Contains("echo '::: README.md line 6'", bash);
        Assert.Contains("dotnet \"/x/Serverless.Cli.dll\" samples out", bash);
        Assert.Contains("curl http://localhost:5555/api/v2", bash);
        Assert.DoesNotContain("7071", bash);
    }
}
