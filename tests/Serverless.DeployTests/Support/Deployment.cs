using System.Text.Json.Nodes;

namespace Serverless.DeployTests.Support;

/// <summary>
/// bicep/main.bicep built, linted and snapshotted once per test run (10–25 s for all, in parallel), with the
/// parameters a deployment by <c>azd up</c> gets (<see cref="Parameters"/>) in a fixed subscription. The snapshot is
/// what ARM would deploy: every module expanded, every expression evaluated that can be before deployment; the rest
/// is evaluated with <see cref="StandIns"/> (<see cref="Resources"/>).
/// </summary>
internal sealed class Deployment
{
    public const string SubscriptionId = "00000000-0000-0000-0000-00000000c0de";
    public const string TenantId = "00000000-0000-0000-0000-0000000000aa";
    public const string Location = "swedencentral";
    public const string EnvironmentName = "ci";
    public const string DeployerPrincipalId = "11111111-2222-3333-4444-555555555555";

    private Deployment(JsonObject template, CliResult build, CliResult lint, CliResult snapshot, JsonObject snapshotJson)
    {
        Template = template;
        TemplateText = template.ToJsonString();
        Build = build;
        Lint = lint;
        Snapshot = snapshot;
        SnapshotJson = snapshotJson;
        Resources = snapshotJson["predictedResources"]!.AsArray().Select(r => (JsonObject)ArmExpression.Resolve(r)!).ToList();
    }

    /// <summary>The parameters of the snapshot: what azd passes (main.parameters.json) for environment "ci".</summary>
    public static IReadOnlyDictionary<string, string> Parameters { get; } = new Dictionary<string, string>
    {
        ["environmentName"] = EnvironmentName,
        ["location"] = Location,
        ["principalId"] = DeployerPrincipalId,
        ["principalType"] = "ServicePrincipal",
    };

    /// <summary>
    /// The other branches of the template's choices: CPU trials (no GPU profile), large instances and warm HTTP instances.
    /// </summary>
    public static IReadOnlyDictionary<string, string> CpuVariantParameters { get; } = new Dictionary<string, string>(Parameters)
    {
        ["trainerProfile"] = "Consumption",
        ["torchTrainerProfile"] = "Consumption",
        ["instanceMemoryMB"] = "4096",
        ["alwaysReadyHttpInstances"] = "2",
    };

    private static readonly Lazy<Task<Deployment>> Shared = new(() => LoadAsync(Parameters, buildAndLint: true));
    private static readonly Lazy<Task<Deployment>> SharedCpuVariant = new(() => LoadAsync(CpuVariantParameters, buildAndLint: false));

    /// <summary>The compiled ARM template (bicep build).</summary>
    public JsonObject Template { get; }

    public string TemplateText { get; }

    public CliResult Build { get; }

    public CliResult Lint { get; }

    public CliResult Snapshot { get; }

    public JsonObject SnapshotJson { get; }

    /// <summary>The predicted resources, every expression evaluated.</summary>
    public IReadOnlyList<JsonObject> Resources { get; }

    public static Task<Deployment> GetAsync() => Shared.Value;

    /// <summary>The snapshot with <see cref="CpuVariantParameters"/> (no build or lint: the template is the same).</summary>
    public static Task<Deployment> GetCpuVariantAsync() => SharedCpuVariant.Value;

    public IReadOnlyList<JsonObject> OfType(string type) =>
        Resources.Where(r => string.Equals((string?)r["type"], type, StringComparison.OrdinalIgnoreCase)).ToList();

    /// <summary>The built-in trainer's Container Apps job (its name's prefix).</summary>
    public const string TrainerJob = "caj-trainer-";

    /// <summary>The PyTorch trainer's Container Apps job (its name's prefix).</summary>
    public const string TorchJob = "caj-torch-";

    /// <summary>The Container Apps job whose name starts with <paramref name="prefix"/> (<see cref="TrainerJob"/> or <see cref="TorchJob"/>).</summary>
    public JsonObject Job(string prefix) => OfType("Microsoft.App/jobs").Single(j => ((string)j["name"]!).StartsWith(prefix, StringComparison.Ordinal));

    public JsonObject Single(string type) => OfType(type) is [var only] ? only : throw new InvalidOperationException($"Expected one {type}, found {OfType(type).Count}.");

    public string Output(string name) => (string)ArmExpression.Resolve(SnapshotJson["outputs"]![name])!;

    /// <summary>The function app's settings (siteConfig.appSettings) by name.</summary>
    public IReadOnlyDictionary<string, string> AppSettings() =>
        Single("Microsoft.Web/sites")["properties"]!["siteConfig"]!["appSettings"]!.AsArray()
            .ToDictionary(s => (string)s!["name"]!, s => (string)s!["value"]!, StringComparer.Ordinal);

    private static async Task<Deployment> LoadAsync(IReadOnlyDictionary<string, string> parameters, bool buildAndLint)
    {
        var folder = Directory.CreateTempSubdirectory("bicep-");
        try
        {
            var templatePath = Path.Combine(folder.FullName, "main.json");
            var parametersPath = Path.Combine(folder.FullName, "main.bicepparam");
            var mainPath = Path.GetRelativePath(folder.FullName, RepositoryPaths.MainBicep).Replace('\\', '/');
            await File.WriteAllTextAsync(parametersPath,
                $"using '{mainPath}'\n" + string.Concat(parameters.Select(p => $"param {p.Key} = {Literal(p.Value)}\n")));

            var build = buildAndLint ? BicepCli.RunAsync("build", RepositoryPaths.MainBicep, "--outfile", templatePath) : Task.FromResult(new CliResult(0, "", ""));
            var lint = buildAndLint ? BicepCli.RunAsync("lint", RepositoryPaths.MainBicep) : Task.FromResult(new CliResult(0, "", ""));
            var snapshot = BicepCli.RunAsync("snapshot", parametersPath, "--mode", "overwrite", "--subscription-id", SubscriptionId,
                "--tenant-id", TenantId, "--location", Location, "--deployment-name", "azd-" + EnvironmentName);
            await Task.WhenAll(build, lint, snapshot);

            var template = !buildAndLint ? new JsonObject { ["skipped"] = true }
                : (await build).ExitCode == 0 ? JsonNode.Parse(await File.ReadAllTextAsync(templatePath))!.AsObject() : [];
            var snapshotPath = Path.Combine(folder.FullName, "main.snapshot.json");
            var snapshotJson = (await snapshot).ExitCode == 0 ? JsonNode.Parse(await File.ReadAllTextAsync(snapshotPath))!.AsObject() : [];
            if (snapshotJson.Count == 0 || template.Count == 0)
            {
                throw new InvalidOperationException($"bicep failed.\nbuild: {(await build).Error}\nsnapshot: {(await snapshot).Error}");
            }

            return new Deployment(template, await build, await lint, await snapshot, snapshotJson);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static string Literal(string value) => long.TryParse(value, out _) ? value : $"'{value}'";
}
