namespace Serverless.Local.Catalog;

/// <summary>
/// What one invocation has to bind from: its scope's services, the HTTP context or trigger value, cancellation. A value
/// type, so an invocation allocates nothing for it.
/// </summary>
public readonly record struct InvocationContext(IServiceProvider Services, HttpContext? Http, object? TriggerValue, CancellationToken Cancellation);
