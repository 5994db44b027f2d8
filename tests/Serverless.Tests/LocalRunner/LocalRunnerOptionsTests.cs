using Serverless.Local.Hosting;

namespace Serverless.Tests.LocalRunner;

public sealed class LocalRunnerOptionsTests
{
    [Fact]
    public void FromArgs_KeyFlags_RequireKeysAndSetBothCredentials()
    {
        var options = LocalRunnerOptions.FromArgs(["--function-key", "client", "--master-key", "operator", "--port", "7072"]);

        Assert.True(options.RequireKeys);
        Assert.Equal(("client", "operator", 7072), (options.FunctionKey, options.MasterKey, options.Port));
    }

    [Fact]
    public void FromArgs_NoFlags_KeysOffOnCoreToolsPort()
    {
        var options = LocalRunnerOptions.FromArgs([]);

        Assert.False(options.RequireKeys);
        Assert.Equal((7071, (string?)null, (string?)null), (options.Port, options.FunctionKey, options.MasterKey));
    }

    [Fact]
    public void FromArgs_UnknownFlag_NamesItInTheError()
    {
        var error = Assert.Throws<ArgumentException>(() => LocalRunnerOptions.FromArgs(["--master-keys", "x"]));

        Assert.Contains("'--master-keys'", error.Message);
    }
}
