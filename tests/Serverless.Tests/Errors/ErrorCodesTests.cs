using System.Text.RegularExpressions;
using Moq;
using Serverless.Core.Errors;
using Serverless.Core.Models;
using Serverless.Core.Registry;

namespace Serverless.Tests.Errors;

public sealed class ErrorCodesTests
{
    [Fact]
    public void All_CodesAreUniqueSnakeCaseAndDescribed()
    {
        Assert.Equal(ErrorCodes.All.Count, ErrorCodes.All.Select(c => c.Code).Distinct().Count());
        Assert.All(ErrorCodes.All, c =>
        {
            Assert.Matches(new Regex("^[a-z]+(_[a-z]+)*$"), c.Code);
            Assert.InRange(c.Status, 400, 599);
            Assert.False(string.IsNullOrWhiteSpace(c.Description));
        });
    }

    [Fact]
    public void All_ListsEveryConstant()
    {
        var constants = typeof(ErrorCodes).GetFields().Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).Order();

        Assert.Equal(constants, ErrorCodes.All.Select(c => c.Code).Order());
    }

    [Theory]
    [InlineData(ServingErrorKind.BadRequest, "invalid_input")]
    [InlineData(ServingErrorKind.NotFound, "not_found")]
    [InlineData(ServingErrorKind.Conflict, "conflict")]
    [InlineData(ServingErrorKind.PreconditionFailed, "precondition_failed")]
    [InlineData(ServingErrorKind.PayloadTooLarge, "payload_too_large")]
    [InlineData(ServingErrorKind.IntegrityFailure, "integrity_failure")]
    [InlineData(ServingErrorKind.Unavailable, "unavailable")]
    public void Exception_CodeDefaultsFromItsKind_WithTheKindsStatus(ServingErrorKind kind, string code)
    {
        var error = new ServingException(kind, "message");

        Assert.Equal(code, error.Code);
        Assert.Equal(ErrorCodes.Get(code).Status, error.StatusCode);
    }

    [Fact]
    public void Exception_SpecificNotFoundFactories_KeepTheStatusAndNameTheCase()
    {
        Assert.Equal((404, "model_not_found"), Of(ServingException.ModelNotFound("m")));
        Assert.Equal((404, "version_not_found"), Of(ServingException.VersionNotFound("m")));
        Assert.Equal((404, "alias_not_found"), Of(ServingException.AliasNotFound("m")));
        Assert.Equal((404, "not_found"), Of(ServingException.NotFound("m")));

        static (int, string) Of(ServingException e) => (e.StatusCode, e.Code);
    }

    [Fact]
    public async Task GetExistingVersion_ModelWithoutVersions_IsModelNotFound_ModelWithOthers_IsVersionNotFound()
    {
        var registry = new Mock<IModelRegistry>();
        registry.Setup(r => r.GetVersionAsync(It.IsAny<string>(), It.IsAny<string>(), It.IsAny<CancellationToken>())).ReturnsAsync((ModelVersion?)null);
        registry.Setup(r => r.ListVersionsAsync("nobody", It.IsAny<CancellationToken>())).ReturnsAsync([]);
        registry.Setup(r => r.ListVersionsAsync("churn", It.IsAny<CancellationToken>()))
            .ReturnsAsync([new ModelVersion("churn", "1", "ab", 1, DateTimeOffset.UnixEpoch, null, [], [], "churn/1/ab/model.onnx")]);

        var missingModel = await Assert.ThrowsAsync<ServingException>(() => registry.Object.GetExistingVersionAsync("nobody", "1", default));
        var missingVersion = await Assert.ThrowsAsync<ServingException>(() => registry.Object.GetExistingVersionAsync("churn", "7", default));

        Assert.Equal(ErrorCodes.ModelNotFound, missingModel.Code);
        Assert.Equal(ErrorCodes.VersionNotFound, missingVersion.Code);
        Assert.Equal("Model 'churn' has no version '7'.", missingVersion.Message);
    }
}
