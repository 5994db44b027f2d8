using System.Text;
using Serverless.Core.Models;
using Serverless.Orchestrations.Training;
using Serverless.TestModels;

namespace Serverless.Tests.Features;

/// <summary>
/// A sweep trained on a point-in-time join registers a manifest whose <c>feature_sets</c> name the joined sets and the features the
/// model takes from them, so the version serves from entity keys without editing the manifest by hand.
/// </summary>
public sealed class SweepRegistrationFeatureSetsTests
{
    private static readonly ModelManifest Trained = ModelManifest.Parse(Encoding.UTF8.GetBytes(ReferenceManifests.LogisticRegression(features: 3)));

    [Fact]
    public void WithFeatureSets_JoinedSets_AreNamedWithTheFeaturesTheModelTakes_AndSetsLeftWithNoneAreLeftOut()
    {
        var manifest = RegisterBestModelActivity.WithFeatureSets(Trained,
            [new SweepFeatureSet("cust", "1", ["f1", "dropped_by_trainer", "f2"]), new SweepFeatureSet("other", "2", ["not_a_model_feature"])]);

        var set = Assert.Single(manifest.FeatureSets!);
        Assert.Equal(("cust", "1", "f1,f2"), (set.Name, set.Version, string.Join(",", set.Features)));
        Assert.Equal(Trained.Features, manifest.Features);
        Assert.Contains("\"feature_sets\":[{\"name\":\"cust\",\"version\":\"1\",\"features\":[\"f1\",\"f2\"]}]",
            Encoding.UTF8.GetString(manifest.ToCanonicalJson()), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void WithFeatureSets_NoJoin_LeavesTheManifestAsTrained(bool empty)
    {
        var manifest = RegisterBestModelActivity.WithFeatureSets(Trained, empty ? [] : null);

        Assert.Same(Trained, manifest);
        Assert.Null(manifest.FeatureSets);
    }
}
