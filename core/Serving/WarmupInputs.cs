using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Serverless.Core.Protocol;

namespace Serverless.Core.Serving;

/// <summary>
/// Builds a synthetic request from a model's signature (every free dimension 1, zeros and empty strings) so a
/// freshly created session runs once before real traffic reaches it.
/// </summary>
public static class WarmupInputs
{
    /// <summary>Returns null when an input is not a tensor (such models are loaded but not warmed).</summary>
    public static InferRequest? Create(LoadedModel model)
    {
        var request = new InferRequest();
        foreach (var input in model.Inputs)
        {
            if (!input.IsTensor || input.ElementType == TensorElementType.DataTypeMax)
            {
                request.Dispose();
                return null;
            }

            var shape = input.Dimensions.Select(d => d < 0 ? 1L : d).ToArray();
            OrtValue value;
            if (input.ElementType == TensorElementType.String)
            {
                value = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, shape);
            }
            else
            {
                value = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, input.ElementType, shape);
                value.GetTensorMutableRawData().Clear();
            }

            request.InputNames.Add(input.Name);
            request.InputValues.Add(value);
        }

        return request;
    }
}
