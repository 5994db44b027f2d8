using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using Serverless.Core.Models;
using Serverless.Core.Onnx;
using Serverless.Core.Serving;
using Serverless.Core.Tabular;
using Serverless.Trainer;

namespace Serverless.Tests.Training;

/// <summary>
/// Serves a trained trial the way the platform does: the ONNX bytes in a session built with core's
/// <see cref="SessionOptionsFactory"/>, the manifest parsed back from its canonical JSON and bound to the
/// signature, validation CSV rows through a <see cref="FeatureBatch"/> and <see cref="TabularModelExtensions.Predict"/>.
/// </summary>
internal sealed class TrainerServing : IDisposable
{
    private readonly LoadedModel _model;

    public TrainerServing(TrainedTrial trial)
    {
        using var options = new SessionOptionsFactory(Options.Create(new ServingOptions())).Create();
        var session = new InferenceSession(trial.OnnxModel, options);
        var signature = SignatureReader.Read(session);
        var version = new ModelVersion("trainer-test", "1", "sha256", trial.OnnxModel.Length, DateTimeOffset.UtcNow, null,
            signature.Inputs, signature.Outputs, "trainer-test/1/model.onnx");
        _model = new LoadedModel(version, session, new ColdStartTimings(0, 0, 0, DateTimeOffset.UtcNow));
        Tabular = TabularModel.Bind(ModelManifest.Parse(trial.Manifest.ToCanonicalJson()), version);
    }

    public TabularModel Tabular { get; }

    /// <summary>Fills a batch from CSV rows (row index = position in <paramref name="rows"/>), as batch scoring does, and predicts.</summary>
    public (FeatureBatch Batch, TabularPrediction[] Predictions) Predict(string[] header, IReadOnlyList<string[]> rows)
    {
        var batch = Tabular.CreateBatch(rows.Count, UnknownFeatures.Ignore);
        var binding = batch.BindColumns(header);
        for (var r = 0; r < rows.Count; r++)
        {
            batch.AddRow(binding, rows[r], r);
        }

        return (batch, Tabular.Predict(_model, batch));
    }

    /// <summary>
    /// Runs the model on raw CSV rows without the serving checks, an empty numeric cell as NaN and an empty
    /// category as "": what the ONNX graph itself does with missing values. Per row: the positive-class
    /// probability (binary), the class probabilities (multiclass) or the value (regression).
    /// </summary>
    public float[][] RunRaw(string[] header, IReadOnlyList<string[]> rows)
    {
        var manifest = Tabular.Manifest;
        var names = new List<string>();
        var values = new List<OrtValue>();
        try
        {
            foreach (var feature in manifest.Features)
            {
                var column = Array.IndexOf(header, feature.Name);
                names.Add(feature.Name);
                if (feature.Type == FeatureType.Numeric)
                {
                    var numbers = rows.Select(r => r[column].Length == 0 ? float.NaN : float.Parse(r[column], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
                    values.Add(OrtValue.CreateTensorValueFromMemory(numbers, [rows.Count, 1]));
                }
                else
                {
                    var strings = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, [rows.Count, 1]);
                    values.Add(strings);
                    for (var r = 0; r < rows.Count; r++)
                    {
                        strings.StringTensorSetElementAt(rows[r][column].AsSpan(), r);
                    }
                }
            }

            var output = manifest.Outputs.Probability ?? manifest.Outputs.Score!;
            using var results = _model.Run(names, values, [output]);
            var flat = results.First().GetTensorDataAsSpan<float>().ToArray();
            var width = flat.Length / rows.Count;
            return Enumerable.Range(0, rows.Count).Select(r => flat.AsSpan(r * width, width).ToArray()).ToArray();
        }
        finally
        {
            values.ForEach(v => v.Dispose());
        }
    }

    public void Dispose() => _model.Evict();
}
