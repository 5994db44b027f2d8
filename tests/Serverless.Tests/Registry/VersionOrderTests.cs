using Serverless.Core.Registry;

namespace Serverless.Tests.Registry;

public sealed class VersionOrderTests
{
    private static readonly string[] Versions =
        ["1", "01", "2", "9", "10", "1.9", "1.10", "1.10.1", "v2", "v10", "v1.0", "a", "b", "10a", "10b", "1a", "0", "00", "2024-01-01", "2024-1-2"];

    [Theory]
    [InlineData("10", "9")]
    [InlineData("1.10", "1.9")]
    [InlineData("v10", "v2")]
    [InlineData("2", "1")]
    [InlineData("1.0.1", "1.0")]
    [InlineData("100", "99")]
    [InlineData("b", "a")]
    [InlineData("10b", "10a")]
    [InlineData("12345678901234567890123", "9999999999999999999999")]
    public void Compare_GreaterVersion_ComparesAbove(string greater, string lesser)
    {
        Assert.True(VersionOrder.Instance.Compare(greater, lesser) > 0, $"{greater} should be after {lesser}");
        Assert.True(VersionOrder.Instance.Compare(lesser, greater) < 0, $"{lesser} should be before {greater}");
    }

    [Theory]
    [InlineData("1")]
    [InlineData("v1.2.3")]
    [InlineData("")]
    public void Compare_SameVersion_IsZero(string version)
    {
        Assert.Equal(0, VersionOrder.Instance.Compare(version, new string(version.AsSpan())));
    }

    [Fact]
    public void Compare_Null_SortsFirst()
    {
        Assert.True(VersionOrder.Instance.Compare(null, "1") < 0);
        Assert.True(VersionOrder.Instance.Compare("1", null) > 0);
        Assert.Equal(0, VersionOrder.Instance.Compare(null, null));
    }

    [Fact]
    public void Compare_LeadingZeros_AreDistinctButAdjacent()
    {
        Assert.NotEqual(0, VersionOrder.Instance.Compare("01", "1"));
        Assert.True(VersionOrder.Instance.Compare("01", "2") < 0);
        Assert.True(VersionOrder.Instance.Compare("1", "02") < 0);
    }

    [Fact]
    public void Sort_NumericVersions_OrdersThemNumerically()
    {
        var sorted = new[] { "10", "9", "1.10", "1.9", "2", "1" }.Order(VersionOrder.Instance).ToArray();

        Assert.Equal(["1", "1.9", "1.10", "2", "9", "10"], sorted);
    }

    [Fact]
    public void Compare_AnyPair_IsAntisymmetric()
    {
        foreach (var x in Versions)
        {
            foreach (var y in Versions)
            {
                Assert.Equal(Math.Sign(VersionOrder.Instance.Compare(x, y)), -Math.Sign(VersionOrder.Instance.Compare(y, x)));
                Assert.Equal(x == y, VersionOrder.Instance.Compare(x, y) == 0);
            }
        }
    }

    [Fact]
    public void Compare_AnyTriple_IsTransitive()
    {
        foreach (var x in Versions)
        {
            foreach (var y in Versions)
            {
                foreach (var z in Versions)
                {
                    if (VersionOrder.Instance.Compare(x, y) < 0 && VersionOrder.Instance.Compare(y, z) < 0)
                    {
                        Assert.True(VersionOrder.Instance.Compare(x, z) < 0, $"{x} < {y} < {z} but not {x} < {z}");
                    }
                }
            }
        }
    }
}
