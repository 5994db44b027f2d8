using System.ComponentModel;
using System.Diagnostics;

namespace Serverless.Core.Training.Runners;

/// <summary>
/// One trial of <see cref="ProcessTrialRunner"/>: queued, running (a child process) or ended (an exit code, or a
/// reason it never ran or was stopped), with the tails of its stdout and stderr. Thread-safe (one lock per trial).
/// </summary>
internal sealed class TrialProcess
{
    private readonly Lock _gate = new();
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _queue = new();
    private Process? _process;
    private int? _exitCode;
    private string? _endReason;
    private string? _cancelReason;
    private long _endedAt;

    public TrialProcess(string executionId, string trialId, ProcessStartInfo startInfo, int tailChars)
    {
        ExecutionId = executionId;
        TrialId = trialId;
        StartInfo = startInfo;
        Stdout = new OutputTail(tailChars);
        Stderr = new OutputTail(tailChars);
    }

    public string ExecutionId { get; }

    public string TrialId { get; }

    public ProcessStartInfo StartInfo { get; }

    public OutputTail Stdout { get; }

    public OutputTail Stderr { get; }

    /// <summary>Completes when the trial has ended, whichever way.</summary>
    public Task Ended => _ended.Task;

    /// <summary>Cancelled when the trial is cancelled while it waits for a slot.</summary>
    public CancellationToken QueueToken => _queue.Token;

    /// <summary>When the trial ended (<see cref="Environment.TickCount64"/>), 0 while it has not.</summary>
    public long EndedAt
    {
        get
        {
            lock (_gate)
            {
                return _endedAt;
            }
        }
    }

    /// <summary>Takes ownership of a started process; false (and the caller kills it) when the trial was cancelled meanwhile.</summary>
    public bool TryAttach(Process process)
    {
        lock (_gate)
        {
            if (_cancelReason is not null || _endedAt != 0)
            {
                return false;
            }

            _process = process;
            return true;
        }
    }

    public bool IsCancelled
    {
        get
        {
            lock (_gate)
            {
                return _cancelReason is not null;
            }
        }
    }

    public void MarkExited(int exitCode)
    {
        lock (_gate)
        {
            _process = null;
            if (_endedAt == 0)
            {
                _exitCode = exitCode;
                End();
            }
        }
    }

    /// <summary>Ends a trial that never got a running process (cancelled in the queue, failed to launch).</summary>
    public void MarkNotRun(string reason)
    {
        lock (_gate)
        {
            if (_endedAt == 0)
            {
                _endReason = reason;
                End();
            }
        }
    }

    /// <summary>Kills the process tree if it runs, or drops the trial from the queue; no-op once ended.</summary>
    public void Cancel(string reason)
    {
        Process? process;
        lock (_gate)
        {
            if (_endedAt != 0)
            {
                return;
            }

            _cancelReason ??= reason;
            process = _process;
            if (process is null)
            {
                _endReason = reason + " before it started";
                End();
            }
        }

        if (process is not null)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (Exception e) when (e is InvalidOperationException or Win32Exception or NotSupportedException)
            {
                // It exited (or was disposed) between the check and the kill: nothing left to stop.
            }
        }
        else
        {
            _queue.Cancel();
        }
    }

    public TrialExecutionStatus Status()
    {
        lock (_gate)
        {
            if (_endedAt == 0)
            {
                return new TrialExecutionStatus(TrialState.Running);
            }

            if (_endReason is not null)
            {
                return new TrialExecutionStatus(TrialState.Failed, $"Trial '{TrialId}' {_endReason}.");
            }

            if (_cancelReason is not null)
            {
                return new TrialExecutionStatus(TrialState.Failed, $"Trial '{TrialId}' {_cancelReason} (process killed, exit code {_exitCode}).");
            }

            return _exitCode == 0
                ? new TrialExecutionStatus(TrialState.Succeeded)
                : new TrialExecutionStatus(TrialState.Failed, FailureMessage(_exitCode ?? -1));
        }
    }

    /// <summary>The trainer's reason when it gave one (<see cref="TrialOutputs.FailureLinePrefix"/>), else the exit code and the tail of its output.</summary>
    private string FailureMessage(int exitCode)
    {
        var stderr = Stderr.ToString().Trim();
        var reason = stderr.Split('\n').Select(l => l.TrimEnd('\r')).LastOrDefault(l => l.StartsWith(TrialOutputs.FailureLinePrefix, StringComparison.Ordinal));
        if (reason is not null && reason.Length > TrialOutputs.FailureLinePrefix.Length)
        {
            return reason[TrialOutputs.FailureLinePrefix.Length..];
        }

        if (stderr.Length > 0)
        {
            return $"exit code {exitCode}: {stderr}";
        }

        var stdout = Stdout.ToString().Trim();
        return stdout.Length > 0 ? $"exit code {exitCode} (stderr empty; stdout: {stdout})" : $"exit code {exitCode} (no output)";
    }

    private void End()
    {
        _endedAt = Math.Max(1, Environment.TickCount64);
        _ended.TrySetResult();
    }
}
