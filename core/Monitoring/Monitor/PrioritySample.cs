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
    private T[] _items = [];
    private ulong[] _priorities = [];
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
            if (_count == _items.Length)
            {
                var size = (int)Math.Min(Capacity, Math.Max(64L, 2L * _items.Length));
                Array.Resize(ref _items, size);
                Array.Resize(ref _priorities, size);
            }

            _items[_count] = item;
            _priorities[_count++] = priority;
            return;
        }

        if (!_heap)
        {
            for (var i = (_count / 2) - 1; i >= 0; i--)
            {
                SiftDown(i);
            }

            _heap = true;
        }

        if (priority >= _priorities[0])
        {
            return;
        }

        _items[0] = item;
        _priorities[0] = priority;
        SiftDown(0);
    }

    /// <summary>The held items: in the order offered while nothing was left out, else by ascending priority (so the order too is independent of the order offered).</summary>
    public T[] ToArray()
    {
        var items = _items.AsSpan(0, _count).ToArray();
        if (IsSample)
        {
            var priorities = _priorities.AsSpan(0, _count).ToArray();
            Array.Sort(priorities, items);
        }

        return items;
    }

    private void SiftDown(int i)
    {
        while (true)
        {
            var largest = i;
            var left = (2 * i) + 1;
            var right = left + 1;
            if (left < _count && _priorities[left] > _priorities[largest])
            {
                largest = left;
            }

            if (right < _count && _priorities[right] > _priorities[largest])
            {
                largest = right;
            }

            if (largest == i)
            {
                return;
            }

            (_priorities[i], _priorities[largest]) = (_priorities[largest], _priorities[i]);
            (_items[i], _items[largest]) = (_items[largest], _items[i]);
            i = largest;
        }
    }
}
