using System.Globalization;
using System.Text;
using Serverless.Core.Training;

namespace Serverless.Tests.Training;

/// <summary>
/// A synthetic trial dataset written once to a temp folder (fixed seed): numeric x1, x2 (some empty cells),
/// x3 (noise, some empty cells), a categorical color (4 values, some empty cells; the validation rows also hold an unseen one),
/// and targets with a designed signal: binary <c>label</c> (0/1), <c>outcome</c> (yes/no, the same signal),
/// multiclass <c>species</c> (alpha/beta/gamma) and regression <c>price</c>. 600 training, 200 validation rows.
/// </summary>
public sealed class TrainerDataset : IDisposable
{
    public const int TrainRows = 600;
    public const int ValidationRows = 200;
    public const string UnseenColor = "purple";

    public TrainerDataset()
    {
        Folder = Path.Combine(Path.GetTempPath(), "trainer-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
        var random = new Random(20240611);
        File.WriteAllText(TrainPath, Generate(random, TrainRows, unseenCategories: false));
        File.WriteAllText(ValidationPath, Generate(random, ValidationRows, unseenCategories: true));
    }

    public string Folder { get; }

    public string TrainPath => Path.Combine(Folder, "train.csv");

    public string ValidationPath => Path.Combine(Folder, "validation.csv");

    public static string FileUri(string path) => new Uri(path).AbsoluteUri;

    /// <summary>A spec for the dataset: the target of the task (binary: label), the four features, output under a fresh folder.</summary>
    public TrialSpec Spec(string algorithm, string task, string? target = null) => new()
    {
        TrialId = $"{algorithm}-{task}-{Guid.NewGuid():N}"[..24],
        SweepId = "trainer-tests",
        TrainUri = FileUri(TrainPath),
        ValidationUri = FileUri(ValidationPath),
        Target = target ?? task switch { "binary" => "label", "multiclass" => "species", _ => "price" },
        Task = task,
        Algorithm = algorithm,
        Seed = 7,
        Features =
        [
            new("x1", TrialFeature.Numeric),
            new("x2", TrialFeature.Numeric),
            new("x3", TrialFeature.Numeric),
            new("color", TrialFeature.Categorical),
        ],
        OutputUri = FileUri(Path.Combine(Folder, "out", Guid.NewGuid().ToString("N"))),
    };

    /// <summary>The validation file's header and rows, split on commas (the generator writes no quotes).</summary>
    public (string[] Header, string[][] Rows) ReadValidation()
    {
        var lines = File.ReadAllLines(ValidationPath);
        return (lines[0].Split(','), lines.Skip(1).Select(l => l.Split(',')).ToArray());
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static string Generate(Random random, int rows, bool unseenCategories)
    {
        string[] colors = ["red", "green", "blue", "yellow"];
        var csv = new StringBuilder("x1,x2,x3,color,label,outcome,species,price\n");
        for (var i = 0; i < rows; i++)
        {
            var x1 = (random.NextDouble() * 4) - 2;
            var x2 = random.NextDouble() * 10;
            var x3 = random.NextDouble();
            var color = unseenCategories && i % 20 == 0 ? UnseenColor : colors[random.Next(colors.Length)];
            var effect = color switch { "red" => 1.5, "blue" => -1.0, _ => 0.0 };
            var noise = random.NextDouble() - 0.5;
            var label = (2 * x1) - (0.3 * (x2 - 5)) + effect + noise > 0 ? 1 : 0;
            var score = x1 + effect + (0.3 * noise);
            var species = score < -0.7 ? "alpha" : score < 0.8 ? "beta" : "gamma";
            var price = (3 * x1) + (2 * x2) + (4 * effect) + noise;
            csv.Append(Number(x1)).Append(',')
                .Append(i % 17 == 3 ? "" : Number(x2)).Append(',')
                .Append(i % 13 == 5 ? "" : Number(x3)).Append(',')
                .Append(i % 29 == 11 ? "" : color).Append(',')
                .Append(label).Append(',')
                .Append(label == 1 ? "yes" : "no").Append(',')
                .Append(species).Append(',')
                .Append(Number(price)).Append('\n');
        }

        return csv.ToString();
    }

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
