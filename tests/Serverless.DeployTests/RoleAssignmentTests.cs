using Serverless.DeployTests.Support;

namespace Serverless.DeployTests;

/// <summary>Each identity holds exactly the roles the app needs, each at the narrowest scope that covers its use.</summary>
public sealed class RoleAssignmentTests
{
    private const string BlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
    private const string BlobDataContributor = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";
    private const string QueueDataContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";
    private const string TableDataContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";
    private const string MonitoringMetricsPublisher = "3913510d-42f4-4e42-8a64-420c390055eb";
    private const string ContainerAppsJobsOperator = "b9a307c4-5aa3-4b52-ba60-2b17c136cd7b";
    private const string AcrPull = "7f951dda-4ed3-4680-a7ca-43fe172d538d";

    [Fact]
    public async Task RoleAssignments_AreExactlyWhatEachIdentityUses_AtTheNarrowestScope()
    {
        var deployment = await Deployment.GetAsync();
        var app = StandIns.PrincipalId(AppSettingsTests.Identity(deployment, "id-app-"));
        var trainer = StandIns.PrincipalId(AppSettingsTests.Identity(deployment, "id-trainer-"));
        var storage = Id(deployment, "Microsoft.Storage/storageAccounts");
        var dataContainers = deployment.AppSettings()["Storage__DataContainers"].Split(',');
        var expected = new HashSet<(string, string, string)>
        {
            ("app", BlobDataOwner, storage),
            ("app", QueueDataContributor, storage),
            ("app", TableDataContributor, storage),
            ("app", MonitoringMetricsPublisher, Id(deployment, "Microsoft.Insights/components")),
            ("app", ContainerAppsJobsOperator, (string)deployment.Job(Deployment.TrainerJob)["id"]!),
            ("app", ContainerAppsJobsOperator, (string)deployment.Job(Deployment.TorchJob)["id"]!),
            ("trainer", AcrPull, Id(deployment, "Microsoft.ContainerRegistry/registries")),
            ("trainer", BlobDataContributor, $"{storage}/blobServices/default/containers/sweeps"),
        };
        expected.UnionWith(dataContainers.Select(c => ("deployer", BlobDataContributor, $"{storage}/blobServices/default/containers/{c}")));

        var actual = Assignments(deployment).Select(a => (
            a.PrincipalId == app ? "app" : a.PrincipalId == trainer ? "trainer" : a.PrincipalId == Deployment.DeployerPrincipalId ? "deployer" : a.PrincipalId,
            a.Role, a.Scope)).ToHashSet();

        Assert.Equal(expected.OrderBy(e => e.ToString()), actual.OrderBy(a => a.ToString()));
    }

    [Fact]
    public async Task RoleAssignments_NamedFromScopePrincipalAndRole_AreUnique()
    {
        var deployment = await Deployment.GetAsync();

        var assignments = Assignments(deployment);

        Assert.Equal(assignments.Count, assignments.Select(a => a.Id).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        // The test deploys as a pipeline would (principalType ServicePrincipal); the identities are always service principals.
        Assert.All(assignments, a => Assert.Equal("ServicePrincipal", a.PrincipalType));
    }

    private static string Id(Deployment deployment, string type) => (string)deployment.Single(type)["id"]!;

    private static List<Assignment> Assignments(Deployment deployment) =>
        deployment.OfType("Microsoft.Authorization/roleAssignments").Select(r =>
        {
            var id = (string)r["id"]!;
            var scope = id[..id.IndexOf("/providers/Microsoft.Authorization/roleAssignments/", StringComparison.OrdinalIgnoreCase)];
            var properties = r["properties"]!;
            return new Assignment(id, scope, (string)properties["principalId"]!, ((string)properties["roleDefinitionId"]!).Split('/')[^1],
                (string)properties["principalType"]!);
        }).ToList();

    private sealed record Assignment(string Id, string Scope, string PrincipalId, string Role, string PrincipalType);
}
