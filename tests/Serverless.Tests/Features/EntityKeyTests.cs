using Serverless.Core.Errors;
using Serverless.Core.Features;

namespace Serverless.Tests.Features;

public sealed class EntityKeyTests
{
    [Fact]
    public void Encode_CharactersTablesRefuse_AreEscaped()
    {
        var key = EntityKey.Encode(["a/b\\c#d?e", "ü\u0001"]);

        Assert.Equal("a%2Fb%5Cc%23d%3Fe|%C3%BC%01", key);
        Assert.DoesNotContain(key, c => c is '/' or '\\' or '#' or '?' || char.IsControl(c));
    }

    [Fact]
    public void Encode_ValuesHoldingTheSeparator_DoNotCollide()
    {
        Assert.NotEqual(EntityKey.Encode(["a|b", "c"]), EntityKey.Encode(["a", "b|c"]));
    }

    [Fact]
    public void Encode_TooLong_IsBadRequest()
    {
        var error = Assert.Throws<ServingException>(() => EntityKey.Encode([new string('/', 400)]));

        Assert.Equal(ServingErrorKind.BadRequest, error.Kind);
    }
}
