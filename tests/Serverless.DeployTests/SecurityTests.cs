using System.Text.Json.Nodes;
using Serverless.DeployTests.Support;

namespace Serverless.DeployTests;

/// <summary>Identity only: no key, connection string with a key, listKeys() or secret anywhere; local auth off.</summary>
public sealed class SecurityTests
{
    /// <summary>Settings Flex Consumption rejects or ignores (and that would mean keys or file shares elsewhere).</summary>
    private static readonly string[] FlexDeprecatedSettings =
    [
        "FUNCTIONS_WORKER_RUNTIME", "FUNCTIONS_EXTENSION_VERSION", "WEBSITE_RUN_FROM_PACKAGE", "WEBSITE_CONTENTSHARE",
        "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING", "SCM_DO_BUILD_DURING_DEPLOYMENT", "ENABLE_ORYX_BUILD", "WEBSITE_TIME_ZONE", "TZ",
        "WEBSITE_NODE_DEFAULT_VERSION", "WEBSITE_USE_PLACEHOLDER_DOTNETISOLATED",
    ];

    [Theory]
    [InlineData("listKeys")]
    [InlineData("listSecrets")]
    [InlineData("listCredentials")]
    [InlineData("AccountKey=")]
    [InlineData("SharedAccessSignature")]
    [InlineData("DefaultEndpointsProtocol")]
    [InlineData("\"securestring\"")]
    [InlineData("\"sharedKey\"")]
    [InlineData("\"secrets\"")]
    [InlineData("\"secretRef\"")]
    public async Task Template_NamesNoKeyOrSecret(string marker)
    {
        // The compiled template holds every module, so this covers all of bicep/.
        var deployment = await Deployment.GetAsync();

        Assert.DoesNotContain(marker, deployment.TemplateText, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Storage_SharedKeyAndAnonymousAccess_AreOff()
    {
        var properties = (await Deployment.GetAsync()).Single("Microsoft.Storage/storageAccounts")["properties"]!;

        Assert.False((bool)properties["allowSharedKeyAccess"]!);
        Assert.False((bool)properties["allowBlobPublicAccess"]!);
        Assert.True((bool)properties["defaultToOAuthAuthentication"]!);
        Assert.True((bool)properties["supportsHttpsTrafficOnly"]!);
        Assert.Equal("TLS1_2", (string)properties["minimumTlsVersion"]!);
    }

    [Fact]
    public async Task Telemetry_LocalAuthentication_IsOffAndTheAppUsesEntra()
    {
        var deployment = await Deployment.GetAsync();
        var settings = deployment.AppSettings();

        Assert.True((bool)deployment.Single("Microsoft.Insights/components")["properties"]!["DisableLocalAuth"]!);
        Assert.True((bool)deployment.Single("Microsoft.OperationalInsights/workspaces")["properties"]!["features"]!["disableLocalAuth"]!);
        Assert.Equal($"ClientId={StandIns.ClientId(AppSettingsTests.Identity(deployment, "id-app-"))};Authorization=AAD",
            settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]);
    }

    [Fact]
    public async Task Registry_AdminUser_IsOff()
    {
        var registry = (await Deployment.GetAsync()).Single("Microsoft.ContainerRegistry/registries");

        Assert.False((bool)registry["properties"]!["adminUserEnabled"]!);
    }

    [Fact]
    public async Task AppSettings_HoldNoKeyAndNoSettingFlexRejects()
    {
        var settings = (await Deployment.GetAsync()).AppSettings();

        Assert.Empty(settings.Keys.Intersect(FlexDeprecatedSettings, StringComparer.OrdinalIgnoreCase));
        // The one connection string is Application Insights': an instrumentation key and endpoints, which accept
        // nothing without an Entra token while the component's local authentication is off (checked above).
        Assert.Equal(["APPLICATIONINSIGHTS_CONNECTION_STRING"], settings.Keys.Where(k => k.Contains("CONNECTION", StringComparison.OrdinalIgnoreCase)));
        Assert.All(settings.Values, value => Assert.DoesNotMatch("(?i)(AccountKey|SharedAccessSignature|sig)=", value));
    }

    [Fact]
    public async Task FunctionApp_HttpsOnlyAndNoBasicPublishingCredentials()
    {
        var deployment = await Deployment.GetAsync();
        var site = deployment.Single("Microsoft.Web/sites");
        var scm = deployment.OfType("Microsoft.Web/sites/basicPublishingCredentialsPolicies").Single(p => ((string)p["name"]!).EndsWith("/scm", StringComparison.Ordinal));

        Assert.True((bool)site["properties"]!["httpsOnly"]!);
        Assert.Equal("1.2", (string)site["properties"]!["siteConfig"]!["minTlsVersion"]!);
        Assert.False((bool)scm["properties"]!["allow"]!);
    }

    [Fact]
    public async Task Outputs_HoldNoSecret()
    {
        var outputs = (await Deployment.GetAsync()).Template["outputs"]!.AsObject();

        Assert.All(outputs, output => Assert.Equal("string", (string)output.Value!["type"]!));
        Assert.DoesNotContain(outputs, o => o.Value!["value"] is JsonValue v && ((string)v!).Contains("ConnectionString", StringComparison.OrdinalIgnoreCase));
    }
}
