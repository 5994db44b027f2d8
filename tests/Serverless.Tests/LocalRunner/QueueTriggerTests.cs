using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Serverless.Local.Catalog;
using Serverless.Local.Queues;

namespace Serverless.Tests.LocalRunner;

/// <summary>The runner's reading of queue triggers: the catalog, host.json's queue settings, the queue name's app settings and the message bindings.</summary>
public sealed class QueueTriggerTests
{
    [Fact]
    public void Catalog_QueueTrigger_IsAQueueFunction_WithItsQueueAndConnection()
    {
        var catalog = FunctionCatalog.FromAssembly(typeof(SampleQueueFunctions).Assembly);

        var queue = Assert.Single(catalog.OfKind(TriggerKind.Queue));

        Assert.Equal("SampleQueue", queue.Name);
        Assert.Equal("%SampleQueueName%", ((QueueTriggerAttribute)queue.TriggerAttribute!).QueueName);
        Assert.Equal(typeof(string), queue.TriggerParameter!.ParameterType);
    }

    [Fact]
    public void HostJson_QueueSettings_AreRead_AndDefaultAsTheHostDoes()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, """{"extensions": {"queues": {"maxDequeueCount": 2, "batchSize": 64, "visibilityTimeout": "00:00:03", "messageEncoding": "none"}}}""");
            var read = QueueHostSettings.FromHostJson(path);
            File.WriteAllText(path, """{"extensions": {"http": {}}}""");
            var defaults = QueueHostSettings.FromHostJson(path);

            Assert.Equal((2, 32, TimeSpan.FromSeconds(3), QueueMessageEncoding.None), (read.MaxDequeueCount, read.BatchSize, read.VisibilityTimeout, read.MessageEncoding));
            Assert.Equal(QueueHostSettings.Default, defaults);
            Assert.Equal((5, 16, TimeSpan.Zero, QueueMessageEncoding.Base64), (defaults.MaxDequeueCount, defaults.BatchSize, defaults.VisibilityTimeout, defaults.MessageEncoding));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void QueueName_AppSettingReferences_AreResolved_AndAMissingOneIsNamed()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Q"] = "mirror-requests" }).Build();

        var error = Assert.Throws<InvalidOperationException>(() => QueueFunctionListener.ResolveQueueName("%Missing%", configuration));

        Assert.Equal("mirror-requests", QueueFunctionListener.ResolveQueueName("%Q%", configuration));
        Assert.Equal("plain", QueueFunctionListener.ResolveQueueName("plain", configuration));
        Assert.Contains("'Missing'", error.Message);
    }

    [Fact]
    public void Binders_StringBinaryDataBytesAndQueueMessage_GetTheDecodedBody()
    {
        var message = QueuesModelFactory.QueueMessage("id", "pop", BinaryData.FromString("hello"), 1);

        Assert.Equal("hello", QueueFunctionListener.BinderFor(typeof(string))!(message));
        Assert.Equal("hello", QueueFunctionListener.BinderFor(typeof(BinaryData))!(message).ToString());
        Assert.Equal("hello"u8.ToArray(), QueueFunctionListener.BinderFor(typeof(byte[]))!(message));
        Assert.Same(message, QueueFunctionListener.BinderFor(typeof(QueueMessage))!(message));
        Assert.Null(QueueFunctionListener.BinderFor(typeof(int)));
    }
}

/// <summary>A queue-triggered function declared as the app declares one.</summary>
public sealed class SampleQueueFunctions
{
    [Function("SampleQueue")]
    public Task Run([QueueTrigger("%SampleQueueName%", Connection = "AzureWebJobsStorage")] string message, CancellationToken cancellationToken) => Task.CompletedTask;
}
