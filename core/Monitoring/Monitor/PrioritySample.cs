namespace Serverless.Core.Monitoring.Monitor;

/// <summary>
/// A bounded uniform sample ("bottom-k"): of everything offered, keeps the <see cref="Capacity"/> items of lowest
/// priority, where priorities are independent uniform 64-bit values (<see cref="RowSampler"/>). Until more than
/// Capacity items are offered it holds them all, in the order offered; after that a max-heap on priority, so each
/// offer costs O(1) when refused and O(log k) when kept. Memory: at most Capacity items and priorities, however
/// many are offered; storage grows by doubling, so a small window costs little. Not thread-safe.
/// </summary>
public sealed class PrioritySample<T>
{
    private Entry[] _entries = [];
    private int _count;
    private bool _heap;

    public PrioritySample(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
    }

    public int Capacity { get; }

    /// <summary>Items held (at most <see cref="Capacity"/>).</summary>
    public int Count => _count;

    /// <summary>Items offered in all.</summary>
    public long Offered { get; private set; }

    /// <summary>True when some offered items were left out (the held items are a sample).</summary>
    public bool IsSample => Offered > _count;

    public void Add(ulong priority, T item)
    {
        Offered++;
        if (_count < Capacity)
        {
            if (_count == _entries.Length)
            {
                Array.Resize(ref _entries, (int)Math.Min(Capacity, Math.Max(64L, 2L * _entries.Length)));
            }

            _entries[_count++] = new Entry(priority, item);
            return;
        }

        if (!_heap)
        {
            for (var i = (_count / 2) - 1; i >= 0; i--)
            {
                SiftDown(i, _entries[i]);
            }

            _heap = true;
        }

        if (priority < _entries[0].Priority)
        {
            SiftDown(0, new Entry(priority, item));
        }
    }

    /// <summary>The held items: in the order offered while nothing was left out, else by ascending priority (so the order too is independent of the order offered).</summary>
    public T[] ToArray()
    {
        var entries = _entries.AsSpan(0, _count).ToArray();
        if (IsSample)
        {
            Array.Sort(entries, static (a, b) => a.Priority.CompareTo(b.Priority));
        }

        var items = new T[entries.Length];
        for (var i = 0; i < items.Length; i++)
        {
            items[i] = entries[i].Item;
        }

        return items;
    }

    /// <summary>Places <paramref name="entry"/> at <paramref name="i"/> or below, moving larger children up into the hole (a max-heap on priority).</summary>
    private void SiftDown(int i, Entry entry)
    {
        var entries = _entries;
        var count = _count;
        while (true)
        {
            var child = (2 * i) + 1;
            if (child >= count)
            {
                break;
            }

            if (child + 1 < count && entries[child + 1].Priority > entries[child].Priority)
            {
                child++;
            }

            if (entries[child].Priority <= entry.Priority)
            {
                break;
            }

            entries[i] = entries[child];
            i = child;
        }

        entries[i] = entry;
    }

    private readonly record struct Entry(ulong Priority, T Item);
}
