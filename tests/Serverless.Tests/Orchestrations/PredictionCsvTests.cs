using System.Text;
using CsvHelper;
using Serverless.Core.Models;
using Serverless.Core.Tabular;
using Serverless.Orchestrations.BatchScoring;

namespace Serverless.Tests.Orchestrations;

public sealed class PredictionCsvTests
{
    [Theory]
    [InlineData("=1+1", true)]
    [InlineData("+cmd", true)]
    [InlineData("-2+3", true)]
    [InlineData("@SUM(A1)", true)]
    [InlineData("\tx", true)]
    [InlineData("\rx", true)]
    [InlineData("-", true)]
    [InlineData("-e5", true)]
    [InlineData("1e5-", false)]
    [InlineData("-5", false)]
    [InlineData("+1.5e3", false)]
    [InlineData("-0.25", false)]
    [InlineData("-.5", false)]
    [InlineData("c42", false)]
    [InlineData("", false)]
    [InlineData(" =1", false)]
    public void NeedsEscape_TextThatWouldRunAsAFormula_ButNotAPlainNumber(string cell, bool expected)
    {
        Assert.Equal(expected, CsvFormulaGuard.NeedsEscape(cell.AsSpan()));
        Assert.Equal(expected, CsvFormulaGuard.NeedsEscape(Encoding.UTF8.GetBytes(cell)));
    }

    [Fact]
    public void WriteRow_HostileIdsAndLabels_AreEscapedAndNumbersAreNot()
    {
        var manifest = ModelManifest.Parse(Encoding.UTF8.GetBytes("""
            {"task":"binary","features":[{"name":"age","type":"numeric"}],"inputs":{"layout":"per_feature"},
             "outputs":{"probability":"probabilities"},"class_labels":["-no","=yes"]}
            """));
        using var buffer = new MemoryStream();
        using (var csv = CsvWriter.Create(buffer, PredictionCsv.Options, leaveOpen: true))
        {
            var output = new PredictionCsv(csv, manifest, "@id");
            output.WriteHeader();
            output.WriteRow("=HYPERLINK(\"http://x\")"u8, new TabularPrediction { Label = "=yes", Probability = -0.5, Scores = [-1.5, 2] });
            output.WriteRow("-7"u8, new TabularPrediction { Label = "-no", Probability = 0.25, Scores = [0.75, 0.25] });
            output.WriteRow("+1-1", new TabularPrediction { Label = "=yes", Probability = 1, Scores = [0, 1] });
        }

        var lines = Encoding.UTF8.GetString(buffer.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal("'@id,label,probability,score_-no,score_=yes", lines[0]);
        Assert.Equal("\"'=HYPERLINK(\"\"http://x\"\")\",'=yes,-0.5,-1.5,2", lines[1]);
        Assert.Equal("-7,'-no,0.25,0.75,0.25", lines[2]);
        Assert.Equal("'+1-1,'=yes,1,0,1", lines[3]);
    }

    [Fact]
    public void WriteRow_Fp32Outputs_AreFp32sShortestTextAndOtherNumbersADoublesThatReadBackEqual()
    {
        var manifest = ModelManifest.Parse(Encoding.UTF8.GetBytes("""
            {"task":"regression","features":[{"name":"age","type":"numeric"}],"inputs":{"layout":"per_feature"},"outputs":{"value":"value"}}
            """));
        var fp32 = 0.9279491f;
        var fp64 = 0.1 + 0.2;
        using var buffer = new MemoryStream();
        using (var csv = CsvWriter.Create(buffer, PredictionCsv.Options, leaveOpen: true))
        {
            var output = new PredictionCsv(csv, manifest, "row");
            output.WriteRow("1"u8, new TabularPrediction { Value = fp32 });
            output.WriteRow("2"u8, new TabularPrediction { Value = fp64 });
            output.WriteRow("3"u8, new TabularPrediction { Value = double.NaN });
        }

        var lines = Encoding.UTF8.GetString(buffer.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal("1,0.9279491", lines[0]);
        Assert.Equal(fp32, float.Parse(lines[0][2..], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(fp64, double.Parse(lines[1][2..], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("2,0.30000000000000004", lines[1]);
        Assert.Equal("3,NaN", lines[2]);
    }
}
