using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Serverless.Core.Buffers;
using Serverless.Core.Errors;
using Serverless.Core.Monitoring.Feedback;
using Serverless.Core.Registry;
using Serverless.Functions.Http;

namespace Serverless.Functions.Monitoring;

/// <summary>Ground truth that arrives after the prediction, joined with logged predictions by request id when the monitor runs.</summary>
public sealed class FeedbackFunctions
{
    private const int MaxBodyBytes = 4 * 1024 * 1024;

    private readonly IModelRegistry _registry;
    private readonly FeedbackStore _feedback;
    private readonly TimeProvider _clock;
    private readonly ILogger<FeedbackFunctions> _logger;

    public FeedbackFunctions(IModelRegistry registry, FeedbackStore feedback, TimeProvider clock, ILogger<FeedbackFunctions> logger)
    {
        _registry = registry;
        _feedback = feedback;
        _clock = clock;
        _logger = logger;
    }

    [Function("PostFeedback")]
    public Task<IActionResult> Post(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = "models/{name}/feedback")] HttpRequest request, string name) =>
        ApiResults.GuardAsync(async () =>
        {
            ModelIdentifiers.ValidateName(name);
            var cancellationToken = request.HttpContext.RequestAborted;
            using var body = await RequestBody.ReadAsync(request.Body, request.ContentLength, MaxBodyBytes, cancellationToken);
            var records = FeedbackRequestReader.Read(body.Span, _clock.GetUtcNow());
            if ((await _registry.ListVersionsAsync(name, cancellationToken)).Count == 0)
            {
                throw ServingException.NotFound($"Model '{name}' has no versions.");
            }

            await _feedback.SaveAsync(name, records, cancellationToken);
            return new JsonBodyResult(new { model_name = name, accepted = records.Count }, StatusCodes.Status202Accepted);
        }, _logger);
}
