using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using Microsoft.DurableTask;
using Microsoft.Extensions.Options;
using Moq;
using Serverless.Core.Errors;
using Serverless.Core.Features;
using Serverless.Core.Models;
using Serverless.Core.Registry;
using Serverless.Core.Serving;
using Serverless.Core.Storage;
using Serverless.Orchestrations.BatchScoring;
using Serverless.Tests.Support;

namespace Serverless.Tests.Orchestrations;

/// <summary>
/// What batch scoring checks when a request arrives (model, version, alias, manifest, input blob), each mistake a 400
/// naming the field, and the version resolved then being the one planning uses.
/// </summary>
public sealed partial class BatchScoringStartTests
{
    private const string Csv = "customer_id,age,city\nc1,30,Oslo\nc2,40,Bergen\n";

    private readonly Mock<IModelRegistry> _registry = new();
    private readonly Dictionary<string, byte[]> _blobs = new(StringComparer.Ordinal) { ["data/in.csv"] = Encoding.UTF8.GetBytes(Csv) };
    private readonly Dictionary<string, ModelAlias> _aliases = new(StringComparer.Ordinal);
    private readonly FeatureSetCatalog _featureSets = new(new FakeTable().Client, TimeProvider.System);

    public BatchScoringStartTests()
    {
        _registry.Setup(r => r.ListAliasesAsync(It.IsAny<string>(), It.IsAny<CancellationToken>())).ReturnsAsync([]);
        _registry.Setup(r => r.ListVersionsAsync(It.IsAny<string>(), It.IsAny<CancellationToken>())).ReturnsAsync([]);
    }

    [Fact]
    public async Task Resolve_Alias_IsTheVersionItPointsAt()
    {
        Versions(("1", true), ("2", true));
        Alias("production", "1");

        var version = await Check().ResolveAsync("churn", null, "production", default);

        Assert.Equal("1", version.Version);
    }

    [Fact]
    public async Task Resolve_ManifestJoiningAnUndeclaredFeatureSet_IsBadRequestAtTheStart_NotARefusalPerRow()
    {
        Versions(("1", true));
        Manifest("1", FeatureSetManifest);

        var error = await RefusedAsync(() => Check().ResolveAsync("churn", "1", null, default));

        Assert.StartsWith("'version': model 'churn' version '1' takes features from feature sets that cannot supply them", error.Message, StringComparison.Ordinal);
        Assert.Contains("feature set 'cust' has no version '1'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resolve_ManifestDisagreeingWithItsFeatureSet_IsBadRequestNamingTheFeature()
    {
        Versions(("1", true));
        Manifest("1", FeatureSetManifest);
        await _featureSets.RegisterAsync("cust", "1",
            """{"entity_keys": ["customer_id"], "features": [{"name": "f1", "type": "categorical"}, {"name": "f2", "type": "numeric"}], "ttl_seconds": 60}"""u8.ToArray(),
            default);

        var error = await RefusedAsync(() => Check().ResolveAsync("churn", null, null, default));

        Assert.StartsWith("'model': model 'churn' version '1' takes features from feature sets", error.Message, StringComparison.Ordinal);
        Assert.Contains("'f1' is numeric in the manifest but categorical in feature set 'cust@1'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resolve_ManifestWhoseFeatureSetsFit_Resolves()
    {
        Versions(("1", true));
        Manifest("1", FeatureSetManifest);
        await _featureSets.RegisterAsync("cust", "1",
            """{"entity_keys": ["customer_id"], "features": [{"name": "f1", "type": "numeric"}, {"name": "f2", "type": "numeric"}], "ttl_seconds": 60}"""u8.ToArray(),
            default);

        Assert.Equal("1", (await Check().ResolveAsync("churn", "1", null, default)).Version);
    }

    [Fact]
    public async Task Resolve_UnknownAlias_IsBadRequestNamingItAndTheAliasesThereAre()
    {
        Versions(("1", true));
        Alias("production", "1");
        Alias("staging", "1");

        var error = await RefusedAsync(() => Check().ResolveAsync("churn", null, "prod", default));

        Assert.Equal("'alias': alias 'prod' of model 'churn' does not exist; its aliases are 'production', 'staging'.", error.Message);
    }

    [Fact]
    public async Task Resolve_UnknownAliasOfAModelWithoutAliases_SaysSo()
    {
        Versions(("1", true));

        var error = await RefusedAsync(() => Check().ResolveAsync("churn", null, "prod", default));

        Assert.Equal("'alias': alias 'prod' of model 'churn' does not exist; the model has no aliases.", error.Message);
    }

    [Fact]
    public async Task Resolve_UnknownVersion_IsBadRequestNamingItAndTheVersionsThereAre()
    {
        Versions(("1", true), ("2", true));

        var error = await RefusedAsync(() => Check().ResolveAsync("churn", "7", null, default));

        Assert.Equal("'version': version '7' of model 'churn' does not exist; its versions are '1', '2'.", error.Message);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("1", null)]
    [InlineData(null, "production")]
    public async Task Resolve_UnknownModel_IsBadRequestNamingTheModel(string? version, string? alias)
    {
        var error = await RefusedAsync(() => Check().ResolveAsync("nobody", version, alias, default));

        Assert.Equal("'model': model 'nobody' does not exist (no version of it is registered).", error.Message);
    }

    [Fact]
    public async Task Resolve_VersionAndAlias_IsBadRequestAskingForOne()
    {
        var error = await RefusedAsync(() => Check().ResolveAsync("churn", "1", "production", default));

        Assert.Equal("'version' and 'alias' both choose a version of model 'churn'; give one of them.", error.Message);
    }

    [Theory]
    [InlineData(null, null, "'model': model 'churn' version '2' has no manifest")]
    [InlineData("2", null, "'version': model 'churn' version '2' has no manifest")]
    [InlineData(null, "production", "'alias': model 'churn' version '2' (alias 'production') has no manifest")]
    public async Task Resolve_VersionWithoutAManifest_IsBadRequestPointingAtTheManifestRoute(string? version, string? alias, string expected)
    {
        Versions(("1", true), ("2", false));
        Alias("production", "2");

        var error = await RefusedAsync(() => Check().ResolveAsync("churn", version, alias, default));

        Assert.StartsWith(expected, error.Message);
        Assert.EndsWith("Register one with PUT /api/models/churn/versions/2/manifest.", error.Message);
    }

    [Fact]
    public async Task CheckAsync_InputThatDoesNotExist_IsBadRequestNamingTheInput()
    {
        Versions(("1", true));

        var error = await RefusedAsync(() => Starter().CheckAsync(Request() with { Input = "data/none.csv" }, default));

        Assert.Equal("'input' names blob 'data/none.csv', which does not exist.", error.Message);
    }

    [Fact]
    public async Task CheckAsync_UnknownModel_IsRefusedBeforeTheInputIsRead()
    {
        var blobs = new Mock<BlobServiceClient>(MockBehavior.Strict);

        var error = await RefusedAsync(() => Starter(blobs.Object).CheckAsync(Request() with { Model = "nobody" }, default));

        Assert.StartsWith("'model'", error.Message);
    }

    [Fact]
    public async Task CheckAsync_ValidRequest_CarriesTheResolvedVersionAndFormat()
    {
        Versions(("1", true), ("2", true));
        Alias("production", "1");

        var request = await Starter().CheckAsync(Request() with { Alias = "production" }, default);

        Assert.Equal(("1", "production", BatchFormats.Csv), (request.ResolvedVersion, request.Alias, request.Format));
    }

    [Fact]
    public async Task Plan_ResolvedAtStart_ScoresThatVersionEvenAfterTheAliasMoved()
    {
        Versions(("1", true), ("2", true));
        Alias("production", "1");
        var request = await Starter().CheckAsync(Request() with { Alias = "production" }, default);
        Alias("production", "2");

        var plan = await Plan().RunAsync(Mock.Of<TaskActivityContext>(), request);

        Assert.Equal("1", plan.ModelVersion);
    }

    [Fact]
    public async Task Plan_InputRecordedBeforeTheStartResolved_StillReadsAndResolvesTheAlias()
    {
        Versions(("1", true), ("2", true));
        Alias("production", "2");
        var recorded = JsonSerializer.Deserialize<BatchScoringRequest>(
            """{"Input":"data/in.csv","Model":"churn","Alias":"production","Output":"scores/run","Format":"csv","ChunkRows":100}""")!;

        var plan = await Plan().RunAsync(Mock.Of<TaskActivityContext>(), recorded);

        Assert.Null(recorded.ResolvedVersion);
        Assert.Equal("2", plan.ModelVersion);
    }

    private static BatchScoringRequest Request() => new() { Input = "data/in.csv", Model = "churn", Output = "scores/run", ChunkRows = 100 };

    private static async Task<ServingException> RefusedAsync(Func<Task> check)
    {
        var error = await Assert.ThrowsAsync<ServingException>(check);
        Assert.Equal(ServingErrorKind.BadRequest, error.Kind);
        Assert.Equal(ErrorCodes.InvalidInput, error.Code);
        return error;
    }

    private BatchModelCheck Check() => new(_registry.Object, Resolver(), _featureSets);

    private ModelResolver Resolver() =>
        new(_registry.Object, Options.Create(new ServingOptions { ResolutionCacheSeconds = 0 }), TimeProvider.System);

    // These tests score models only: the graph path is never reached (tests/Serverless.IntegrationTests covers it).
    private BatchScoringStarter Starter(BlobServiceClient? blobs = null) => new(Reader(blobs), Check(), new Core.Graphs.GraphRecordService(null!, null!, null!, null!));

    private PlanBatchActivity Plan() => new(Reader(null), _registry.Object, Resolver());

    private InputBlobReader Reader(BlobServiceClient? blobs) => new(blobs ?? FakeBlobStorage.Create(_blobs), DataContainers.Default);

    private void Versions(params (string Version, bool Manifest)[] versions)
    {
        var all = versions.Select(v => new ModelVersion("churn", v.Version, "sha", 10, DateTimeOffset.UnixEpoch, null, [], [], $"churn/{v.Version}/model.onnx")
        {
            ManifestSha256 = v.Manifest ? "manifest-sha" : null,
        }).ToList();
        _registry.Setup(r => r.ListVersionsAsync("churn", It.IsAny<CancellationToken>())).ReturnsAsync(all);
        foreach (var version in all)
        {
            _registry.Setup(r => r.GetVersionAsync("churn", version.Version, It.IsAny<CancellationToken>())).ReturnsAsync(version);
        }
    }

    private static readonly ModelManifest FeatureSetManifest = ModelManifest.Parse(Encoding.UTF8.GetBytes(
        Serverless.Tests.Features.FeatureStoreStack.Manifest()));

    private void Manifest(string version, ModelManifest manifest) =>
        _registry.Setup(r => r.GetManifestAsync(It.Is<ModelVersion>(v => v.Version == version), It.IsAny<CancellationToken>())).ReturnsAsync(manifest);

    private void Alias(string alias, string version)
    {
        var target = new ModelAlias("churn", alias, version, DateTimeOffset.UnixEpoch, "etag");
        _aliases[alias] = target;
        _registry.Setup(r => r.GetAliasAsync("churn", alias, It.IsAny<CancellationToken>())).ReturnsAsync(target);
        _registry.Setup(r => r.ListAliasesAsync("churn", It.IsAny<CancellationToken>())).ReturnsAsync(() => _aliases.Values.ToList());
    }
}
