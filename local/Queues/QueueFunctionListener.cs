using System.Text.RegularExpressions;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;
using Serverless.Core.Storage;
using Serverless.Local.Catalog;

namespace Serverless.Local.Queues;

/// <summary>
/// Runs queue-triggered functions as the Functions host's Storage Queues extension does, on the app's storage (Azurite locally):
/// one loop per function polls its queue (the trigger's name, "%Setting%" read from app settings, created when missing), backing
/// off from 100 ms to <see cref="QueueHostSettings.MaxPollingInterval"/> while it is empty; takes up to
/// <see cref="QueueHostSettings.BatchSize"/> messages at a time and runs them at once, each in its own DI scope, bound as the
/// function declares it (string, BinaryData, byte[] or QueueMessage). A message is deleted when its function succeeds; when it
/// throws, the message is visible again after <see cref="QueueHostSettings.VisibilityTimeout"/>, and once it has been tried
/// <see cref="QueueHostSettings.MaxDequeueCount"/> times it moves to <c>{queue}-poison</c>. Only the <c>AzureWebJobsStorage</c>
/// connection is supported. On shutdown, messages being run are released for the next start.
/// </summary>
internal sealed partial class QueueFunctionListener : BackgroundService
{
    /// <summary>How long a received message stays invisible while its function runs (the host renews its lease; this runner does not).</summary>
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(10);

    private readonly FunctionCatalog _catalog;
    private readonly IServiceScopeFactory _scopes;
    private readonly IConfiguration _configuration;
    private readonly StorageAccount _account;
    private readonly QueueHostSettings _settings;
    private readonly ILogger<QueueFunctionListener> _logger;

    public QueueFunctionListener(FunctionCatalog catalog, IServiceScopeFactory scopes, IConfiguration configuration, StorageAccount account,
        QueueHostSettings settings, ILogger<QueueFunctionListener> logger)
    {
        _catalog = catalog;
        _scopes = scopes;
        _configuration = configuration;
        _account = account;
        _settings = settings;
        _logger = logger;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var listeners = _catalog.OfKind(TriggerKind.Queue).Select(Prepare).ToList();
        return Task.WhenAll(listeners.Select(l => Task.Run(() => ListenAsync(l, stoppingToken), CancellationToken.None)));
    }

    /// <summary>The queue name with every "%Setting%" replaced by the app setting; InvalidOperationException naming a setting that is not set.</summary>
    public static string ResolveQueueName(string declared, IConfiguration configuration) =>
        SettingReference().Replace(declared, m => configuration[m.Groups[1].Value] is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"Queue trigger refers to app setting '{m.Groups[1].Value}', which is not set."));

    /// <summary>How a message is handed to a trigger parameter of <paramref name="type"/>; null for a type the runner cannot bind.</summary>
    public static Func<QueueMessage, object>? BinderFor(Type type) =>
        type == typeof(string) ? m => m.Body.ToString()
        : type == typeof(BinaryData) ? m => m.Body
        : type == typeof(byte[]) ? m => m.Body.ToArray()
        : type == typeof(QueueMessage) ? m => m
        : null;

    private Listener Prepare(FunctionDescriptor function)
    {
        var trigger = (QueueTriggerAttribute)function.TriggerAttribute!;
        if (trigger.Connection is { Length: > 0 } connection && connection != StorageAccount.SettingName)
        {
            throw new InvalidOperationException(
                $"Function '{function.Name}': the local runner's queue triggers use the '{StorageAccount.SettingName}' connection only (was '{connection}').");
        }

        var type = function.TriggerParameter!.ParameterType;
        var bind = BinderFor(type) ?? throw new InvalidOperationException(
            $"Function '{function.Name}': the local runner binds queue messages as string, BinaryData, byte[] or QueueMessage (was {type.Name}).");
        var name = ResolveQueueName(trigger.QueueName, _configuration);
        var service = _account.CreateQueueServiceClient(new QueueClientOptions { MessageEncoding = _settings.MessageEncoding });
        return new Listener(FunctionInvoker.Create(function), service.GetQueueClient(name), service.GetQueueClient(name + "-poison"), bind);
    }

    private async Task ListenAsync(Listener listener, CancellationToken stoppingToken)
    {
        var delay = QueueHostSettings.MinPollingInterval;
        var created = false;
        var failing = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            QueueMessage[] messages;
            try
            {
                if (!created)
                {
                    await listener.Queue.CreateIfNotExistsAsync(cancellationToken: stoppingToken).ConfigureAwait(false);
                    created = true;
                }

                messages = (await listener.Queue.ReceiveMessagesAsync(_settings.BatchSize, Lease, stoppingToken).ConfigureAwait(false)).Value;
                failing = false;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                if (!failing)
                {
                    _logger.LogWarning("Queue '{Queue}' of '{Function}' cannot be read; retrying: {Reason}", listener.Queue.Name, listener.Invoker.Function.Name, e.Message);
                }

                failing = true;
                messages = [];
                delay = _settings.MaxPollingInterval;
            }

            if (messages.Length > 0)
            {
                delay = QueueHostSettings.MinPollingInterval;
                await Task.WhenAll(messages.Select(m => RunAsync(listener, m, stoppingToken))).ConfigureAwait(false);
                continue;
            }

            try
            {
                await Task.Delay(delay, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _settings.MaxPollingInterval.Ticks));
        }
    }

    private async Task RunAsync(Listener listener, QueueMessage message, CancellationToken stoppingToken)
    {
        var function = listener.Invoker.Function.Name;
        try
        {
            await using (var scope = _scopes.CreateAsyncScope())
            {
                await listener.Invoker.InvokeAsync(new InvocationContext(scope.ServiceProvider, null, listener.Bind(message), stoppingToken)).ConfigureAwait(false);
            }

            await listener.Queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, CancellationToken.None).ConfigureAwait(false);
            _logger.LogDebug("Executed '{Function}' (Succeeded, Id={MessageId})", function, message.MessageId);
        }
        catch (Exception) when (stoppingToken.IsCancellationRequested)
        {
            await TryAsync(() => listener.Queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: TimeSpan.Zero), function).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Executed '{Function}' (Failed, Id={MessageId}, dequeue count {DequeueCount})", function, message.MessageId, message.DequeueCount);
            if (message.DequeueCount >= _settings.MaxDequeueCount)
            {
                await TryAsync(async () =>
                {
                    await listener.Poison.CreateIfNotExistsAsync().ConfigureAwait(false);
                    await listener.Poison.SendMessageAsync(message.Body).ConfigureAwait(false);
                    await listener.Queue.DeleteMessageAsync(message.MessageId, message.PopReceipt).ConfigureAwait(false);
                    _logger.LogWarning("Message {MessageId} failed {Count} times; moved to queue '{Poison}'", message.MessageId, message.DequeueCount, listener.Poison.Name);
                }, function).ConfigureAwait(false);
            }
            else
            {
                await TryAsync(() => listener.Queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: _settings.VisibilityTimeout), function)
                    .ConfigureAwait(false);
            }
        }
    }

    /// <summary>A queue operation after an invocation; when it fails the message reappears after its lease, as in Azure.</summary>
    private async Task TryAsync(Func<Task> operation, string function)
    {
        try
        {
            await operation().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _logger.LogWarning("Settling a message of '{Function}' failed; it reappears after its lease: {Reason}", function, e.Message);
        }
    }

    [GeneratedRegex("%([^%]+)%")]
    private static partial Regex SettingReference();

    private sealed record Listener(FunctionInvoker Invoker, QueueClient Queue, QueueClient Poison, Func<QueueMessage, object> Bind);
}
