using Serverless.Core.Monitoring.Logging.Blocks;

namespace Serverless.Core.Monitoring.Logging;

/// <summary>
/// Packs the host's own warm-up captures into a private, throwaway set of blocks (<see cref="InferenceLogBlocks"/>: record
/// JSON, columns, table and partition keys, the block's entity) and discards them, so the writer's packing code is
/// compiled before the first real record reaches it; on two cores that compilation otherwise ran beside the first real
/// requests. Writes and counts nothing; packs at most <see cref="MaxCaptures"/> captures per process, then does nothing.
/// Thread-safe.
/// </summary>
internal sealed class InferenceLogRehearsal(InferenceLogOptions options)
{
    /// <summary>Warm-up captures packed per process at most (a warm-up sends a few per route and model).</summary>
    public const int MaxCaptures = 256;

    private readonly Lock _lock = new();
    private InferenceLogBlocks? _blocks;
    private int _packed;

    /// <summary>Packs and discards the capture's records; false once <see cref="MaxCaptures"/> were packed.</summary>
    public bool Pack(InferenceLogCapture capture)
    {
        if (Interlocked.Increment(ref _packed) > MaxCaptures)
        {
            return false;
        }

        lock (_lock)
        {
            _blocks ??= new InferenceLogBlocks(options.TablePrefix, options.Shards);
            _blocks.Add(capture);
            _blocks.TakeAll();
        }

        return true;
    }
}
