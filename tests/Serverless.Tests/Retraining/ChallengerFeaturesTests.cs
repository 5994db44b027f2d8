using Serverless.Core.Errors;
using Serverless.Orchestrations.Retraining;

namespace Serverless.Tests.Retraining;

/// <summary>A challenger must take the champion's features, in any order, so that it can be shadowed on the champion's requests.</summary>
public sealed class ChallengerFeaturesTests
{
    private static readonly string[] Champion = ["tenure", "monthly_charges", "contract"];

    [Fact]
    public void Check_TheChampionsFeaturesInAnotherOrder_Passes()
    {
        ChallengerFeatures.Check(["contract", "tenure", "monthly_charges"], Champion, "1");
    }

    [Fact]
    public void Check_NoListOrNoChampionManifest_HasNothingToCompare()
    {
        ChallengerFeatures.Check(null, Champion, "1");
        ChallengerFeatures.Check(["noise"], null, "1");
    }

    [Fact]
    public void Check_ASubsetOfTheChampionsFeatures_IsBadRequestNamingWhatIsLeftOut()
    {
        var e = Assert.Throws<ServingException>(() => ChallengerFeatures.Check(["tenure"], Champion, "3"));

        Assert.Equal(ServingErrorKind.BadRequest, e.Kind);
        Assert.Contains("leaves out 'monthly_charges', 'contract'", e.Message, StringComparison.Ordinal);
        Assert.Contains("version '3'", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("adds", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_AFeatureTheChampionsRequestsLack_IsBadRequestNamingIt()
    {
        var e = Assert.Throws<ServingException>(() => ChallengerFeatures.Check([.. Champion, "noise"], Champion, "1"));

        Assert.Contains("adds 'noise'", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("leaves out", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_ManyMissingFeatures_NamesTenAndCountsTheRest()
    {
        var champion = Enumerable.Range(0, 25).Select(i => $"f{i}").ToArray();

        var e = Assert.Throws<ServingException>(() => ChallengerFeatures.Check(["f0"], champion, "1"));

        Assert.Contains("'f10' and 14 more", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("'f11'", e.Message, StringComparison.Ordinal);
    }
}
