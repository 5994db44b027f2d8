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
}
