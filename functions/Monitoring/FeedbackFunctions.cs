using Azure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Serverless.Core.Buffers;
using Serverless.Core.Errors;
using Serverless.Core.Monitoring.Feedback;
using Serverless.Core.Monitoring.Logging;
using Serverless.Core.Registry;
using Serverless.Functions.Http;
using Serverless.Functions.OpenApi;

namespace Serverless.Functions.Monitoring;

/// <summary>
/// Ground truth that arrives after the prediction, joined with logged predictions by request id when the monitor runs;
/// the answer says how many items match a logged prediction in the monitoring window (<see cref="FeedbackMatcher"/>).
/// </summary>
public sealed class FeedbackFunctions
{
    private const int MaxBodyBytes = 4 * 1024 * 1024;

    private readonly IModelRegistry _registry;
    private readonly FeedbackStore _feedback;
    private readonly FeedbackMatcher _matcher;
    private readonly InferenceLogWriter _logWriter;
    private readonly TimeProvider _clock;
    private readonly ILogger<FeedbackFunctions> _logger;

    public FeedbackFunctions(IModelRegistry registry, FeedbackStore feedback, FeedbackMatcher matcher, InferenceLogWriter logWriter, TimeProvider clock,
        ILogger<FeedbackFunctions> logger)
    {
        _logWriter = logWriter;
        _registry = registry;
        _feedback = feedback;
        _matcher = matcher;
        _clock = clock;
        _logger = logger;
    }

    [Function("PostFeedback")]
    [ApiOperation("Post ground truth for logged predictions", Request = typeof(IReadOnlyList<FeedbackItem>),
        Description = "1 to 10,000 items; id is the request id a prediction was answered with (its x-request-id), actual the outcome (number, string or boolean, at most 256 characters). " +
            "The answer says how many items match a prediction logged in the monitoring window (Monitoring:WindowHours) by request id and row, and lists the ids that match none.",
        Errors = [ErrorCodes.InvalidInput, ErrorCodes.ModelNotFound, ErrorCodes.PayloadTooLarge])]
    [ApiResponse(StatusCodes.Status202Accepted, typeof(FeedbackAcceptedResponse),
        "Stored for the next monitoring run; matched is null when it could not be known (logging off, more logged requests in the window than Monitoring:FeedbackMatchMaxRequests, storage failing).")]
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
                throw ServingException.ModelNotFound($"Model '{name}' has no versions.");
            }

            await _feedback.SaveAsync(name, records, cancellationToken);
            // A prediction this instance served a moment ago is still in the log writer's hands: write it first.
            await _logWriter.TryFlushAsync(InferenceLogOptions.FlushBeforeReading, cancellationToken);
            var match = await MatchAsync(name, records, cancellationToken);
            return new JsonBodyResult(new FeedbackAcceptedResponse(name, records.Count, match.Matched, match.UnmatchedIds, match.MoreUnmatchedIds),
                StatusCodes.Status202Accepted);
        }, _logger);

    /// <summary>The items that match logged predictions; when the log cannot be read the feedback is stored all the same and the match is unknown.</summary>
    private async Task<FeedbackMatch> MatchAsync(string name, IReadOnlyList<FeedbackRecord> records, CancellationToken cancellationToken)
    {
        try
        {
            return await _matcher.MatchAsync(name, records, cancellationToken);
        }
        catch (Exception e) when (e is RequestFailedException or InvalidDataException)
        {
            _logger.LogWarning(e, "Feedback for {Model}: {Items} item(s) stored, but matching them with the inference log failed.", name, records.Count);
            return FeedbackMatch.Unknown(records.Count);
        }
    }
}
