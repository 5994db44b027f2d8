using System.Text;
using Serverless.Core.Errors;
using Serverless.Core.Features;
using Serverless.Core.Models;

namespace Serverless.Tests.Features;

public sealed class FeatureSetJsonTests
{
    [Fact]
    public void Read_ValidDeclaration_KeepsKeysFeaturesAndTtl()
    {
        var set = Read(FeatureStoreStack.CustomerSet);

        Assert.Equal(["customer_id"], set.EntityKeys);
        Assert.Equal([new FeatureSetFeature("f1", FeatureType.Numeric), new FeatureSetFeature("f2", FeatureType.Numeric)], set.Features);
        Assert.Equal(3600, set.TtlSeconds);
        Assert.Equal("cust@1", set.Id);
    }

    [Fact]
    public void Read_SameDeclarationWithOtherWhitespace_HasTheSameSha256()
    {
        var spaced = FeatureStoreStack.CustomerSet.Replace(", ", ",\n   ", StringComparison.Ordinal);

        Assert.Equal(Read(FeatureStoreStack.CustomerSet).Sha256, Read(spaced).Sha256);
        Assert.NotEqual(Read(FeatureStoreStack.CustomerSet).Sha256, Read(FeatureStoreStack.CustomerSet.Replace("3600", "60", StringComparison.Ordinal)).Sha256);
    }

    [Theory]
    [InlineData("""{"entity_keys": ["id"], "features": [{"name": "a", "type": "numeric"}], "ttl_seconds": 60, "ttl": 1}""", "ttl")]
    [InlineData("""{"features": [{"name": "a", "type": "numeric"}], "ttl_seconds": 60}""", "entity_keys")]
    [InlineData("""{"entity_keys": [], "features": [{"name": "a", "type": "numeric"}], "ttl_seconds": 60}""", "entity_keys")]
    [InlineData("""{"entity_keys": ["id"], "features": [{"name": "a", "type": "text"}], "ttl_seconds": 60}""", "features[0].type")]
    [InlineData("""{"entity_keys": ["id"], "features": [{"name": "id", "type": "numeric"}], "ttl_seconds": 60}""", "more than once")]
    [InlineData("""{"entity_keys": ["id"], "features": [{"name": "event_time", "type": "numeric"}], "ttl_seconds": 60}""", "reserved")]
    [InlineData("""{"entity_keys": ["a/b"], "features": [{"name": "a", "type": "numeric"}], "ttl_seconds": 60}""", "entity_keys[0]")]
    [InlineData("""{"entity_keys": ["id"], "features": [{"name": "a", "type": "numeric"}], "ttl_seconds": 0}""", "ttl_seconds")]
    [InlineData("""{"entity_keys": ["id"], "features": [{"name": "a", "type": "numeric"}]}""", "ttl_seconds")]
    public void Read_BadDeclaration_IsBadRequestNamingTheField(string json, string named)
    {
        var error = Assert.Throws<ServingException>(() => Read(json));

        Assert.Equal(ServingErrorKind.BadRequest, error.Kind);
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_MoreFeaturesThanAnEntityCanHold_IsBadRequest()
    {
        var features = string.Join(",", Enumerable.Range(0, FeatureSetJson.MaxFeatures + 1).Select(i => $$"""{"name": "f{{i}}", "type": "numeric"}"""));

        var error = Assert.Throws<ServingException>(() => Read($$"""{"entity_keys": ["id"], "features": [{{features}}], "ttl_seconds": 60}"""));

        Assert.Contains("1 to 100", error.Message, StringComparison.Ordinal);
    }

    private static FeatureSetDefinition Read(string json) => FeatureSetJson.Read("cust", "1", Encoding.UTF8.GetBytes(json));
}
