using System.Text;
using System.Text.Json;
using Serverless.Core.Buffers;
using Serverless.Core.Errors;
using Serverless.Core.Serving;
using Serverless.Core.Tabular;
using Serverless.Core.Tabular.Steps;
using Serverless.Core.Tabular.Steps.Examples;
using Serverless.TestModels;
using Serverless.Tests.Support;

namespace Serverless.Tests.Tabular.Steps;

public sealed class StepPredictionTests : IDisposable
{
    private readonly TestModel _model = TestModel.Load(ReferenceModels.PerFeatureBinaryClassifier());

    public void Dispose() => _model.Dispose();

    [Fact]
    public void Predict_RuleHolds_OverridesTheLabelAndAnnotates_KeepingTheModelsPrediction()
    {
        var tabular = Bind(StepManifests.Business);

        var answer = Predict(tabular, """{"instances": [{"age": 70, "city": "Oslo"}, {"age": 30, "city": "Oslo"}]}""");

        Assert.Equal("review", answer[0].Label);
        Assert.Equal(["refer to review"], answer[0].Annotations);
        Assert.Equal(["senior_review"], answer[0].Rules);
        Assert.Equal("yes", answer[0].ModelPrediction!.Label);
        Assert.Equal(StepManifests.Probability(70, 0), answer[0].Probability!.Value, 5);
        Assert.Equal("stay", answer[1].Label);
        Assert.Null(answer[1].Rules);
        Assert.Equal("no", answer[1].ModelPrediction!.Label);
    }

    [Fact]
    public void Predict_SegmentThreshold_DecidesByTheRowsSegment()
    {
        var tabular = Bind(StepManifests.Business);
        var bergen = StepManifests.Probability(50, 1);
        Assert.InRange(bergen, 0.5, 0.7);

        var answer = Predict(tabular, """{"instances": [{"age": 50, "city": "Bergen"}, {"age": 8, "city": "Trondheim"}]}""");

        Assert.Equal("stay", answer[0].Label);
        Assert.Equal(1 - bergen, answer[0].Probability!.Value, 5);
        Assert.Equal("yes", answer[0].ModelPrediction!.Label);
        var trondheim = StepManifests.Probability(8, 2);
        Assert.InRange(trondheim, 0.4, 0.5);
        Assert.Equal("churn", answer[1].Label);
        Assert.Equal("no", answer[1].ModelPrediction!.Label);
    }

    [Fact]
    public void Predict_DefaultAndClip_ScoreAsTheFilledRow()
    {
        var tabular = Bind(StepManifests.Business);

        var filled = Predict(tabular, """{"instances": [{"age": 150}, {"age": 3, "city": null}]}""");
        var explicitRows = Predict(tabular, """{"instances": [{"age": 100, "city": "Oslo"}, {"age": 5, "city": "Oslo"}]}""");

        Assert.Equal(explicitRows.Select(p => (p.Label, p.Probability)), filled.Select(p => (p.Label, p.Probability)));
    }

    [Fact]
    public void Predict_DerivedFeature_NeedNotBeSent_AndIsComputedFromTheRow()
    {
        var tabular = Bind(StepManifests.With("""{"kind": "derive", "feature": "age", "expression": "if(city == 'Oslo', 30, 60)"}""", ""));

        var derived = Predict(tabular, """{"dataframe_split": {"columns": ["city"], "data": [["Oslo"], ["Bergen"]]}}""");

        Assert.Equal(StepManifests.Probability(30, 0), derived[0].Scores![1], 5);
        Assert.Equal(StepManifests.Probability(60, 1), derived[1].Scores![1], 5);
    }

    [Theory]
    [InlineData("1 / 0", "row 0, feature 'age': after pre[0]: expected a finite number, got Infinity")]
    [InlineData("500", "row 0, feature 'age': after pre[0]: 500 is outside the range [0, 120]")]
    public void Predict_DerivedValueBreaksTheManifest_IsARowErrorNamingTheStep(string expression, string expected)
    {
        var tabular = Bind(StepManifests.With($$"""{"kind": "derive", "feature": "age", "expression": "{{expression}}"}""", ""));

        var exception = Assert.Throws<ServingException>(() => Predict(tabular, """{"instances": [{"city": "Oslo"}]}"""));

        Assert.Equal(ServingErrorKind.BadRequest, exception.Kind);
        Assert.Contains(expected, exception.Message);
    }

    [Fact]
    public void Predict_CodeSteps_PreSetsAFeatureAndPostAnnotates()
    {
        var catalog = new TabularStepCatalog([new AgeInMonths(), new ConfidenceBandStep()]);
        var tabular = Bind(StepManifests.With("""{"kind": "code", "step": "age_from_months"}""", """{"kind": "code", "step": "confidence_band"}"""), catalog);

        var answer = Predict(tabular, """{"instances": [{"city": "Trondheim"}, {"city": "Oslo", "age": 1}]}""");

        Assert.Equal(StepManifests.Probability(AgeInMonths.Months / 12.0, 2), answer[0].Scores![1], 5);
        Assert.Equal([ConfidenceBandStep.High], answer[0].Annotations);
        Assert.Equal([ConfidenceBandStep.Medium], answer[1].Annotations);
        Assert.Equal(answer[0].Label, answer[0].ModelPrediction!.Label);
    }

    [Fact]
    public void Predict_CodePreStepRefusesTheRow_IsARowErrorNamingTheStep()
    {
        var catalog = new TabularStepCatalog([new AgeInMonths()]);
        var tabular = Bind(StepManifests.With("""{"kind": "code", "name": "months", "step": "age_from_months"}""", ""), catalog);

        var exception = Assert.Throws<ServingException>(() => Predict(tabular, """{"instances": [{"city": "Bergen"}]}"""));

        Assert.Contains("row 0: pre[0] ('months'): only Oslo and Trondheim keep months", exception.Message);
    }

    [Fact]
    public void Bind_UnknownOrWrongSideCodeStep_IsBadRequestNamingTheStep()
    {
        var catalog = new TabularStepCatalog([new ConfidenceBandStep()]);
        var unknown = StepManifests.With("", """{"kind": "rule", "when": "true", "annotation": "a"}, {"kind": "code", "step": "nope"}""");
        var wrongSide = StepManifests.With("""{"kind": "code", "step": "confidence_band"}""", "");

        var first = Assert.Throws<ServingException>(() => catalog.Check(TabularTestModel.Manifest(unknown)));
        var second = Assert.Throws<ServingException>(() => Bind(wrongSide, catalog));

        Assert.Equal("Manifest field 'post[1].step': no code step named 'nope' is registered in this app; it has 'confidence_band'.", first.Message);
        Assert.Equal("Manifest field 'pre[0].step': code step 'confidence_band' is not a pre step.", second.Message);
    }

    [Fact]
    public void Catalog_TwoStepsWithOneName_FailAtStartup()
    {
        var exception = Assert.Throws<InvalidOperationException>(() => new TabularStepCatalog([new ConfidenceBandStep(), new ImpostorBand()]));

        Assert.Contains("both named 'confidence_band'", exception.Message);
    }

    [Fact]
    public void AddTabularStep_RegisteredTwice_IsOneStepInTheCatalog()
    {
        var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection();
        services.AddTabularStep<ConfidenceBandStep>().AddTabularStep<ConfidenceBandStep>().AddTabularStep<AgeInMonths>();

        using var provider = Microsoft.Extensions.DependencyInjection.ServiceCollectionContainerBuilderExtensions.BuildServiceProvider(services);
        var catalog = (TabularStepCatalog)provider.GetService(typeof(TabularStepCatalog))!;

        Assert.Equal(["age_from_months", "confidence_band"], catalog.Names);
    }

    [Fact]
    public void Write_AnswerShowsModelLabelAnnotationsAndRules_OnlyWhereTheStepsActed()
    {
        var tabular = Bind(StepManifests.Business);
        var answer = Predict(tabular, """{"instances": [{"age": 70, "city": "Oslo"}, {"age": 90, "city": "Trondheim"}]}""");

        using var output = new PooledBufferWriter();
        TabularResponseWriter.Write(output, "m", "1", answer);
        using var json = JsonDocument.Parse(output.WrittenMemory);

        var rows = json.RootElement.GetProperty("predictions").EnumerateArray().ToList();
        Assert.Equal("review", rows[0].GetProperty("label").GetString());
        Assert.Equal("yes", rows[0].GetProperty("model_label").GetString());
        Assert.Equal("refer to review", rows[0].GetProperty("annotations")[0].GetString());
        Assert.Equal("senior_review", rows[0].GetProperty("rules")[0].GetString());
        Assert.Equal("review", rows[1].GetProperty("label").GetString());
        var plain = Predict(Bind("{" + StepManifests.Features + "}"), """{"instances": [{"age": 30, "city": "Oslo"}]}""");
        using var plainOutput = new PooledBufferWriter();
        TabularResponseWriter.Write(plainOutput, "m", "1", plain);
        var plainText = Encoding.UTF8.GetString(plainOutput.WrittenSpan);
        Assert.DoesNotContain("model_label", plainText);
        Assert.DoesNotContain("annotations", plainText);
        Assert.DoesNotContain("rules", plainText);
    }

    [Fact]
    public void ModelPredictions_OfAnswers_AreWhatTheModelSaid()
    {
        var tabular = Bind(StepManifests.Business);
        var answer = Predict(tabular, """{"instances": [{"age": 70, "city": "Oslo"}, {"age": 30, "city": "Bergen"}]}""");
        var untouched = Predict(Bind("{" + StepManifests.Features + "}"), """{"instances": [{"age": 70, "city": "Oslo"}, {"age": 30, "city": "Bergen"}]}""");

        var logged = ModelPredictions.Of(answer);

        Assert.Equal(untouched.Select(p => (p.Label, p.Probability)), logged.Select(p => (p.Label, p.Probability)));
        Assert.Same(untouched, ModelPredictions.Of(untouched));
    }

    [Fact]
    public void Allocations_PreStepsAddNothingPerRow_PostStepsOnlyForChangedRows()
    {
        const int rows = 2000;
        var body = Encoding.UTF8.GetBytes("{\"instances\": [" + string.Join(",", Enumerable.Range(0, rows).Select(i => $$"""{"age": {{20 + (i % 60)}}, "city": "{{ReferenceModels.Cities[i % 3]}}"}""")) + "]}");
        var plain = Bind("{" + StepManifests.Features + "}");
        var steps = Bind(StepManifests.With(
            """{"kind": "default", "feature": "city", "value": "Oslo"}, {"kind": "clip", "feature": "age", "min": 18, "max": 100}, {"kind": "derive", "feature": "age", "expression": "if(city == 'Oslo' and age > 90, 90, age)"}""",
            """{"kind": "rule", "when": "age > 200 and probability > 0.3", "label": "review", "annotation": "refer to review"}"""));

        var readPlain = BytesPerRow(() => Fill(plain, body), rows);
        var readSteps = BytesPerRow(() => Fill(steps, body), rows);
        var predictions = Enumerable.Range(0, rows).Select(_ => new TabularPrediction { Label = "no", Probability = 0.6, Scores = [0.6, 0.4], Classes = ["no", "yes"] }).ToArray();
        var batch = Fill(steps, body);
        var decideUnchanged = BytesPerRow(() => steps.Decide(batch, predictions), rows);

        Assert.Equal(readPlain, readSteps, 1.0);
        Assert.True(decideUnchanged < 1, $"post steps allocated {decideUnchanged} B per unchanged row");
        Assert.All(predictions, p => Assert.Null(p.ModelPrediction));
    }

    private static FeatureBatch Fill(TabularModel tabular, byte[] body)
    {
        var batch = tabular.CreateBatch(capacity: 2048);
        batch.AddRecordsJson(body);
        return batch;
    }

    private static double BytesPerRow(Action action, int rows)
    {
        action();
        var before = GC.GetAllocatedBytesForCurrentThread();
        action();
        return (GC.GetAllocatedBytesForCurrentThread() - before) / (double)rows;
    }

    private TabularModel Bind(string manifest, TabularStepCatalog? catalog = null) =>
        TabularModel.Bind(TabularTestModel.Manifest(manifest), _model.Model.Version, catalog);

    private TabularPrediction[] Predict(TabularModel tabular, string body)
    {
        var batch = tabular.CreateBatch(capacity: 4);
        batch.AddRecordsJson(Encoding.UTF8.GetBytes(body));
        return tabular.Predict(_model.Model, batch);
    }

    /// <summary>A test pre step: sets age from a fixed number of months, refusing Bergen.</summary>
    private sealed class AgeInMonths : ITabularPreStep
    {
        public const int Months = 1020;

        public string Name => "age_from_months";

        public IReadOnlyList<string> Sets => ["age"];

        public string? Apply(TabularRow row)
        {
            if (row.GetCategory("city") == "Bergen")
            {
                return "only Oslo and Trondheim keep months";
            }

            row.SetNumber("age", Months / 12.0);
            return null;
        }
    }

    private sealed class ImpostorBand : ITabularPostStep
    {
        public string Name => ConfidenceBandStep.StepName;

        public void Apply(TabularRow row, PredictionDecision decision)
        {
        }
    }
}
