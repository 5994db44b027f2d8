namespace Serverless.Core.Models;

/// <summary>
/// How many input elements a synthetic warm-up request holds: the product of each input's dimensions with every
/// free (-1) dimension counted as 1, summed over inputs. Saturates at <see cref="long.MaxValue"/>. Pure.
/// </summary>
public static class WarmupElements
{
    public static long Of(IEnumerable<TensorSpec> inputs) => Of(inputs.Select(i => (IReadOnlyList<long>)i.Shape));

    /// <summary>The sum over several inputs' shapes.</summary>
    public static long Of(IEnumerable<IReadOnlyList<long>> shapes) => shapes.Aggregate(0L, (sum, shape) => Add(sum, Of(shape)));

    public static long Of(IReadOnlyList<long> shape)
    {
        var count = 1L;
        foreach (var dim in shape)
        {
            var size = dim < 0 ? 1 : dim;
            if (size == 0)
            {
                return 0;
            }

            count = count > long.MaxValue / size ? long.MaxValue : count * size;
        }

        return count;
    }

    private static long Add(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;
}
