using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Serverless.Core.Models;
using Serverless.Core.Onnx;
using Serverless.Core.Tabular.Steps;

namespace Serverless.Core.Tabular;

/// <summary>
/// A manifest bound to a model's signature: the one place rows become input tensors and outputs become
/// per-row predictions, shared by the records API, batch scoring, and later inference logging and drift.
/// <list type="number">
/// <item><see cref="CreateBatch"/> → fill the <see cref="FeatureBatch"/> (CSV cells, JSON rows or a request body);</item>
/// <item><see cref="ToInputs"/> → the model's inputs per the layout (tensor: one [N, F] FP32/FP64 tensor in feature
/// order; per_feature: one [N, 1] or [N] FP32/FP64/INT64/BYTES input per feature);</item>
/// <item>run, then <see cref="ReadPredictions"/> → one <see cref="TabularPrediction"/> per row, and <see cref="Decide"/> → the
/// manifest's post steps on them (core/Serving's tabular lease does all of it on a leased session).</item>
/// </list>
/// Immutable and thread-safe; holds no session, so one instance serves every lease of the version.
/// </summary>
public sealed class TabularModel
{
    private readonly InputPlan[] _inputs;

    private readonly PostStepProgram? _post;

    private TabularModel(ModelManifest manifest, InputPlan[] inputs, FeatureSchema schema, string[] outputNames, PostStepProgram? post)
    {
        Manifest = manifest;
        _inputs = inputs;
        _post = post;
        Schema = schema;
        OutputNames = outputNames;
    }

    public ModelManifest Manifest { get; }

    /// <summary>The features a batch holds, with the checks the manifest and the model's input types impose.</summary>
    public FeatureSchema Schema { get; }

    /// <summary>The outputs a run must return for <see cref="ReadPredictions"/>, in this order.</summary>
    public IReadOnlyList<string> OutputNames { get; }

    /// <summary>
    /// Validates the manifest against the signature (BadRequest naming the field) and binds it, compiling its pre and post
    /// steps; a code step must be in <paramref name="steps"/> (default: none registered).
    /// </summary>
    public static TabularModel Bind(ModelManifest manifest, IReadOnlyList<TensorSpec> inputs, IReadOnlyList<TensorSpec> outputs, TabularStepCatalog? steps = null)
    {
        ManifestValidator.Validate(manifest, inputs, outputs);
        var features = manifest.Features;
        InputPlan[] plans;
        var integerOnly = new bool[features.Count];
        if (manifest.Inputs.Layout == InputLayout.Tensor)
        {
            var input = inputs.First(i => i.Name == manifest.Inputs.Name);
            plans = [new InputPlan(input.Name, ElementType(input), 2, -1)];
        }
        else
        {
            plans = new InputPlan[features.Count];
            for (var f = 0; f < features.Count; f++)
            {
                var input = inputs.First(i => i.Name == features[f].Name);
                plans[f] = new InputPlan(input.Name, ElementType(input), input.Shape.Length, f);
                integerOnly[f] = plans[f].ElementType == TensorElementType.Int64;
            }
        }

        var compiled = TabularSteps.Compile(manifest, integerOnly, steps ?? TabularStepCatalog.Empty);
        var schema = new FeatureSchema(compiled.RequestFeatures, integerOnly, compiled.Pre, compiled.Derived);
        return new TabularModel(manifest, plans, schema, RequiredOutputs(manifest), compiled.Post);
    }

    public static TabularModel Bind(ModelManifest manifest, ModelVersion version, TabularStepCatalog? steps = null) =>
        Bind(manifest, version.Inputs, version.Outputs, steps);

    /// <summary>Whether the manifest has post steps (so <see cref="Decide"/> may change predictions).</summary>
    public bool HasPostSteps => _post is not null;

    /// <summary>
    /// Applies the manifest's post steps to the model's predictions for the batch's rows, in place: a row a step changed
    /// gets a new prediction (final label, annotations, rules) keeping the model's in <see cref="TabularPrediction.ModelPrediction"/>.
    /// Without post steps, nothing changes. Returns <paramref name="predictions"/>.
    /// </summary>
    public TabularPrediction[] Decide(FeatureBatch batch, TabularPrediction[] predictions)
    {
        _post?.Apply(batch, predictions);
        return predictions;
    }

    /// <summary>An empty batch for this model's features.</summary>
    /// <param name="capacity">Rows to allocate for up front (the batch grows as needed).</param>
    /// <param name="unknownFeatures">Whether fields or columns that are not features refuse the row (HTTP) or are skipped (files).</param>
    public FeatureBatch CreateBatch(int capacity = 64, UnknownFeatures unknownFeatures = UnknownFeatures.Reject) =>
        new(Schema, capacity, unknownFeatures);

    /// <summary>The model's input values for the batch's accepted rows. The caller disposes the result.</summary>
    public TabularInputs ToInputs(FeatureBatch batch)
    {
        if (!ReferenceEquals(batch.Schema, Schema))
        {
            throw new ArgumentException("The batch was created for another model; create it with this model's CreateBatch.", nameof(batch));
        }

        var inputs = new TabularInputs(_inputs.Length);
        try
        {
            foreach (var plan in _inputs)
            {
                inputs.Add(plan.Name, plan.Feature < 0 ? CreateFeatureMatrix(plan, batch) : CreateFeatureColumn(plan, batch));
            }

            return inputs;
        }
        catch
        {
            inputs.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Per-row predictions from a run's outputs (<paramref name="outputs"/> in the order of <paramref name="outputNames"/>,
    /// which must include <see cref="OutputNames"/>). An output that does not have the shape or type the manifest
    /// implies, or not <paramref name="rowCount"/> rows, throws <see cref="Errors.ServingException"/> (BadRequest).
    /// </summary>
    public TabularPrediction[] ReadPredictions(IReadOnlyList<string> outputNames, IReadOnlyCollection<OrtValue> outputs, int rowCount)
    {
        var values = outputs as IReadOnlyList<OrtValue> ?? outputs.ToList();
        OrtValue? Find(string? name)
        {
            if (name is null)
            {
                return null;
            }

            for (var i = 0; i < outputNames.Count; i++)
            {
                if (outputNames[i] == name)
                {
                    return values[i];
                }
            }

            return null;
        }

        var manifest = Manifest;
        return manifest.Task == TabularTask.Regression
            ? PredictionReader.ReadRegression(Find(manifest.Outputs.RegressionOutput) ?? throw MissingOutput(manifest.Outputs.RegressionOutput!), manifest.Outputs.RegressionOutput!, rowCount)
            : manifest.Outputs.Probability is { } probability
                ? PredictionReader.ReadClassification(manifest, Find(probability) ?? throw MissingOutput(probability), probability, rowCount)
                : PredictionReader.ReadLabels(manifest, Find(manifest.Outputs.Label) ?? throw MissingOutput(manifest.Outputs.Label!), manifest.Outputs.Label!, rowCount);
    }

    /// <summary>Classification reads the probability output when there is one (so the threshold applies), else the label.</summary>
    private static string[] RequiredOutputs(ModelManifest manifest) => manifest.Task == TabularTask.Regression
        ? [manifest.Outputs.RegressionOutput!]
        : [manifest.Outputs.Probability ?? manifest.Outputs.Label!];

    private static TensorElementType ElementType(TensorSpec input) =>
        OipDatatypes.TryToElementType(input.Datatype, out var type) ? type : throw new InvalidOperationException($"Input '{input.Name}' has no element type.");

    private static OrtValue CreateFeatureMatrix(InputPlan plan, FeatureBatch batch)
    {
        var rows = batch.RowCount;
        var features = batch.Schema.Count;
        var value = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, plan.ElementType, [rows, features]);
        try
        {
            if (plan.ElementType == TensorElementType.Float)
            {
                var data = value.GetTensorMutableDataAsSpan<float>();
                for (var f = 0; f < features; f++)
                {
                    var column = batch.GetNumeric(f);
                    for (var r = 0; r < rows; r++)
                    {
                        data[(r * features) + f] = (float)column[r];
                    }
                }
            }
            else
            {
                var data = value.GetTensorMutableDataAsSpan<double>();
                for (var f = 0; f < features; f++)
                {
                    var column = batch.GetNumeric(f);
                    for (var r = 0; r < rows; r++)
                    {
                        data[(r * features) + f] = column[r];
                    }
                }
            }

            return value;
        }
        catch
        {
            value.Dispose();
            throw;
        }
    }

    private static OrtValue CreateFeatureColumn(InputPlan plan, FeatureBatch batch)
    {
        var rows = batch.RowCount;
        long[] shape = plan.Rank == 1 ? [rows] : [rows, 1];
        if (plan.ElementType == TensorElementType.String)
        {
            var strings = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, shape);
            try
            {
                var column = batch.GetCategorical(plan.Feature);
                for (var r = 0; r < rows; r++)
                {
                    strings.StringTensorSetElementAt(column[r].AsSpan(), r);
                }

                return strings;
            }
            catch
            {
                strings.Dispose();
                throw;
            }
        }

        var value = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, plan.ElementType, shape);
        var numbers = batch.GetNumeric(plan.Feature);
        switch (plan.ElementType)
        {
            case TensorElementType.Float:
                var floats = value.GetTensorMutableDataAsSpan<float>();
                for (var r = 0; r < rows; r++)
                {
                    floats[r] = (float)numbers[r];
                }

                break;
            case TensorElementType.Int64:
                var longs = value.GetTensorMutableDataAsSpan<long>();
                for (var r = 0; r < rows; r++)
                {
                    longs[r] = (long)numbers[r];
                }

                break;
            default:
                numbers.CopyTo(value.GetTensorMutableDataAsSpan<double>());
                break;
        }

        return value;
    }

    private static Errors.ServingException MissingOutput(string name) =>
        Errors.ServingException.BadRequest($"The run did not return output '{name}', which the manifest reads.");

    /// <summary>One model input: its element type, rank, and the feature it holds (-1: every feature, tensor layout).</summary>
    private readonly record struct InputPlan(string Name, TensorElementType ElementType, int Rank, int Feature);
}
