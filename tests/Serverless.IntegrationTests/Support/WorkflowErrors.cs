using System.Text.RegularExpressions;

namespace Serverless.IntegrationTests.Support;

/// <summary>What a workflow's failure may not show a caller: exception type names, Durable task numbers and wrappers.</summary>
public static partial class WorkflowErrors
{
    public static void AssertPlain(string error)
    {
        Assert.False(string.IsNullOrWhiteSpace(error), "no reason given");
        Assert.DoesNotContain("Exception", error, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Microsoft.", error, StringComparison.Ordinal);
        Assert.DoesNotContain("failed with an unhandled exception", error, StringComparison.Ordinal);
        Assert.False(TaskNumber().IsMatch(error), $"a task number in: {error}");
    }

    [GeneratedRegex(@"\(#\d+\)")]
    private static partial Regex TaskNumber();
}
