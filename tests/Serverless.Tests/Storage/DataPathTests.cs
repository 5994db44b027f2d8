using Serverless.Core.Errors;
using Serverless.Core.Storage;

namespace Serverless.Tests.Storage;

public sealed class DataPathTests
{
    private static readonly DataContainers Containers = DataContainers.Default;

    [Theory]
    [InlineData("data/customers.csv", "data", "customers.csv")]
    [InlineData("training/2024/05/churn.csv", "training", "2024/05/churn.csv")]
    [InlineData("scores/a b/ünïcode 😀.csv", "scores", "a b/ünïcode 😀.csv")]
    [InlineData("data/.hidden/x.csv", "data", ".hidden/x.csv")]
    [InlineData("data/a..b/c.d.csv", "data", "a..b/c.d.csv")]
    public void Parse_ValidBlob_SplitsContainerAndName(string text, string container, string name)
    {
        var path = DataPath.Parse(text, "input", Containers);

        Assert.Equal((container, name), (path.Container, path.Name));
        Assert.Equal(text, path.ToString());
    }

    [Theory]
    [InlineData("models/churn/1/model.onnx", "not a data container")]
    [InlineData("azure-webjobs-hosts/locks/x", "not a data container")]
    [InlineData("serverlesshub-largemessages/x", "not a data container")]
    [InlineData("sweeps/s1/data/train.csv", "not a data container")]
    [InlineData("monitoring/report.json", "not a data container")]
    [InlineData("$logs/x", "not a valid container name")]
    [InlineData("Data/x.csv", "not a valid container name")]
    [InlineData("da/x.csv", "not a valid container name")]
    [InlineData("da--ta/x.csv", "not a valid container name")]
    [InlineData("-data/x.csv", "not a valid container name")]
    [InlineData("https://evil.example/data/x.csv", "not a URL")]
    [InlineData("http://127.0.0.1:10000/devstoreaccount1/models/x", "not a URL")]
    [InlineData("data://x.csv", "not a URL")]
    [InlineData("data\\x.csv", "backslash")]
    [InlineData("data/..\\models/x", "backslash")]
    [InlineData("data/../models/x", "'..'")]
    [InlineData("data/./x.csv", "'.'")]
    [InlineData("data/a/..", "'..'")]
    [InlineData("data//x.csv", "empty path segment")]
    [InlineData("/data/x.csv", "empty path segment")]
    [InlineData("data/folder/", "trailing '/'")]
    [InlineData("data/x.csv.", "ends with '.'")]
    [InlineData("data", "names no blob")]
    [InlineData("data/", "names no blob")]
    [InlineData("", "is required")]
    [InlineData("   ", "is required")]
    public void Parse_RefusedForm_IsBadRequestNamingTheFieldAndTheProblem(string text, string problem)
    {
        var error = Assert.Throws<ServingException>(() => DataPath.Parse(text, "input", Containers));

        Assert.Equal(ServingErrorKind.BadRequest, error.Kind);
        Assert.StartsWith("'input' ", error.Message);
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void Parse_ControlCharacterOrUnpairedSurrogate_IsBadRequestSayingWhichAndWhere()
    {
        (string Text, string Problem)[] cases =
        [
            ("data/x\n.csv", "control character (U+000A at position 7)"),
            ("data/x\u0000.csv", "control character (U+0000"),
            ("data/x\t.csv", "control character (U+0009"),
            ("data/x\u007F.csv", "control character (U+007F"),
            ("data/x\u0085.csv", "control character (U+0085"),
            ("data/x\u009F.csv", "control character (U+009F"),
            ("data/x\ud800.csv", "unpaired surrogate"),
            ("data/x\udc00.csv", "unpaired surrogate"),
        ];

        foreach (var (text, problem) in cases)
        {
            var error = Assert.Throws<ServingException>(() => DataPath.Parse(text, "input", Containers));
            Assert.Contains(problem, error.Message);
        }
    }

    [Fact]
    public void Parse_NotADataContainer_ListsTheAllowedOnes()
    {
        var error = Assert.Throws<ServingException>(() => DataPath.Parse("models/x", "input", Containers));

        Assert.Contains("data, training, scores", error.Message);
        Assert.Contains("Storage:DataContainers", error.Message);
    }

    [Fact]
    public void Parse_NameAtAzuresLimits_IsAcceptedAndOneOverIsRefused()
    {
        var longest = "data/" + new string('a', DataPath.MaxBlobNameLength);
        var deepest = "data/" + string.Join('/', Enumerable.Repeat("a", DataPath.MaxSegments));

        Assert.Equal(DataPath.MaxBlobNameLength, DataPath.Parse(longest, "input", Containers).Name.Length);
        Assert.Equal(DataPath.MaxSegments, DataPath.Parse(deepest, "input", Containers).Name.Split('/').Length);
        Assert.Contains("1025 characters", Assert.Throws<ServingException>(() => DataPath.Parse(longest + "a", "input", Containers)).Message);
        Assert.Contains("255 path segments", Assert.Throws<ServingException>(() => DataPath.Parse(deepest + "/a", "input", Containers)).Message);
        Assert.Contains("not a valid container name", Assert.Throws<ServingException>(() => DataPath.Parse(new string('d', 64) + "/x", "input",
            new DataContainers([new string('d', 64)]))).Message);
    }

    [Fact]
    public void Parse_LongHostileText_IsQuotedCutShort()
    {
        var error = Assert.Throws<ServingException>(() => DataPath.Parse("NotAContainer" + new string('x', 10_000) + "/y", "input", Containers));

        Assert.True(error.Message.Length < 400, error.Message);
    }

    [Theory]
    [InlineData("scores", "scores", "")]
    [InlineData("scores/", "scores", "")]
    [InlineData("scores/run-42", "scores", "run-42")]
    [InlineData("scores/run-42/", "scores", "run-42")]
    public void ParsePrefix_Folder_DropsOneTrailingSlash(string text, string container, string name)
    {
        var prefix = DataPath.ParsePrefix(text, "output", Containers);

        Assert.Equal((container, name), (prefix.Container, prefix.Name));
    }

    [Theory]
    [InlineData("scores/run//", "empty path segment")]
    [InlineData("models/run", "not a data container")]
    [InlineData("scores/../data", "'..'")]
    [InlineData("scores/run.", "ends with '.'")]
    public void ParsePrefix_RefusedForm_IsBadRequestNamingTheField(string text, string problem)
    {
        var error = Assert.Throws<ServingException>(() => DataPath.ParsePrefix(text, "output", Containers));

        Assert.StartsWith("'output' ", error.Message);
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void ParsePrefix_LeavesRoomForTheFilesAJobWrites()
    {
        var name = new string('a', DataPath.MaxBlobNameLength - DataPath.PrefixHeadroom + 1);

        Assert.Throws<ServingException>(() => DataPath.ParsePrefix("scores/" + name, "output", Containers));
    }

    [Theory]
    [InlineData("scores/run", "scores/run/parts/part-00000.csv", true)]
    [InlineData("scores/run", "scores/run/manifest.json", true)]
    [InlineData("scores/run", "scores/run", true)]
    [InlineData("scores", "scores/in.csv", true)]
    [InlineData("scores/run", "scores/run-2/in.csv", false)]
    [InlineData("scores/run", "scores/runs.csv", false)]
    [InlineData("scores/run", "data/run/in.csv", false)]
    public void Contains_IsTrueOnlyForPathsInTheFolder(string folder, string blob, bool expected)
    {
        var prefix = DataPath.ParsePrefix(folder, "output", Containers);
        var path = DataPath.Parse(blob, "input", Containers);

        Assert.Equal(expected, prefix.Contains(path));
    }

    [Fact]
    public void Child_JoinsUnderTheFolder()
    {
        Assert.Equal("scores/run/manifest.json", DataPath.ParsePrefix("scores/run/", "output", Containers).Child("manifest.json").ToString());
        Assert.Equal("scores/manifest.json", DataPath.ParsePrefix("scores", "output", Containers).Child("manifest.json").ToString());
    }

    [Theory]
    [InlineData("abc", true)]
    [InlineData("a1-b2", true)]
    [InlineData("123", true)]
    [InlineData("ab", false)]
    [InlineData("Data", false)]
    [InlineData("daTa", false)]
    [InlineData("da_ta", false)]
    [InlineData("da.ta", false)]
    [InlineData("da ta", false)]
    [InlineData("dät", false)]
    [InlineData("-data", false)]
    [InlineData("data-", false)]
    [InlineData("da--ta", false)]
    [InlineData("$logs", false)]
    [InlineData("data\n", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void IsValidContainerName_FollowsAzuresRules(string? name, bool valid) =>
        Assert.Equal(valid, DataPath.IsValidContainerName(name));

    [Fact]
    public void IsValidContainerName_Length_Is3To63()
    {
        Assert.True(DataPath.IsValidContainerName(new string('a', 63)));
        Assert.False(DataPath.IsValidContainerName(new string('a', 64)));
        Assert.True(DataPath.IsValidContainerName("a-1"));
        Assert.False(DataPath.IsValidContainerName("a1"));
    }

    [Theory]
    [InlineData("Scores/run-1")]
    [InlineData("SCORES")]
    [InlineData("scores_/run")]
    public void ParsePrefix_OutputContainerAgainstAzuresRules_IsBadRequestStatingTheRule(string output)
    {
        var containers = new DataContainers(["scores"]);

        var error = Assert.Throws<ServingException>(() => DataPath.ParsePrefix(output, "output", containers));

        Assert.StartsWith("'output' names container", error.Message);
        Assert.Contains($"which is not a valid container name ({DataPath.ContainerNameRule})", error.Message);
    }

    [Theory]
    [InlineData("file:///etc/passwd", "not a URL")]
    [InlineData("http://x/y.csv", "not a URL")]
    [InlineData("Data/x.csv", "'Data', which is not a valid container name")]
    [InlineData("file:/etc/passwd", "'file:', which is not a valid container name")]
    public void Parse_WhatANewUserTried_IsBadRequestNamingTheField(string input, string expected)
    {
        var error = Assert.Throws<ServingException>(() => DataPath.Parse(input, "input", Containers));

        Assert.Equal(ServingErrorKind.BadRequest, error.Kind);
        Assert.StartsWith("'input' ", error.Message);
        Assert.Contains(expected, error.Message);
    }
}
