using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serverless.Core.Storage;

namespace Serverless.Core.Training.Runners;

/// <summary>
/// Runs each trial as a child process of this host: <c>{DotnetPath} {TrainerPath} --spec {specUri}</c> for a
/// <c>.dll</c> trainer, <c>{PythonPath} {TrainerPath} --spec {specUri}</c> for a <c>.py</c> trainer (the torch trainer),
/// else <c>{TrainerPath} --spec {specUri}</c>; which trainer and its settings are a <see cref="ProcessTrainer"/>. The child inherits the host's environment plus
/// <c>AzureWebJobsStorage</c> (connection string or the identity-based <c>AzureWebJobsStorage__*</c> settings, from
/// configuration), <c>TRIAL_ID</c> and <c>TRIAL_SPEC_URI</c>; the last ~4 KB of its stdout and stderr are kept for
/// the failure message.
/// <para>
/// At most <see cref="ProcessRunnerOptions.MaxConcurrentTrials"/> processes run at once. A start beyond that still
/// returns at once: the trial waits in a queue, reported as <see cref="TrialState.Running"/>, and its process starts
/// when a slot frees (a trial that then fails to launch reports <see cref="TrialState.Failed"/>). A start with a free
/// slot launches synchronously and throws when the trainer cannot be launched.
/// </para>
/// <para>
/// Trials live in this process's memory only: after a host restart, or on another scaled-out instance, an execution
/// id is unknown and reports <see cref="TrialState.Failed"/> ("the process is gone"). Ended trials are forgotten an hour
/// after they end. Disposing kills every running trial. Thread-safe. The bounded waits (for a killed process to exit,
/// for the last output after an exit) run on the given <see cref="TimeProvider"/>.
/// </para>
/// </summary>
public sealed class ProcessTrialRunner : ITrialRunner, IDisposable
{
    /// <summary>Characters kept from the end of each of stdout and stderr.</summary>
    internal const int TailChars = 4096;

    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan CancelWait = TimeSpan.FromSeconds(10);
    private static readonly long RetainEndedMilliseconds = (long)TimeSpan.FromHours(1).TotalMilliseconds;

    private readonly ProcessTrainer _trainer;
    private readonly IConfiguration _configuration;
    private readonly ILogger<ProcessTrialRunner> _logger;
    private readonly TimeProvider _clock;
    private readonly ConcurrentDictionary<string, TrialProcess> _trials = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _slots;
    private int _disposed;

    /// <summary>A runner of the built-in trainer (<c>Training:Process</c>).</summary>
    public ProcessTrialRunner(IOptions<TrainingOptions> options, IConfiguration configuration, ILogger<ProcessTrialRunner> logger, TimeProvider clock)
        : this(ProcessTrainer.BuiltIn(options.Value), configuration, logger, clock)
    {
    }

    public ProcessTrialRunner(ProcessTrainer trainer, IConfiguration configuration, ILogger<ProcessTrialRunner> logger, TimeProvider clock)
    {
        _trainer = trainer;
        _configuration = configuration;
        _logger = logger;
        _clock = clock;
        _slots = new SemaphoreSlim(Math.Max(1, trainer.MaxConcurrentTrials));
    }

    public string Kind => _trainer.Kind;

    public Task<TrialExecution> StartAsync(TrialSpec spec, string specUri, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentException.ThrowIfNullOrWhiteSpace(specUri);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        cancellationToken.ThrowIfCancellationRequested();
        ForgetOldTrials();

        var executionId = Guid.NewGuid().ToString();
        var trial = new TrialProcess(executionId, spec.TrialId, CreateStartInfo(spec.TrialId, specUri), TailChars);
        _trials[executionId] = trial;
        if (_slots.Wait(0))
        {
            try
            {
                Launch(trial);
            }
            catch
            {
                _trials.TryRemove(executionId, out _);
                throw;
            }
        }
        else
        {
            _logger.LogInformation("Trial {TrialId} queued as {ExecutionId}: {Max} trial processes are running.", spec.TrialId, executionId, _trainer.MaxConcurrentTrials);
            _ = RunWhenSlotFreesAsync(trial);
        }

        return Task.FromResult(new TrialExecution(Kind, executionId, spec.TrialId));
    }

    public Task<TrialExecutionStatus> GetStatusAsync(TrialExecution execution, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(execution);
        return Task.FromResult(_trials.TryGetValue(execution.ExecutionId, out var trial)
            ? trial.Status()
            : new TrialExecutionStatus(TrialState.Failed,
                $"The process of trial '{execution.TrialId}' is gone: this host knows no process execution '{execution.ExecutionId}' " +
                "(the host restarted, or the trial was started on another instance)."));
    }

    public async Task CancelAsync(TrialExecution execution, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(execution);
        if (!_trials.TryGetValue(execution.ExecutionId, out var trial))
        {
            return;
        }

        trial.Cancel("was cancelled");
        try
        {
            // Wait (bounded) for the exit so that a status read right after the cancel reports the trial as ended.
            await trial.Ended.WaitAsync(CancelWait, _clock, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _logger.LogWarning("Trial {TrialId} ({ExecutionId}) did not exit within {Wait} of being killed.", trial.TrialId, trial.ExecutionId, CancelWait);
        }
    }

    /// <summary>Kills every running trial's process tree and drops the queued ones.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        foreach (var trial in _trials.Values)
        {
            trial.Cancel("was stopped because the host shut down");
        }
    }

    private ProcessStartInfo CreateStartInfo(string trialId, string specUri)
    {
        var trainer = ResolveTrainerPath();
        var startInfo = new ProcessStartInfo
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            CreateNoWindow = true,
        };
        if (trainer.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
        {
            startInfo.FileName = _trainer.DotnetPath;
            startInfo.ArgumentList.Add(trainer);
        }
        else if (trainer.EndsWith(".py", StringComparison.OrdinalIgnoreCase))
        {
            startInfo.FileName = _trainer.PythonPath;
            startInfo.ArgumentList.Add(trainer);
        }
        else
        {
            startInfo.FileName = trainer;
        }

        startInfo.ArgumentList.Add("--spec");
        startInfo.ArgumentList.Add(specUri);

        var environment = startInfo.Environment;
        var connectionString = _configuration[StorageAccount.SettingName];
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            environment[StorageAccount.SettingName] = connectionString;
        }

        foreach (var (key, value) in _configuration.GetSection(StorageAccount.SettingName).AsEnumerable(makePathsRelative: true))
        {
            if (value is not null)
            {
                environment[StorageAccount.SettingName + "__" + key.Replace(":", "__", StringComparison.Ordinal)] = value;
            }
        }

        environment["TRIAL_ID"] = trialId;
        environment["TRIAL_SPEC_URI"] = specUri;
        return startInfo;
    }

    private string ResolveTrainerPath()
    {
        var configured = _trainer.TrainerPath;
        if (string.IsNullOrWhiteSpace(configured))
        {
            throw new InvalidOperationException($"{_trainer.Section}:TrainerPath is not set: the process runner has no {_trainer.Description} to run.");
        }

        if (Path.IsPathRooted(configured))
        {
            return File.Exists(configured)
                ? configured
                : throw new InvalidOperationException($"{_trainer.Section}:TrainerPath '{configured}' does not exist.");
        }

        var besideApp = Path.Combine(AppContext.BaseDirectory, configured);
        return File.Exists(besideApp) ? besideApp : configured;
    }

    /// <summary>Starts the trial's process in a slot the caller holds; the slot is released when the process ends.</summary>
    private void Launch(TrialProcess trial)
    {
        Process process;
        try
        {
            process = new Process { StartInfo = trial.StartInfo };
            process.Start();
        }
        catch (Exception e) when (e is Win32Exception or InvalidOperationException or PlatformNotSupportedException)
        {
            _slots.Release();
            throw new InvalidOperationException(
                $"Could not launch the trainer '{trial.StartInfo.FileName}' for trial '{trial.TrialId}' ({_trainer.LaunchHint}): {e.Message}", e);
        }

        var pumps = Task.WhenAll(trial.Stdout.PumpAsync(process.StandardOutput), trial.Stderr.PumpAsync(process.StandardError));
        try
        {
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The process already exited.
        }

        if (!trial.TryAttach(process))
        {
            KillQuietly(process);
        }

        _logger.LogInformation("Trial {TrialId} started as process {Pid} ({ExecutionId}).", trial.TrialId, process.Id, trial.ExecutionId);
        _ = MonitorAsync(trial, process, pumps);
    }

    private async Task MonitorAsync(TrialProcess trial, Process process, Task pumps)
    {
        var exitCode = -1;
        try
        {
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            // Let the pumps read what the process wrote last; a grandchild holding the pipes open must not hold the trial.
            await pumps.WaitAsync(DrainTimeout, _clock).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Watching trial {TrialId} ({ExecutionId}) failed.", trial.TrialId, trial.ExecutionId);
        }
        finally
        {
            try
            {
                exitCode = process.ExitCode;
            }
            catch (InvalidOperationException)
            {
            }

            trial.MarkExited(exitCode);
            _slots.Release();
            process.Dispose();
        }

        _logger.LogInformation("Trial {TrialId} ({ExecutionId}) exited with code {ExitCode}.", trial.TrialId, trial.ExecutionId, exitCode);
    }

    private async Task RunWhenSlotFreesAsync(TrialProcess trial)
    {
        try
        {
            await _slots.WaitAsync(trial.QueueToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return; // Cancelled (or the host shut down) while queued: Cancel already ended the trial.
        }

        if (trial.IsCancelled || Volatile.Read(ref _disposed) != 0)
        {
            trial.MarkNotRun("was cancelled before it started");
            _slots.Release();
            return;
        }

        try
        {
            Launch(trial);
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Trial {TrialId} ({ExecutionId}) could not be launched.", trial.TrialId, trial.ExecutionId);
            trial.MarkNotRun("could not be launched: " + e.Message);
        }
    }

    private void ForgetOldTrials()
    {
        var now = Environment.TickCount64;
        foreach (var (id, trial) in _trials)
        {
            var endedAt = trial.EndedAt;
            if (endedAt != 0 && now - endedAt > RetainEndedMilliseconds)
            {
                _trials.TryRemove(id, out _);
            }
        }
    }

    private static void KillQuietly(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or Win32Exception or NotSupportedException)
        {
        }
    }
}
