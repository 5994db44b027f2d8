using System.Collections.Concurrent;
using Azure.Storage.Queues;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Serverless.Core.Storage;
using Serverless.IntegrationTests.Support;
using Serverless.Local.Catalog;
using Serverless.Local.Queues;

namespace Serverless.IntegrationTests.LocalRunner;

/// <summary>The runner's queue triggers on Azurite, as the Functions host runs them: a message is deleted when its function succeeds, and one that keeps failing moves to the poison queue after maxDequeueCount tries.</summary>
[Collection(StackCollection.Name)]
public sealed class QueueListenerTests
{
    private readonly StackFixture _stack;

    public QueueListenerTests(StackFixture stack)
    {
        _stack = stack;
    }

    [Fact]
    public async Task Listener_SucceedingMessageIsDeleted_FailingOneMovesToPoisonAfterMaxDequeueCount()
    {
        var queueName = "listener-" + Guid.NewGuid().ToString("N")[..12];
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [StorageAccount.SettingName] = _stack.ConnectionString,
            [ProbeFunctions.QueueSetting] = queueName,
        }).Build();
        var catalog = FunctionCatalog.FromAssembly(typeof(ProbeFunctions).Assembly);
        await using var services = new ServiceCollection().BuildServiceProvider();
        var settings = QueueHostSettings.Default with { MaxDequeueCount = 3 };
        var listener = new QueueFunctionListener(catalog, services.GetRequiredService<IServiceScopeFactory>(), configuration,
            StorageAccount.FromConfiguration(configuration), settings, NullLogger<QueueFunctionListener>.Instance);
        var queue = new QueueClient(_stack.ConnectionString, queueName, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        var poison = new QueueClient(_stack.ConnectionString, queueName + "-poison", new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        await queue.CreateIfNotExistsAsync();
        await queue.SendMessageAsync($"ok-{queueName}");
        await queue.SendMessageAsync($"fail-{queueName}");

        await listener.StartAsync(default);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!(await poison.ExistsAsync()).Value || (await poison.PeekMessagesAsync(1)).Value.Length == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the failing message never reached the poison queue");
            await Task.Delay(100);
        }

        await listener.StopAsync(default);
        var left = (await queue.PeekMessagesAsync(10)).Value;
        var poisoned = Assert.Single((await poison.PeekMessagesAsync(10)).Value);

        Assert.Empty(left);
        Assert.Equal($"fail-{queueName}", poisoned.Body.ToString());
        Assert.Equal(1, ProbeFunctions.Attempts($"ok-{queueName}"));
        Assert.Equal(3, ProbeFunctions.Attempts($"fail-{queueName}"));
    }
}

/// <summary>A queue-triggered function that succeeds on messages starting "ok" and throws on the rest, counting its tries.</summary>
public sealed class ProbeFunctions
{
    public const string QueueSetting = "ProbeQueueName";

    private static readonly ConcurrentDictionary<string, int> Tries = new();

    public static int Attempts(string message) => Tries.TryGetValue(message, out var count) ? count : 0;

    [Function("QueueProbe")]
    public Task Run([QueueTrigger("%" + QueueSetting + "%", Connection = "AzureWebJobsStorage")] string message)
    {
        Tries.AddOrUpdate(message, 1, (_, n) => n + 1);
        return message.StartsWith("ok", StringComparison.Ordinal) ? Task.CompletedTask : throw new InvalidOperationException("probe failure");
    }
}
