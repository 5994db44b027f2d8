using System.Globalization;
using System.Text;
using Serverless.TestModels;

namespace Serverless.Bench.Tabular;

/// <summary>
/// The tabular bench workload: the 10-feature logistic regression with its manifest, and a deterministic CSV of
/// <c>id,f0..f9</c> rows (values in [-1, 1] with four decimals, as a feature store export would hold them).
/// </summary>
public static class TabularBenchData
{
    public const string Model = "logreg";
    public const int Features = 10;
    public const string IdColumn = "id";

    public static byte[] Onnx { get; } = ReferenceModels.LogisticRegression(features: Features);

    public static string Manifest { get; } = ReferenceManifests.LogisticRegression(features: Features);

    /// <summary>UTF-8 CSV with a header row and <paramref name="rows"/> data rows, ids r1..rN.</summary>
    public static byte[] Csv(int rows)
    {
        var random = new Random(7);
        var csv = new StringBuilder(rows * 80);
        csv.Append(IdColumn);
        for (var f = 0; f < Features; f++)
        {
            csv.Append(',').Append(ReferenceManifests.FeatureName(f));
        }

        csv.Append('\n');
        for (var row = 1; row <= rows; row++)
        {
            csv.Append('r').Append(row);
            for (var f = 0; f < Features; f++)
            {
                csv.Append(',').Append(Math.Round((random.NextDouble() * 2) - 1, 4).ToString(CultureInfo.InvariantCulture));
            }

            csv.Append('\n');
        }

        return Encoding.UTF8.GetBytes(csv.ToString());
    }

    /// <summary>One record as the records API takes it: <c>{"instances":[{"f0":..,...}]}</c>, the first row of <see cref="Csv"/>'s values.</summary>
    public static byte[] PredictBody(float[] row)
    {
        var fields = string.Join(",", row.Select((v, i) => $"\"{ReferenceManifests.FeatureName(i)}\":{v.ToString("R", CultureInfo.InvariantCulture)}"));
        return Encoding.UTF8.GetBytes($$"""{"instances":[{{{fields}}}]}""");
    }

    /// <summary>The same row as an OIP v2 infer body on the model's [N, 10] input.</summary>
    public static byte[] InferBody(float[] row)
    {
        var data = string.Join(",", row.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
        return Encoding.UTF8.GetBytes($$"""{"id":"bench","inputs":[{"name":"input","shape":[1,{{Features}}],"datatype":"FP32","data":[{{data}}]}]}""");
    }
}
