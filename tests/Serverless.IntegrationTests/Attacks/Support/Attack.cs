using System.Net;
using Serverless.IntegrationTests.Support;

namespace Serverless.IntegrationTests.Attacks.Support;

/// <summary>
/// One attack and its verdict: the answer is the expected 4xx with an error naming the problem (401s carry no body,
/// as in Azure), the runner is still
/// live and serving, its working set grew by less than the stated bound, and nothing stored changed.
/// </summary>
public static class Attack
{
    public static async Task<JsonAnswer> RefusedAsync(AttackFixture target, Func<Task<JsonAnswer>> attack, HttpStatusCode expected,
        string? errorNames, long maxGrowthBytes = 64L * 1024 * 1024)
    {
        var before = await StoredState.ReadAsync(target.ConnectionString);
        var workingSetBefore = target.Runner.WorkingSetBytes;

        var answer = await attack();

        var growth = target.Runner.WorkingSetBytes - workingSetBefore;
        Assert.True(answer.Status == expected, $"expected {(int)expected}, got {(int)answer.Status}: {answer.Body}");
        if (errorNames is not null)
        {
            Assert.Contains(errorNames, answer.Error, StringComparison.OrdinalIgnoreCase);
        }

        Assert.True(growth < maxGrowthBytes, $"the runner's working set grew by {growth / (1024 * 1024)} MiB (bound {maxGrowthBytes / (1024 * 1024)} MiB)");
        await target.AssertServesNormallyAsync();
        (await StoredState.ReadAsync(target.ConnectionString)).AssertUnchangedSince(before);
        return answer;
    }
}
