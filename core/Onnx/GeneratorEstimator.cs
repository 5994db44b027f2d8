namespace Serverless.Core.Onnx;

/// <summary>
/// The output size of nodes that make large tensors out of small constants (ConstantOfShape, Expand, Tile,
/// Range), and the constants that flow through Identity, Cast and Concat to reach them. Pure; overflow-safe.
/// </summary>
internal static class GeneratorEstimator
{
    private const int Float = 1;

    /// <summary>Whether <paramref name="opType"/> in the default domain is a node this estimator follows.</summary>
    public static bool Follows(string opType) =>
        opType is "ConstantOfShape" or "Expand" or "Tile" or "Range" or "Identity" or "Cast" or "Concat";

    /// <summary>
    /// What a node outputs when its inputs are known: the bytes it allocates (0 for the pass-through ops) and the
    /// output's facts, or null when the inputs are not constants the scan knows.
    /// </summary>
    public static (long Bytes, KnownTensor? Output) Estimate(string opType, IReadOnlyList<KnownTensor?> inputs, int valueDataType, long castTo)
    {
        var output = opType switch
        {
            "ConstantOfShape" => ConstantOfShape(At(inputs, 0), valueDataType == 0 ? Float : valueDataType),
            "Expand" => Expand(At(inputs, 0), At(inputs, 1)),
            "Tile" => Tile(At(inputs, 0), At(inputs, 1)),
            "Range" => Range(At(inputs, 0), At(inputs, 1), At(inputs, 2)),
            "Identity" => At(inputs, 0),
            "Cast" when At(inputs, 0) is { } input => new KnownTensor((int)Math.Clamp(castTo, 0, int.MaxValue), input.Elements, input.Dims, input.Values),
            "Concat" => Concat(inputs),
            _ => null,
        };
        var allocates = opType is "ConstantOfShape" or "Expand" or "Tile" or "Range";
        return (allocates && output is not null ? SaturatingMath.Multiply(output.Elements, KnownTensor.ElementSize(output.DataType)) : 0, output);
    }

    private static KnownTensor? At(IReadOnlyList<KnownTensor?> inputs, int index) => index < inputs.Count ? inputs[index] : null;

    private static KnownTensor? ConstantOfShape(KnownTensor? shape, int dataType) =>
        shape?.Values is { } dims ? Shaped(dataType, dims.Select(ToCount).ToArray()) : null;

    private static KnownTensor? Expand(KnownTensor? input, KnownTensor? shape)
    {
        if (shape?.Values is not { } target)
        {
            return null;
        }

        var source = input?.Dims ?? [];
        var rank = Math.Max(source.Length, target.Length);
        var dims = new long[rank];
        for (var i = 0; i < rank; i++)
        {
            var a = i - (rank - source.Length) is var s && s >= 0 ? Math.Max(source[s], 0) : 1;
            var b = i - (rank - target.Length) is var t && t >= 0 ? ToCount(target[t]) : 1;
            dims[i] = a == 1 ? b : b == 1 ? a : Math.Max(a, b);
        }

        return Shaped(DataTypeOf(input), dims);
    }

    private static KnownTensor? Tile(KnownTensor? input, KnownTensor? repeats)
    {
        if (repeats?.Values is not { } times)
        {
            return null;
        }

        if (input?.Dims is { } dims && dims.Length == times.Length)
        {
            return Shaped(DataTypeOf(input), dims.Select((d, i) => SaturatingMath.Multiply(Math.Max(d, 0), ToCount(times[i]))).ToArray());
        }

        var elements = times.Aggregate(input?.Elements ?? 1, (product, r) => SaturatingMath.Multiply(product, ToCount(r)));
        return new KnownTensor(DataTypeOf(input), elements, null, null);
    }

    private static KnownTensor? Range(KnownTensor? start, KnownTensor? limit, KnownTensor? delta)
    {
        if (start?.Values is not [var first] || limit?.Values is not [var last] || delta?.Values is not [var step] || step == 0)
        {
            return null;
        }

        var count = SaturatingMath.FromDouble((last - first) / step);
        return Shaped(DataTypeOf(start), [count]);
    }

    private static KnownTensor? Concat(IReadOnlyList<KnownTensor?> inputs)
    {
        var values = new List<double>();
        foreach (var input in inputs)
        {
            if (input?.Values is not { } part || input.Dims is not { Length: 1 } || values.Count + part.Length > KnownTensor.MaxValues)
            {
                return null;
            }

            values.AddRange(part);
        }

        return inputs.Count == 0 ? null : new KnownTensor(DataTypeOf(inputs[0]), values.Count, [values.Count], values.ToArray());
    }

    private static KnownTensor Shaped(int dataType, long[] dims)
    {
        var elements = dims.Aggregate(1L, (product, d) => SaturatingMath.Multiply(product, d));
        return new KnownTensor(dataType, elements, dims.Length <= KnownTensor.MaxRank ? dims : null, null);
    }

    private static int DataTypeOf(KnownTensor? tensor) => tensor is { DataType: > 0 } ? tensor.DataType : Float;

    private static long ToCount(double value) => double.IsNaN(value) || value <= 0 ? 0 : value >= long.MaxValue ? long.MaxValue : (long)value;
}
