using System.Text.Json.Nodes;
using Serverless.DeployTests.Support;
using Serverless.TestModels;
using YamlDotNet.RepresentationModel;

namespace Serverless.DeployTests;

/// <summary>azure.yaml, the parameters file, the deploy workflow and its scripts point at what exists, and hold no secret.</summary>
public sealed class DeploymentPathTests
{
    [Fact]
    public void AzureYaml_InfraAndServices_PointAtTheBicepAndTheFunctionsProject()
    {
        var root = Yaml("azure.yaml");
        var infra = (YamlMappingNode)root["infra"];
        var api = (YamlMappingNode)((YamlMappingNode)root["services"])["api"];

        Assert.Equal("bicep", infra["provider"].ToString());
        Assert.True(File.Exists(RepositoryPaths.File(infra["path"].ToString(), infra["module"] + ".bicep")));
        Assert.Equal("function", api["host"].ToString());
        Assert.Equal("dotnet", api["language"].ToString());
        var project = Directory.GetFiles(RepositoryPaths.File(api["project"].ToString()), "*.csproj").Single();
        Assert.Contains("<AzureFunctionsVersion>v4</AzureFunctionsVersion>", File.ReadAllText(project), StringComparison.Ordinal);
    }

    [Fact]
    public void AzureYaml_Hooks_RunExecutableScriptsOfTheRepository()
    {
        var hooks = (YamlMappingNode)Yaml("azure.yaml")["hooks"];

        Assert.NotEmpty(hooks.Children);
        Assert.All(hooks.Children.Values.Cast<YamlMappingNode>(), hook => AssertExecutable(hook["run"].ToString()));
    }

    [Fact]
    public async Task ParametersFile_MapsEveryRequiredParameterAndNoUnknownOne()
    {
        var template = (await Deployment.GetAsync()).Template["parameters"]!.AsObject();
        var parameters = JsonNode.Parse(await File.ReadAllTextAsync(RepositoryPaths.File("bicep", "main.parameters.json")))!["parameters"]!.AsObject();

        Assert.All(parameters, p => Assert.True(template.ContainsKey(p.Key), $"main.parameters.json sets '{p.Key}', which main.bicep does not declare."));
        Assert.All(template.Where(p => p.Value!["defaultValue"] is null), p => Assert.True(parameters.ContainsKey(p.Key), $"'{p.Key}' has no default and no value."));
        Assert.Equal("${AZURE_ENV_NAME}", (string)parameters["environmentName"]!["value"]!);
    }

    [Fact]
    public void Workflow_DeploysWithOidcAndHoldsNoSecret()
    {
        var text = File.ReadAllText(RepositoryPaths.File(".github", "workflows", "deploy.yml"));
        var jobs = (YamlMappingNode)Yaml(".github/workflows/deploy.yml")["jobs"];
        var deploy = (YamlMappingNode)jobs["deploy"];

        Assert.DoesNotContain("secrets.", text, StringComparison.Ordinal);
        Assert.Equal("write", ((YamlMappingNode)deploy["permissions"])["id-token"].ToString());
        Assert.Contains(Steps(deploy), s => s.Uses?.StartsWith("azure/login@", StringComparison.OrdinalIgnoreCase) == true);
        var publish = Steps(deploy).Single(s => s.Uses?.StartsWith("Azure/functions-action@", StringComparison.Ordinal) == true);
        Assert.Equal("flexconsumption", publish.With["sku"]);
    }

    [Fact]
    public void Workflow_RunsTheTestsTheLintTheDeploymentAndTheSmokeTestInOrder()
    {
        var jobs = (YamlMappingNode)Yaml(".github/workflows/deploy.yml")["jobs"];
        var test = Steps((YamlMappingNode)jobs["build-and-test"]).Select(s => s.Run ?? s.Uses ?? "").ToList();
        var deploy = Steps((YamlMappingNode)jobs["deploy"]).Select(s => s.Run ?? s.Uses ?? "").ToList();

        Assert.Contains(test, s => s.StartsWith("dotnet test Serverless.sln", StringComparison.Ordinal) && File.Exists(RepositoryPaths.File("Serverless.sln")));
        int Index(string part) => deploy.FindIndex(s => s.Contains(part, StringComparison.Ordinal));
        int[] order = [Index("az bicep lint --file bicep/main.bicep"), Index("azd provision"), Index("Azure/functions-action@"),
            Index("./deploy/push-trainer.sh"), Index("./deploy/smoke-test.sh")];
        Assert.DoesNotContain(-1, order);
        Assert.Equal(order.Order(), order);
        Assert.All(deploy.Where(s => s.StartsWith("./", StringComparison.Ordinal)), AssertExecutable);
    }

    [Fact]
    public void SmokeModel_IsTheReferenceAddAndMultiplyModel()
    {
        var path = RepositoryPaths.File("deploy", "smoke-model.onnx");
        if (Environment.GetEnvironmentVariable("SERVERLESS_RECORD_GOLDEN") == "1")
        {
            File.WriteAllBytes(path, ReferenceModels.AddAndMultiply());
        }

        Assert.Equal(ReferenceModels.AddAndMultiply(), File.ReadAllBytes(path));
        var script = File.ReadAllText(RepositoryPaths.File("deploy", "smoke-test.sh"));
        Assert.Contains("\"name\":\"a\",\"shape\":[1,3],\"datatype\":\"FP32\"", script, StringComparison.Ordinal);
        Assert.Contains("\"name\":\"b\",\"shape\":[1,3],\"datatype\":\"FP32\"", script, StringComparison.Ordinal);
    }

    private static void AssertExecutable(string command)
    {
        var path = RepositoryPaths.File(command.Split(' ')[0].TrimStart('.', '/'));
        Assert.True(File.Exists(path), $"{command}: no such file.");
        if (!OperatingSystem.IsWindows())
        {
            Assert.True((File.GetUnixFileMode(path) & UnixFileMode.UserExecute) != 0, $"{path} is not executable.");
        }
    }

    private static YamlMappingNode Yaml(string relativePath)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(RepositoryPaths.File(relativePath.Split('/')));
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents.Single().RootNode;
    }

    private static List<Step> Steps(YamlMappingNode job) =>
        ((YamlSequenceNode)job["steps"]).Cast<YamlMappingNode>().Select(s => new Step(
            s.Children.TryGetValue("uses", out var uses) ? uses.ToString() : null,
            s.Children.TryGetValue("run", out var run) ? run.ToString() : null,
            s.Children.TryGetValue("with", out var with) ? ((YamlMappingNode)with).Children.ToDictionary(p => p.Key.ToString(), p => p.Value.ToString()) : []))
        .ToList();

    private sealed record Step(string? Uses, string? Run, Dictionary<string, string> With);
}
