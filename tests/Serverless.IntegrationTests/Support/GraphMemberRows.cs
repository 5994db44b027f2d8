using Microsoft.Extensions.DependencyInjection;
using Serverless.Core.Monitoring.Logging;

namespace Serverless.IntegrationTests.Support;

/// <summary>The rows a graph's member logged for one graph request, read back from the runner's inference log.</summary>
internal static class GraphMemberRows
{
    /// <summary>The member's rows with source graph and the graph's request id, waiting up to a minute for the writer.</summary>
    public static async Task<List<InferenceLogRecord>> ReadAsync(StackFixture stack, string member, string requestId)
    {
        var reader = stack.Host.Services.GetRequiredService<InferenceLogReader>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var rows = new List<InferenceLogRecord>();
            await foreach (var record in reader.ReadAsync(member, DateTimeOffset.UtcNow.AddMinutes(-10), DateTimeOffset.UtcNow.AddMinutes(1)))
            {
                if (record.Source == InferenceLogSource.Graph && record.RequestId == requestId)
                {
                    rows.Add(record);
                }
            }

            if (rows.Count > 0 || DateTime.UtcNow > deadline)
            {
                return rows;
            }

            await Task.Delay(200);
        }
    }
}
