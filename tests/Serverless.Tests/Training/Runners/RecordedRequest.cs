namespace Serverless.Tests.Training.Runners;

/// <summary>One request the fake ARM received.</summary>
internal sealed record RecordedRequest(HttpMethod Method, string Url, string? Authorization, string? Body);
