using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Serverless.Core.Errors;

namespace Serverless.Core.Graphs;

/// <summary>
/// An ensemble's combination of its steps' outputs into a new tensor: mean, weighted mean and max element by element,
/// vote the most frequent label per element (a tie goes to the label of the earliest step among the tied), concat along the last dimension.
/// </summary>
internal static class GraphCombiner
{
    public static OrtValue Combine(EnsemblePlanNode node, OrtValue[] members)
    {
        var shapes = members.Select(m => m.GetTensorTypeAndShape().Shape).ToArray();
        if (node.Combine == GraphCombine.Concat)
        {
            return Concat(node, members, shapes);
        }

        if (shapes.Any(s => !s.AsSpan().SequenceEqual(shapes[0])))
        {
            throw ServingException.BadRequest(
                $"Ensemble '{node.Name}': its steps answered shapes {string.Join(", ", shapes.Select(GraphCompiler.ShapeText))} for this request; {GraphEnsembleCompiler.Name(node.Combine)} needs one shape.");
        }

        return node.ElementType switch
        {
            TensorElementType.Float => Numeric<float>(node, members, shapes[0]),
            TensorElementType.Double => Numeric<double>(node, members, shapes[0]),
            TensorElementType.Int64 => Vote<long>(members, shapes[0]),
            _ => Vote<int>(members, shapes[0]),
        };
    }

    private static OrtValue Numeric<T>(EnsemblePlanNode node, OrtValue[] members, long[] shape)
        where T : unmanaged, System.Numerics.IFloatingPoint<T>
    {
        var result = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, node.ElementType, shape);
        var target = result.GetTensorMutableDataAsSpan<T>();
        members[0].GetTensorDataAsSpan<T>().CopyTo(target);
        if (node.Combine == GraphCombine.Max)
        {
            for (var m = 1; m < members.Length; m++)
            {
                var source = members[m].GetTensorDataAsSpan<T>();
                for (var i = 0; i < target.Length; i++)
                {
                    target[i] = T.Max(target[i], source[i]);
                }
            }

            return result;
        }

        var weights = node.Combine == GraphCombine.WeightedMean ? node.Weights : Enumerable.Repeat(1.0 / members.Length, members.Length).ToArray();
        var first = T.CreateChecked(weights[0]);
        for (var i = 0; i < target.Length; i++)
        {
            target[i] *= first;
        }

        for (var m = 1; m < members.Length; m++)
        {
            var source = members[m].GetTensorDataAsSpan<T>();
            var weight = T.CreateChecked(weights[m]);
            for (var i = 0; i < target.Length; i++)
            {
                target[i] += weight * source[i];
            }
        }

        return result;
    }

    private static OrtValue Vote<T>(OrtValue[] members, long[] shape)
        where T : unmanaged, IEquatable<T>
    {
        var type = typeof(T) == typeof(long) ? TensorElementType.Int64 : TensorElementType.Int32;
        var result = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, type, shape);
        var target = result.GetTensorMutableDataAsSpan<T>();
        var data = members.Select(m => m.GetTensorDataAsSpan<T>().ToArray()).ToArray();
        var votes = new T[members.Length];
        for (var i = 0; i < target.Length; i++)
        {
            for (var m = 0; m < members.Length; m++)
            {
                votes[m] = data[m][i];
            }

            var best = 0;
            var bestCount = 0;
            for (var m = 0; m < members.Length; m++)
            {
                var count = 0;
                for (var k = 0; k < members.Length; k++)
                {
                    count += votes[k].Equals(votes[m]) ? 1 : 0;
                }

                if (count > bestCount)
                {
                    (best, bestCount) = (m, count);
                }
            }

            target[i] = votes[best];
        }

        return result;
    }

    private static OrtValue Concat(EnsemblePlanNode node, OrtValue[] members, long[][] shapes)
    {
        var rank = shapes[0].Length;
        if (shapes.Any(s => s.Length != rank || !s.AsSpan(0, rank - 1).SequenceEqual(shapes[0].AsSpan(0, rank - 1))))
        {
            throw ServingException.BadRequest(
                $"Ensemble '{node.Name}': its steps answered shapes {string.Join(", ", shapes.Select(GraphCompiler.ShapeText))} for this request; concat needs them equal but for the last dimension.");
        }

        var shape = (long[])shapes[0].Clone();
        shape[^1] = shapes.Sum(s => s[^1]);
        var result = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, node.ElementType, shape);
        var target = result.GetTensorMutableRawData();
        var size = node.ElementType switch
        {
            TensorElementType.Double or TensorElementType.Int64 => 8,
            _ => 4,
        };
        var rows = rank == 1 ? 1 : shape[..^1].Aggregate(1L, (a, b) => a * b);
        var offset = 0;
        for (var row = 0; row < rows; row++)
        {
            for (var m = 0; m < members.Length; m++)
            {
                var width = (int)shapes[m][^1] * size;
                members[m].GetTensorMutableRawData().Slice((int)(row * width), width).CopyTo(target[offset..]);
                offset += width;
            }
        }

        return result;
    }
}
