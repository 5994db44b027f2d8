namespace Serverless.Orchestrations;

/// <summary>
/// Fan-out/fan-in with at most N tasks in flight, for use inside orchestrators: deterministic on replay
/// (tasks start in item order; completions are taken in the order history records them). A task that fails
/// (after its retries) fails the fan-out.
/// </summary>
internal static class BoundedFanOut
{
    public static async Task<TOut[]> RunAsync<TIn, TOut>(IReadOnlyList<TIn> items, int parallelism, Func<TIn, Task<TOut>> start,
        Action<int, TOut>? completed = null)
    {
        var results = new TOut[items.Count];
        var running = new List<(Task<TOut> Task, int Index)>(parallelism);
        var next = 0;
        var done = 0;
        while (done < items.Count)
        {
            while (running.Count < Math.Max(1, parallelism) && next < items.Count)
            {
                running.Add((start(items[next]), next));
                next++;
            }

            var finished = await Task.WhenAny(running.Select(r => r.Task));
            var position = running.FindIndex(r => r.Task == finished);
            var index = running[position].Index;
            running.RemoveAt(position);
            results[index] = await finished;
            done++;
            completed?.Invoke(done, results[index]);
        }

        return results;
    }
}
