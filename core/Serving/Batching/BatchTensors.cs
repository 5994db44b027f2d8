using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Serverless.Core.Serving.Batching;

/// <summary>
/// Merging requests' input tensors along the first (batch) dimension and cutting a merged run's outputs back into each
/// request's rows, as raw bytes in ONNX Runtime's native memory. Stateless; thread-safe.
/// </summary>
internal static class BatchTensors
{
    /// <summary>Whether every input and output of <paramref name="session"/> is a tensor of fixed-size elements with a free first dimension.</summary>
    public static bool CanBatch(InferenceSession session) =>
        session.InputMetadata.Values.Concat(session.OutputMetadata.Values).All(m =>
            m.IsTensor && m.ElementDataType != TensorElementType.String && m.Dimensions.Length > 0 && m.Dimensions[0] < 0);

    /// <summary>The rows of a request's <paramref name="inputs"/> (the first dimension every input shares), or -1 when they differ or there are none.</summary>
    public static long Rows(IReadOnlyList<OrtValue> inputs)
    {
        var rows = -1L;
        foreach (var value in inputs)
        {
            var shape = value.GetTensorTypeAndShape().Shape;
            if (shape.Length == 0 || (rows >= 0 && shape[0] != rows))
            {
                return -1;
            }

            rows = shape[0];
        }

        return rows;
    }

    /// <summary>Whether <paramref name="other"/> can join <paramref name="lead"/>'s batch: the same inputs, element types and shapes past the first dimension.</summary>
    public static bool Compatible(BatchedRequest lead, BatchedRequest other)
    {
        if (lead.InputNames.Count != other.InputNames.Count)
        {
            return false;
        }

        for (var i = 0; i < lead.InputNames.Count; i++)
        {
            var j = Find(other.InputNames, lead.InputNames[i]);
            if (j < 0)
            {
                return false;
            }

            var a = lead.InputValues[i].GetTensorTypeAndShape();
            var b = other.InputValues[j].GetTensorTypeAndShape();
            if (a.ElementDataType != b.ElementDataType || !a.Shape.AsSpan(1).SequenceEqual(b.Shape.AsSpan(1)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The inputs of <paramref name="batch"/> merged in order, named as the first request names them; the caller disposes them.</summary>
    public static OwnedValues Concatenate(IReadOnlyList<BatchedRequest> batch, long totalRows)
    {
        var lead = batch[0];
        var merged = new OwnedValues(lead.InputNames.Count);
        try
        {
            for (var i = 0; i < lead.InputNames.Count; i++)
            {
                var info = lead.InputValues[i].GetTensorTypeAndShape();
                var shape = info.Shape.ToArray();
                shape[0] = totalRows;
                var value = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, info.ElementDataType, shape);
                merged.Add(value);
                var destination = value.GetTensorMutableRawData();
                var offset = 0;
                foreach (var pending in batch)
                {
                    var source = pending.InputValues[IndexOf(pending.InputNames, lead.InputNames[i])].GetTensorMutableRawData();
                    source.CopyTo(destination[offset..]);
                    offset += source.Length;
                }
            }

            return merged;
        }
        catch
        {
            merged.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Each request's rows of <paramref name="outputs"/> (the model's outputs in <paramref name="outputNames"/> order), as the
    /// outputs the request asked for, in its order; null when an output's first dimension is not the merged rows (a model
    /// whose output is not per row), in which case nothing is returned and the caller runs the requests one by one.
    /// </summary>
    public static OwnedValues[]? Split(IReadOnlyList<OrtValue> outputs, IReadOnlyList<string> outputNames, IReadOnlyList<BatchedRequest> batch, long totalRows)
    {
        foreach (var output in outputs)
        {
            var shape = output.GetTensorTypeAndShape().Shape;
            if (shape.Length == 0 || shape[0] != totalRows)
            {
                return null;
            }
        }

        var results = new OwnedValues[batch.Count];
        try
        {
            long row = 0;
            for (var r = 0; r < batch.Count; r++)
            {
                var pending = batch[r];
                var values = results[r] = new OwnedValues(pending.OutputNames.Count);
                foreach (var name in pending.OutputNames)
                {
                    var output = outputs[IndexOf(outputNames, name)];
                    var info = output.GetTensorTypeAndShape();
                    var source = output.GetTensorMutableRawData();
                    var rowBytes = source.Length / (int)totalRows;
                    var shape = info.Shape.ToArray();
                    shape[0] = pending.Rows;
                    var value = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, info.ElementDataType, shape);
                    values.Add(value);
                    source.Slice((int)row * rowBytes, (int)pending.Rows * rowBytes).CopyTo(value.GetTensorMutableRawData());
                }

                row += pending.Rows;
            }

            return results;
        }
        catch
        {
            foreach (var values in results)
            {
                values?.Dispose();
            }

            throw;
        }
    }

    private static int IndexOf(IReadOnlyList<string> names, string name) =>
        Find(names, name) is var i and >= 0 ? i : throw new InvalidOperationException($"'{name}' is not among the merged run's names.");

    private static int Find(IReadOnlyList<string> names, string name)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (string.Equals(names[i], name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}

/// <summary>OrtValues owned by whoever holds the list: disposing it disposes them.</summary>
internal sealed class OwnedValues : List<OrtValue>, IDisposableReadOnlyCollection<OrtValue>
{
    public OwnedValues(int capacity)
        : base(capacity)
    {
    }

    public void Dispose()
    {
        foreach (var value in this)
        {
            value.Dispose();
        }

        Clear();
    }
}
