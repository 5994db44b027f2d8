using System.Globalization;
using Serverless.Core.Training;
using Serverless.TestModels;
using Serverless.Trainer;
using Xunit.Abstractions;

namespace Serverless.Tests.Training;

/// <summary>
/// The built-in trainer's warm start on the retraining loop's data: a churn champion (lbfgs) trained on the original customer
/// mix, then challengers trained on the loop's export (the original mix and the shifted one after a price change). L-BFGS
/// continues from the champion's weights and says so (on shifted data and on more data of the champion's own mix); the algorithms ML.NET cannot continue, a champion whose featurized slots
/// differ and a model that cannot be read train from scratch and say why. The figures of both runs go to the test output.
/// </summary>
public sealed class TrainerWarmStartTests : IClassFixture<TrainerWarmStartTests.LoopData>
{
    private readonly LoopData _data;
    private readonly ITestOutputHelper _output;

    public TrainerWarmStartTests(LoopData data, ITestOutputHelper output)
    {
        _data = data;
        _output = output;
    }

    [Fact]
    public async Task Lbfgs_WarmStartedOnShiftedData_RecordsTrue_AndIsAtLeastAsGoodAsFromScratch()
    {
        var champion = await _data.ChampionAsync();
        TrainedTrial scratch = null!, warm = null!;
        for (var round = 0; round < 2; round++)
        {
            // The second round's figures: the first one also pays for loading code.
            scratch = await TrialTrainer.TrainAsync(_data.Challenger(Algorithms.Lbfgs), null, CancellationToken.None);
            warm = await TrialTrainer.TrainAsync(_data.Challenger(Algorithms.Lbfgs) with { WarmStart = champion }, null, CancellationToken.None);
        }

        _output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"from scratch: auc {scratch.Metrics.Metrics["auc"]:F4}, log_loss {scratch.Metrics.Metrics["log_loss"]:F4}, {scratch.Metrics.TrainSeconds:F3} s; " +
            $"warm: auc {warm.Metrics.Metrics["auc"]:F4}, log_loss {warm.Metrics.Metrics["log_loss"]:F4}, {warm.Metrics.TrainSeconds:F3} s; {warm.Metrics.WarmStartNote}"));
        Assert.True(warm.Metrics.WarmStart, warm.Metrics.WarmStartNote);
        Assert.Equal($"continued lbfgs from {champion.From}'s weights (6 feature slots)", warm.Metrics.WarmStartNote);
        Assert.Null(scratch.Metrics.WarmStart);
        Assert.Null(scratch.Metrics.WarmStartNote);
        // Logistic regression is convex: both reach the same optimum, up to L-BFGS's stopping tolerance.
        Assert.True(warm.Metrics.Metrics["auc"] >= scratch.Metrics.Metrics["auc"] - 1e-3, $"{warm.Metrics.Metrics["auc"]} against {scratch.Metrics.Metrics["auc"]}");
        Assert.NotEmpty(warm.MlnetModel);
    }

    [Fact]
    public async Task Lbfgs_WarmStartedOnTheChampionsOwnMix_RecordsTrue_AndIsAtLeastAsGoodAsFromScratch()
    {
        var champion = await _data.ChampionAsync();
        TrainedTrial scratch = null!, warm = null!;
        for (var round = 0; round < 2; round++)
        {
            scratch = await TrialTrainer.TrainAsync(_data.OriginalMix(Algorithms.Lbfgs), null, CancellationToken.None);
            warm = await TrialTrainer.TrainAsync(_data.OriginalMix(Algorithms.Lbfgs) with { WarmStart = champion }, null, CancellationToken.None);
        }

        _output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"same mix, from scratch: auc {scratch.Metrics.Metrics["auc"]:F4}, {scratch.Metrics.TrainSeconds:F3} s; warm: auc {warm.Metrics.Metrics["auc"]:F4}, {warm.Metrics.TrainSeconds:F3} s"));
        Assert.True(warm.Metrics.WarmStart, warm.Metrics.WarmStartNote);
        Assert.True(warm.Metrics.Metrics["auc"] >= scratch.Metrics.Metrics["auc"] - 1e-3, $"{warm.Metrics.Metrics["auc"]} against {scratch.Metrics.Metrics["auc"]}");
    }

    [Fact]
    public async Task Lbfgs_WarmStartedTwice_TheSecondContinuesFromTheFirstsSavedModel()
    {
        var champion = await _data.ChampionAsync();
        var first = await TrialTrainer.TrainAsync(_data.Challenger(Algorithms.Lbfgs) with { WarmStart = champion }, null, CancellationToken.None);
        var path = Path.Combine(_data.Folder, $"first-{Guid.NewGuid():N}.zip");
        await File.WriteAllBytesAsync(path, first.MlnetModel);

        var second = await TrialTrainer.TrainAsync(_data.Challenger(Algorithms.Lbfgs) with { WarmStart = new TrialWarmStart(TrainerDataset.FileUri(path), Algorithms.Lbfgs, "version 2 of churn") },
            null, CancellationToken.None);

        Assert.True(second.Metrics.WarmStart, second.Metrics.WarmStartNote);
        Assert.StartsWith("continued lbfgs from version 2 of churn's weights", second.Metrics.WarmStartNote);
    }

    [Theory]
    [InlineData(Algorithms.LightGbm)]
    [InlineData(Algorithms.FastTree)]
    [InlineData(Algorithms.Sdca)]
    public async Task AlgorithmThatCannotContinue_GivenAWarmStart_RecordsFalseWithTheReason(string algorithm)
    {
        var champion = await _data.ChampionAsync();

        var trial = await TrialTrainer.TrainAsync(_data.Challenger(algorithm) with { WarmStart = champion }, null, CancellationToken.None);

        Assert.False(trial.Metrics.WarmStart);
        Assert.Equal($"{algorithm} cannot continue from a model (only lbfgs can in ML.NET); trained from scratch", trial.Metrics.WarmStartNote);
    }

    [Fact]
    public async Task Lbfgs_ChampionWithOtherFeatureSlots_FallsBackNamingTheDifference()
    {
        var champion = await _data.ChampionAsync();
        var spec = _data.Challenger(Algorithms.Lbfgs);
        spec = spec with { Features = [.. spec.Features.Where(f => f.Name != "contract")], WarmStart = champion };

        var trial = await TrialTrainer.TrainAsync(spec, null, CancellationToken.None);

        Assert.False(trial.Metrics.WarmStart);
        Assert.Equal($"{champion.From} has 6 feature slots and this data 3; they differ from slot 2 ('contract.annual' against 'noise'); trained from scratch",
            trial.Metrics.WarmStartNote);
    }

    [Fact]
    public async Task Lbfgs_ChampionOfAnotherAlgorithm_FallsBackSayingSo()
    {
        var champion = await _data.ChampionAsync() with { Algorithm = Algorithms.LightGbm };

        var trial = await TrialTrainer.TrainAsync(_data.Challenger(Algorithms.Lbfgs) with { WarmStart = champion }, null, CancellationToken.None);

        Assert.False(trial.Metrics.WarmStart);
        Assert.Equal($"{champion.From} was trained by lightgbm, not lbfgs, so its weights do not fit this trainer; trained from scratch", trial.Metrics.WarmStartNote);
    }

    [Fact]
    public async Task Lbfgs_ChampionModelMissingOrNotAModel_FallsBackSayingItCannotBeRead()
    {
        var garbage = Path.Combine(_data.Folder, "garbage.zip");
        await File.WriteAllTextAsync(garbage, "not a zip");
        var missing = new TrialWarmStart(TrainerDataset.FileUri(Path.Combine(_data.Folder, "absent.zip")), Algorithms.Lbfgs, "version 9 of churn");

        var absent = await TrialTrainer.TrainAsync(_data.Challenger(Algorithms.Lbfgs) with { WarmStart = missing }, null, CancellationToken.None);
        var unreadable = await TrialTrainer.TrainAsync(_data.Challenger(Algorithms.Lbfgs) with { WarmStart = missing with { ModelUri = TrainerDataset.FileUri(garbage) } },
            null, CancellationToken.None);

        Assert.False(absent.Metrics.WarmStart);
        Assert.StartsWith("version 9 of churn's model.zip could not be read (", absent.Metrics.WarmStartNote);
        Assert.False(unreadable.Metrics.WarmStart);
        Assert.StartsWith("version 9 of churn's model.zip cannot be read (", unreadable.Metrics.WarmStartNote);
        Assert.EndsWith("; trained from scratch", unreadable.Metrics.WarmStartNote);
    }

    [Fact]
    public async Task LbfgsMulticlass_WarmStartedFromAMulticlassChampion_RecordsTrue()
    {
        using var dataset = new TrainerDataset();
        var first = await TrialTrainer.TrainAsync(dataset.Spec(Algorithms.Lbfgs, Algorithms.Multiclass), null, CancellationToken.None);
        var path = Path.Combine(dataset.Folder, "multiclass.zip");
        await File.WriteAllBytesAsync(path, first.MlnetModel);

        var warm = await TrialTrainer.TrainAsync(dataset.Spec(Algorithms.Lbfgs, Algorithms.Multiclass) with
        {
            WarmStart = new TrialWarmStart(TrainerDataset.FileUri(path), Algorithms.Lbfgs, "version 1 of species"),
        }, null, CancellationToken.None);

        Assert.True(warm.Metrics.WarmStart, warm.Metrics.WarmStartNote);
        Assert.True(warm.Metrics.Metrics["accuracy"] >= first.Metrics.Metrics["accuracy"] - 0.01, $"{warm.Metrics.Metrics["accuracy"]} against {first.Metrics.Metrics["accuracy"]}");
    }

    /// <summary>
    /// The loop's customers (RetrainingLoopTests, <see cref="ChurnCustomers"/>): the champion's training set of the original mix (1000 rows, seed 3, a fifth held out),
    /// and the loop's export: 300 customers of the original mix and 600 of the shifted one (a fifth held out). The champion is trained once.
    /// </summary>
    public sealed class LoopData : IDisposable
    {
        private readonly SemaphoreSlim _gate = new(1, 1);
        private TrialWarmStart? _champion;

        public LoopData()
        {
            Folder = Path.Combine(Path.GetTempPath(), "warm-start-tests-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(Folder);
            Write("champion", ChurnCustomers.Original(1_000, 3));
            Write("loop", [.. ChurnCustomers.Original(300, 21), .. ChurnCustomers.Shifted(600, 22)]);
            Write("original", ChurnCustomers.Original(900, 21));
        }

        public string Folder { get; }

        /// <summary>The champion (lbfgs on the original mix), trained once, as a warm-start source.</summary>
        public async Task<TrialWarmStart> ChampionAsync()
        {
            await _gate.WaitAsync();
            try
            {
                if (_champion is null)
                {
                    var trial = await TrialTrainer.TrainAsync(Spec("champion", Algorithms.Lbfgs), null, CancellationToken.None);
                    var path = Path.Combine(Folder, "champion.zip");
                    await File.WriteAllBytesAsync(path, trial.MlnetModel);
                    _champion = new TrialWarmStart(TrainerDataset.FileUri(path), Algorithms.Lbfgs, "version 1 of churn");
                }

                return _champion;
            }
            finally
            {
                _gate.Release();
            }
        }

        public TrialSpec Challenger(string algorithm) => Spec("loop", algorithm);

        /// <summary>More customers of the champion's own mix (the data moved on without shifting).</summary>
        public TrialSpec OriginalMix(string algorithm) => Spec("original", algorithm);

        public void Dispose()
        {
            _gate.Dispose();
            try
            {
                Directory.Delete(Folder, recursive: true);
            }
            catch (IOException)
            {
            }
        }

        private TrialSpec Spec(string name, string algorithm) => new()
        {
            TrialId = $"{name}-{algorithm}",
            SweepId = "warm-start-tests",
            TrainUri = TrainerDataset.FileUri(Path.Combine(Folder, $"{name}-train.csv")),
            ValidationUri = TrainerDataset.FileUri(Path.Combine(Folder, $"{name}-validation.csv")),
            Target = "churned",
            Task = Algorithms.Binary,
            PositiveClass = "1",
            Algorithm = algorithm,
            Seed = 7,
            Features =
            [
                new("tenure", TrialFeature.Numeric),
                new("charges", TrialFeature.Numeric),
                new("contract", TrialFeature.Categorical),
                new("noise", TrialFeature.Numeric),
            ],
            OutputUri = TrainerDataset.FileUri(Path.Combine(Folder, "out", Guid.NewGuid().ToString("N"))),
        };

        private void Write(string name, IReadOnlyList<ChurnCustomer> customers)
        {
            File.WriteAllText(Path.Combine(Folder, $"{name}-train.csv"), ChurnCustomers.Csv(customers.Where((_, i) => i % 5 != 0)));
            File.WriteAllText(Path.Combine(Folder, $"{name}-validation.csv"), ChurnCustomers.Csv(customers.Where((_, i) => i % 5 == 0)));
        }
    }
}
