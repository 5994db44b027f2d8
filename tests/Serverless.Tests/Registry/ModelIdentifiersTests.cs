using Serverless.Core.Errors;
using Serverless.Core.Registry;

namespace Serverless.Tests.Registry;

public sealed class ModelIdentifiersTests
{
    private static readonly string SixtyThree = "a" + new string('b', 62);

    public static TheoryData<string> ValidNames => new("model", "Model-1", "a", "1", "a.b_c-d", "resnet50_v2.onnx", SixtyThree);

    public static TheoryData<string?> InvalidNames => new(
        null, "", "-model", ".model", "_model", "model name", "model/1", "model\\1", "ü", "model?", SixtyThree + "c", "model\n", "\nmodel", "mod\tel");

    [Theory]
    [MemberData(nameof(ValidNames))]
    public void ValidateName_ValidName_DoesNotThrow(string name)
    {
        ModelIdentifiers.ValidateName(name);
    }

    [Theory]
    [MemberData(nameof(InvalidNames))]
    public void ValidateName_InvalidName_IsBadRequest(string? name)
    {
        var error = Assert.Throws<ServingException>(() => ModelIdentifiers.ValidateName(name));

        Assert.Equal(ServingErrorKind.BadRequest, error.Kind);
        Assert.Contains("model name", error.Message);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("1.0.0")]
    [InlineData("2024-01-01")]
    [InlineData("v3")]
    public void ValidateVersion_ValidVersion_DoesNotThrow(string version)
    {
        ModelIdentifiers.ValidateVersion(version);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-1")]
    [InlineData("1 0")]
    [InlineData("1/0")]
    [InlineData("1\n")]
    public void ValidateVersion_InvalidVersion_IsBadRequest(string version)
    {
        var error = Assert.Throws<ServingException>(() => ModelIdentifiers.ValidateVersion(version));

        Assert.Equal(ServingErrorKind.BadRequest, error.Kind);
        Assert.Contains("version", error.Message);
    }

    [Theory]
    [InlineData("production")]
    [InlineData("Staging-2")]
    [InlineData("a")]
    public void ValidateAlias_ValidAlias_DoesNotThrow(string alias)
    {
        ModelIdentifiers.ValidateAlias(alias);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("2prod")]
    [InlineData("")]
    [InlineData("-prod")]
    [InlineData("prod\n")]
    public void ValidateAlias_InvalidAlias_IsBadRequest(string alias)
    {
        var error = Assert.Throws<ServingException>(() => ModelIdentifiers.ValidateAlias(alias));

        Assert.Equal(ServingErrorKind.BadRequest, error.Kind);
        Assert.Contains("alias", error.Message);
    }

    [Theory]
    [InlineData("churn model", "model_name", "'model_name' must be a valid model name: 1-63 letters, digits, '.', '-' or '_', starting with a letter or digit (was 'churn model').")]
    [InlineData("-churn", "model", "'model' must be a valid model name: 1-63 letters, digits, '.', '-' or '_', starting with a letter or digit (was '-churn').")]
    public void ValidateName_WithTheRequestsField_StartsWithTheField(string name, string field, string expected) =>
        Assert.Equal(expected, Assert.Throws<ServingException>(() => ModelIdentifiers.ValidateName(name, field)).Message);

    [Fact]
    public void ValidateAliasAndVersion_WithTheRequestsField_StartWithTheField()
    {
        Assert.StartsWith("'promotion.alias' must be a valid alias: ", Assert.Throws<ServingException>(() => ModelIdentifiers.ValidateAlias("1st", "promotion.alias")).Message);
        Assert.StartsWith("'version' must be a valid version: ", Assert.Throws<ServingException>(() => ModelIdentifiers.ValidateVersion("v 1", "version")).Message);
    }
}
