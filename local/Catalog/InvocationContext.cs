namespace Serverless.Local.Catalog;

/// <summary>What one invocation has to bind from: its scope's services, the HTTP context or trigger value, cancellation.</summary>
public sealed record InvocationContext(IServiceProvider Services, HttpContext? Http, object? TriggerValue, CancellationToken Cancellation);
