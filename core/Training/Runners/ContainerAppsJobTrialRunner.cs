using System.Net;
using System.Text.Json.Nodes;
using Azure.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Serverless.Core.Training.Runners;

/// <summary>
/// Runs each trial as an execution of a manual-trigger Azure Container Apps job, through the ARM REST API
/// (<c>Microsoft.App</c>, <see cref="ContainerAppsJobOptions.ApiVersion"/>):
/// <list type="bullet">
/// <item><description>Start: reads the job (<c>GET .../jobs/{job}</c>) and posts <c>.../jobs/{job}/start</c> with a job
/// execution template made from the job's own containers, the trainer container's environment gaining
/// <c>TRIAL_SPEC_URI</c> and <c>TRIAL_ID</c> (and its image replaced by <see cref="ContainerAppsJobOptions.Image"/> when
/// set). ARM replaces the job's whole template with an execution template, so the template carries everything the
/// job defines (image, command, args, env, resources), not only the two variables. The execution id is the execution's name.</description></item>
/// <item><description>Status: <c>GET .../jobs/{job}/executions/{name}</c>; <c>properties.status</c> Running, Processing
/// and unknown values are running, Succeeded succeeded, Failed, Stopped and Degraded failed; a 404 is a failed trial.</description></item>
/// <item><description>Cancel: <c>POST .../jobs/{job}/executions/{name}/stop</c>; an execution that is gone or already
/// ended is no error.</description></item>
/// </list>
/// Requests go through <see cref="ArmJobClient"/> (bearer token from the <see cref="TokenCredential"/>, retries of
/// 408, 429, 5xx and transport errors, ARM's errors explained). Does not own the HttpClient. Thread-safe.
/// </summary>
public sealed class ContainerAppsJobTrialRunner : ITrialRunner
{
    internal const string SpecUriVariable = "TRIAL_SPEC_URI";
    internal const string TrialIdVariable = "TRIAL_ID";

    private readonly ContainerAppsJobOptions _options;
    private readonly string _kind;
    private readonly ILogger<ContainerAppsJobTrialRunner> _logger;
    private readonly ArmJobClient _arm;
    private readonly string _jobUrl;

    /// <summary>A runner of the built-in trainer's job (<c>Training:ContainerApps</c>).</summary>
    public ContainerAppsJobTrialRunner(
        HttpClient http,
        TokenCredential credential,
        IOptions<TrainingOptions> options,
        ILogger<ContainerAppsJobTrialRunner> logger,
        TimeProvider? clock = null)
        : this(http, credential, options.Value.ContainerApps, TrainingOptions.ContainerAppsRunner, logger, clock)
    {
    }

    /// <summary>A runner of <paramref name="jobs"/>' job whose executions report <paramref name="kind"/> (the torch trainer's job: <see cref="TorchTrainerOptions.JobOptions"/>).</summary>
    public ContainerAppsJobTrialRunner(
        HttpClient http,
        TokenCredential credential,
        ContainerAppsJobOptions jobs,
        string kind,
        ILogger<ContainerAppsJobTrialRunner> logger,
        TimeProvider? clock = null)
    {
        _options = jobs;
        _kind = kind;
        _logger = logger;
        var endpoint = _options.ManagementEndpoint.TrimEnd('/');
        var jobId = $"/subscriptions/{Escape(_options.SubscriptionId)}/resourceGroups/{Escape(_options.ResourceGroup)}" +
                    $"/providers/Microsoft.App/jobs/{Escape(_options.JobName)}";
        _jobUrl = endpoint + jobId;
        _arm = new ArmJobClient(http, credential, endpoint + "/.default", _options.JobName ?? "", jobId, logger, clock ?? TimeProvider.System);
    }

    public string Kind => _kind;

    /// <summary>Waits between attempts; tests replace it to skip the waits.</summary>
    internal Func<TimeSpan, CancellationToken, Task> Delay
    {
        get => _arm.Delay;
        set => _arm.Delay = value;
    }

    public async Task<TrialExecution> StartAsync(TrialSpec spec, string specUri, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentException.ThrowIfNullOrWhiteSpace(specUri);

        JsonNode? job;
        using (var response = await _arm.SendAsync(HttpMethod.Get, Url(string.Empty), null, "read", cancellationToken).ConfigureAwait(false))
        {
            job = await ArmJobClient.ReadJsonAsync(response, cancellationToken).ConfigureAwait(false);
        }

        var template = ExecutionTemplate(job?["properties"]?["template"], spec.TrialId, specUri);
        using (var response = await _arm.SendAsync(HttpMethod.Post, Url("/start"), template, "start an execution of", cancellationToken).ConfigureAwait(false))
        {
            var execution = await ArmJobClient.ReadJsonAsync(response, cancellationToken).ConfigureAwait(false);
            var name = ArmJobClient.Text(execution?["name"]) ?? ArmJobClient.Text(execution?["id"])?.Split('/', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
            if (string.IsNullOrEmpty(name))
            {
                throw new InvalidOperationException(
                    $"ARM accepted the start of job '{_options.JobName}' ({(int)response.StatusCode}) but named no execution in its response.");
            }

            _logger.LogInformation("Trial {TrialId} started as execution {Execution} of Container Apps job {Job}.", spec.TrialId, name, _options.JobName);
            return new TrialExecution(Kind, name, spec.TrialId);
        }
    }

    public async Task<TrialExecutionStatus> GetStatusAsync(TrialExecution execution, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(execution);
        using var response = await _arm.SendAsync(HttpMethod.Get, Url(ExecutionPath(execution)), null, "read an execution of", cancellationToken, HttpStatusCode.NotFound)
            .ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            var (code, _) = await ArmJobClient.ReadErrorAsync(response, cancellationToken).ConfigureAwait(false);
            return new TrialExecutionStatus(TrialState.Failed,
                $"Trial '{execution.TrialId}': execution '{execution.ExecutionId}' of Container Apps job '{_options.JobName}' not found (404{(code is null ? "" : " " + code)}).");
        }

        var json = await ArmJobClient.ReadJsonAsync(response, cancellationToken).ConfigureAwait(false);
        var status = ArmJobClient.Text(json?["properties"]?["status"]);
        return status switch
        {
            "Succeeded" => new TrialExecutionStatus(TrialState.Succeeded),
            "Failed" or "Stopped" or "Degraded" => new TrialExecutionStatus(TrialState.Failed,
                $"Trial '{execution.TrialId}': execution '{execution.ExecutionId}' of Container Apps job '{_options.JobName}' ended with status {status}" +
                "; the trainer's output is in the execution's console logs (the environment's Log Analytics workspace)."),
            _ => new TrialExecutionStatus(TrialState.Running), // Running, Processing, Unknown, or a status newer than this code.
        };
    }

    public async Task CancelAsync(TrialExecution execution, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(execution);
        using var response = await _arm.SendAsync(HttpMethod.Post, Url(ExecutionPath(execution) + "/stop"), null, "stop an execution of", cancellationToken,
            HttpStatusCode.NotFound, HttpStatusCode.BadRequest, HttpStatusCode.Conflict).ConfigureAwait(false);
        if (response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.NotFound)
        {
            _logger.LogInformation("Stopped execution {Execution} of Container Apps job {Job} ({Status}).", execution.ExecutionId, _options.JobName, (int)response.StatusCode);
            return;
        }

        // ARM refuses to stop an execution that already ended; that is not an error for a cancel.
        var status = await GetStatusAsync(execution, cancellationToken).ConfigureAwait(false);
        if (status.State != TrialState.Running)
        {
            return;
        }

        throw await _arm.ErrorAsync(response, "stop an execution of", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The start body (a JobExecutionTemplate): the job's containers, the trainer's with the trial's variables.</summary>
    internal JsonObject ExecutionTemplate(JsonNode? jobTemplate, string trialId, string specUri)
    {
        var jobContainers = (jobTemplate?["containers"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
        var trainer = jobContainers.FirstOrDefault(c => ArmJobClient.Text(c["name"]) == _options.ContainerName);
        if (trainer is null && jobContainers.Count == 1)
        {
            trainer = jobContainers[0];
            _logger.LogWarning("Container Apps job {Job} has no container named {Container}; its only container {Actual} runs the trial.",
                _options.JobName, _options.ContainerName, ArmJobClient.Text(trainer["name"]));
        }
        else if (trainer is null && jobContainers.Count > 1)
        {
            throw new InvalidOperationException(
                $"Container Apps job '{_options.JobName}' has no container named '{_options.ContainerName}' (it has: " +
                $"{string.Join(", ", jobContainers.Select(c => ArmJobClient.Text(c["name"])))}); set {TrainingOptions.SectionName}:ContainerApps:ContainerName.");
        }

        var trialVariables = new JsonArray
        {
            new JsonObject { ["name"] = SpecUriVariable, ["value"] = specUri },
            new JsonObject { ["name"] = TrialIdVariable, ["value"] = trialId },
        };

        var containers = new JsonArray();
        if (trainer is null)
        {
            // The job showed no template: send the trainer container alone, named as configured.
            var container = new JsonObject { ["name"] = _options.ContainerName };
            if (!string.IsNullOrWhiteSpace(_options.Image))
            {
                container["image"] = _options.Image;
            }

            container["env"] = trialVariables;
            containers.Add(container);
        }
        else
        {
            foreach (var container in jobContainers)
            {
                containers.Add(container == trainer ? ExecutionContainer(container, _options.Image, trialVariables) : ExecutionContainer(container, null, null));
            }
        }

        var template = new JsonObject { ["containers"] = containers };
        if (jobTemplate?["initContainers"] is JsonArray { Count: > 0 } initContainers)
        {
            template["initContainers"] = new JsonArray(initContainers.OfType<JsonObject>().Select(c => (JsonNode)ExecutionContainer(c, null, null)).ToArray());
        }

        return template;
    }

    /// <summary>A job container as a JobExecutionContainer (name, image, command, args, env, cpu and memory), with overrides.</summary>
    private static JsonObject ExecutionContainer(JsonObject container, string? image, JsonArray? extraEnv)
    {
        var result = new JsonObject { ["name"] = container["name"]?.DeepClone() };
        var effectiveImage = string.IsNullOrWhiteSpace(image) ? container["image"]?.DeepClone() : image;
        if (effectiveImage is not null)
        {
            result["image"] = effectiveImage;
        }

        foreach (var property in (string[])["command", "args"])
        {
            if (container[property] is JsonArray values)
            {
                result[property] = values.DeepClone();
            }
        }

        var env = new JsonArray();
        var replaced = extraEnv?.Select(e => ArmJobClient.Text(e?["name"])).ToHashSet(StringComparer.Ordinal) ?? [];
        foreach (var variable in (container["env"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            if (!replaced.Contains(ArmJobClient.Text(variable["name"]) ?? string.Empty))
            {
                var copy = new JsonObject { ["name"] = variable["name"]?.DeepClone() };
                if (variable["secretRef"] is { } secretRef)
                {
                    copy["secretRef"] = secretRef.DeepClone();
                }
                else
                {
                    copy["value"] = variable["value"]?.DeepClone();
                }

                env.Add(copy);
            }
        }

        foreach (var variable in extraEnv ?? [])
        {
            env.Add(variable!.DeepClone());
        }

        if (env.Count > 0)
        {
            result["env"] = env;
        }

        if (container["resources"] is JsonObject resources)
        {
            // cpu and memory only: ephemeralStorage is read-only in ARM's schema.
            var copy = new JsonObject();
            foreach (var property in (string[])["cpu", "memory"])
            {
                if (resources[property] is { } value)
                {
                    copy[property] = value.DeepClone();
                }
            }

            result["resources"] = copy;
        }

        return result;
    }

    private string Url(string path) => $"{_jobUrl}{path}?api-version={Uri.EscapeDataString(_options.ApiVersion)}";

    private static string ExecutionPath(TrialExecution execution) => "/executions/" + Escape(execution.ExecutionId);

    private static string Escape(string? segment) => Uri.EscapeDataString(segment ?? string.Empty);
}
