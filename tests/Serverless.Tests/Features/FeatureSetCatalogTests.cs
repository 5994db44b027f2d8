using System.Text;
using Serverless.Core.Errors;
using Serverless.Core.Features;
using Serverless.Core.Models;

namespace Serverless.Tests.Features;

public sealed class FeatureSetCatalogTests
{
    [Fact]
    public async Task Register_SameDeclarationTwice_IsCreatedThenUnchanged_AndAnotherIsConflict()
    {
        var stack = new FeatureStoreStack();

        var first = await stack.Catalog.RegisterAsync("cust", "1", Encoding.UTF8.GetBytes(FeatureStoreStack.CustomerSet), CancellationToken.None);
        var again = await stack.Catalog.RegisterAsync("cust", "1", Encoding.UTF8.GetBytes(FeatureStoreStack.CustomerSet), CancellationToken.None);
        var other = await Assert.ThrowsAsync<ServingException>(() => stack.Catalog.RegisterAsync("cust", "1",
            Encoding.UTF8.GetBytes(FeatureStoreStack.CustomerSet.Replace("3600", "60", StringComparison.Ordinal)), CancellationToken.None));

        Assert.Equal(RegistrationOutcome.Created, first.Outcome);
        Assert.Equal(RegistrationOutcome.Unchanged, again.Outcome);
        Assert.Equal(ServingErrorKind.Conflict, other.Kind);
        Assert.Single(stack.Table.Rows);
    }

    [Fact]
    public async Task Find_FromAnotherProcess_ReadsTheStoredDeclaration()
    {
        var stack = new FeatureStoreStack();
        await stack.DeclareAsync();
        var other = new FeatureSetCatalog(stack.Table.Client, TimeProvider.System);

        var found = await other.FindAsync("cust", "1", CancellationToken.None);
        var versions = await other.ListVersionsAsync("cust", CancellationToken.None);

        Assert.Equal(["f1", "f2"], found!.Features.Select(f => f.Name));
        Assert.Equal(stack.Clock.GetUtcNow(), found.CreatedUtc);
        Assert.Equal(["1"], versions.Select(v => v.Version));
    }

    [Theory]
    [InlineData("""[{"name": "cust", "version": "2", "features": ["f1"]}]""", "no version '2'")]
    [InlineData("""[{"name": "cust", "version": "1", "features": ["f0"]}]""", "declares no feature 'f0'")]
    public async Task CheckManifest_SetOrFeatureNotDeclared_IsBadRequestNamingTheField(string featureSets, string named)
    {
        var stack = new FeatureStoreStack();
        await stack.DeclareAsync();
        var manifest = ModelManifest.Parse(Encoding.UTF8.GetBytes(
            FeatureStoreStack.Manifest().Replace("""[{"name":"cust","version":"1","features":["f1","f2"]}]""", featureSets, StringComparison.Ordinal)));

        var error = await Assert.ThrowsAsync<ServingException>(() => stack.Catalog.CheckManifestAsync(manifest, CancellationToken.None));

        Assert.Contains("feature_sets[0]", error.Message, StringComparison.Ordinal);
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckManifest_TypeDiffersFromTheDeclaration_IsBadRequest()
    {
        var stack = new FeatureStoreStack();
        await stack.DeclareAsync(FeatureStoreStack.CustomerSet.Replace("""{"name": "f2", "type": "numeric"}""", """{"name": "f2", "type": "categorical"}""", StringComparison.Ordinal));

        var error = await Assert.ThrowsAsync<ServingException>(() =>
            stack.Catalog.CheckManifestAsync(ModelManifest.Parse(Encoding.UTF8.GetBytes(FeatureStoreStack.Manifest())), CancellationToken.None));

        Assert.Contains("'f2' is numeric in the manifest but categorical", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ManifestParse_FeatureSets_RoundTripInTheCanonicalJson_AndUnknownFeaturesAreRefused()
    {
        var manifest = ModelManifest.Parse(Encoding.UTF8.GetBytes(FeatureStoreStack.Manifest()));
        var error = Assert.Throws<ServingException>(() => ModelManifest.Parse(Encoding.UTF8.GetBytes(
            FeatureStoreStack.Manifest().Replace("\"f2\"]", "\"f9\"]", StringComparison.Ordinal))));

        Assert.Equal(manifest.ToCanonicalJson(), ModelManifest.Parse(manifest.ToCanonicalJson()).ToCanonicalJson());
        Assert.Contains("\"feature_sets\":[{\"name\":\"cust\",\"version\":\"1\",\"features\":[\"f1\",\"f2\"]}]", Encoding.UTF8.GetString(manifest.ToCanonicalJson()), StringComparison.Ordinal);
        Assert.Contains("feature_sets[0].features[1]", error.Message, StringComparison.Ordinal);
    }
}
