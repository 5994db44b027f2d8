using System.Text;
using Serverless.Core.Errors;
using Serverless.Core.Models;
using Serverless.Core.Tabular.Steps;
using Serverless.Core.Tabular.Steps.Examples;

namespace Serverless.Tests.Tabular.Steps;

public sealed class ManifestStepsParsingTests
{
    [Fact]
    public void Parse_StepsRoundTripThroughCanonicalJson_WithMapsSorted()
    {
        var manifest = Parse(StepManifests.Business);

        var canonical = Encoding.UTF8.GetString(manifest.ToCanonicalJson());
        var again = Parse(canonical);

        Assert.Equal(canonical, Encoding.UTF8.GetString(again.ToCanonicalJson()));
        Assert.Contains("""
            "pre":[{"kind":"default","feature":"city","value":"Oslo"},{"kind":"clip","name":"adult_ages","feature":"age","min":5,"max":100}]
            """.Trim(), canonical);
        Assert.Contains("""
            {"kind":"threshold","segment":"city","thresholds":{"Bergen":0.7,"Trondheim":0.4},"default":0.5}
            """.Trim(), canonical);
        Assert.Contains("""{"kind":"label_map","map":{"no":"stay","yes":"churn"}}""", canonical);
        var rule = Assert.IsType<RuleStepSpec>(again.Post[1]);
        Assert.Equal(("senior_review", "review", "refer to review"), (rule.Name, rule.Label, rule.Annotation));
    }

    [Fact]
    public void Parse_WithoutSteps_CanonicalJsonHasNoStepMembers()
    {
        var canonical = Encoding.UTF8.GetString(Parse("{" + StepManifests.Features + "}").ToCanonicalJson());

        Assert.DoesNotContain("\"pre\"", canonical);
        Assert.DoesNotContain("\"post\"", canonical);
    }

    [Theory]
    [InlineData("""{"kind": "derive", "feature": "age"}""", "", "Manifest field 'pre[0].expression' is required.")]
    [InlineData("""{"kind": "derive", "feature": "age", "expression": "1", "when": "true"}""", "", "Manifest field 'pre[0].when' is not a member of a 'derive' step")]
    [InlineData("""{"kind": "explode"}""", "", "Manifest field 'pre[0].kind' is 'explode'; use derive, default, clip or code.")]
    [InlineData("""{"feature": "age"}""", "", "Manifest field 'pre[0].kind' is required")]
    [InlineData("""{"kind": "derive", "feature": "height", "expression": "1"}""", "", "Manifest field 'pre[0].feature': 'height' is not a feature")]
    [InlineData("""{"kind": "derive", "feature": "age", "expression": "city"}""", "", "Manifest field 'pre[0].expression' gives a text, but feature 'age' is numeric.")]
    [InlineData("""{"kind": "default", "feature": "age", "value": "old"}""", "", "Manifest field 'pre[0].value' must be a number")]
    [InlineData("""{"kind": "default", "feature": "city", "value": [1]}""", "", "Manifest field 'pre[0].value' must be a number or a string.")]
    [InlineData("""{"kind": "clip", "feature": "city", "min": 1}""", "", "Manifest field 'pre[0].feature': 'city' is categorical")]
    [InlineData("""{"kind": "clip", "feature": "age", "min": 5, "max": 1}""", "", "Manifest field 'pre[0].min' (5) is greater than 'pre[0].max' (1).")]
    [InlineData("""{"kind": "clip", "feature": "age"}""", "", "Manifest field 'pre[0]' needs 'min', 'max' or both.")]
    [InlineData("", """{"kind": "rule", "when": "age > 1"}""", "Manifest field 'post[0]' needs 'label', 'annotation' or both")]
    [InlineData("", """{"kind": "rule", "when": "age + 1", "label": "x"}""", "Manifest field 'post[0].when' is a number, but this step needs a boolean")]
    [InlineData("", """{"kind": "label_map", "map": {}}""", "Manifest field 'post[0].map' must have 1 to 1000 entries.")]
    [InlineData("", """{"kind": "label_map", "map": {"yes": ""}}""", "Manifest field 'post[0].map.yes'")]
    [InlineData("", """{"kind": "threshold", "segment": "city", "thresholds": {"Oslo": 1.5}}""", "Manifest field 'post[0].thresholds.Oslo' must be between 0 and 1; got 1.5.")]
    [InlineData("", """{"kind": "threshold", "segment": "age", "thresholds": {"old": 0.5}}""", "the segment is a number, so its keys are numbers, not 'old'")]
    [InlineData("", """{"kind": "threshold", "segment": "age > 60", "thresholds": {"old": 0.5}}""", "its keys are 'true' and 'false', not 'old'")]
    [InlineData("", """{"kind": "code"}""", "Manifest field 'post[0].step' is required.")]
    [InlineData("", """{"kind": "rule", "name": "", "when": "true", "annotation": "x"}""", "Manifest field 'post[0].name' must have 1 to 64 characters.")]
    public void Parse_StepMistake_IsBadRequestNamingTheStep(string pre, string post, string expected)
    {
        var exception = Assert.Throws<ServingException>(() => Parse(StepManifests.With(pre, post)));

        Assert.Equal(ServingErrorKind.BadRequest, exception.Kind);
        Assert.Contains(expected, exception.Message);
    }

    [Fact]
    public void Parse_SecondPostStepsBadCondition_NamesPostOneWhen()
    {
        var exception = Assert.Throws<ServingException>(() => Parse(StepManifests.With("",
            """{"kind": "rule", "when": "true", "annotation": "a"}, {"kind": "rule", "when": "amount > 10000 and probability > 0.3", "label": "review"}""")));

        Assert.StartsWith("Manifest field 'post[1].when' reads 'amount', which is not a feature or a prediction field", exception.Message);
    }

    [Theory]
    [InlineData("regression-label")]
    [InlineData("threshold-multiclass")]
    public void Parse_StepForAnotherTask_IsRefused(string scenario)
    {
        var json = scenario == "regression-label"
            ? """{"task": "regression", "features": [{"name": "x", "type": "numeric"}], "inputs": {"layout": "per_feature"}, "outputs": {"score": "y"}, "post": [{"kind": "rule", "when": "value > 1", "label": "big"}]}"""
            : """{"task": "multiclass", "features": [{"name": "x", "type": "numeric"}], "inputs": {"layout": "per_feature"}, "outputs": {"probability": "p"}, "post": [{"kind": "threshold", "segment": "x", "thresholds": {"1": 0.2}}]}""";

        var exception = Assert.Throws<ServingException>(() => Parse(json));

        Assert.Contains("Manifest field 'post[0]", exception.Message);
    }

    [Fact]
    public void Parse_PreStepReadingAFeatureOnlyALaterStepDerives_IsBadRequestNamingBothSteps()
    {
        var exception = Assert.Throws<ServingException>(() => Parse(StepManifests.With(
            """{"kind": "derive", "feature": "city", "expression": "if(age > 60, 'Oslo', 'Bergen')"}, {"kind": "derive", "name": "ages", "feature": "age", "expression": "age * 2"}""", "")));

        Assert.Equal(ServingErrorKind.BadRequest, exception.Kind);
        Assert.StartsWith("Manifest field 'pre[0].expression' reads feature 'age' before 'pre[1] ('ages')' derives it", exception.Message);
    }

    [Theory]
    [InlineData("""{"kind": "derive", "feature": "age", "expression": "age * 2"}, {"kind": "derive", "feature": "city", "expression": "if(age > 60, 'Oslo', 'Bergen')"}""")]
    [InlineData("""{"kind": "derive", "feature": "age", "expression": "age * 2"}""")]
    [InlineData("""{"kind": "derive", "feature": "city", "expression": "if(age > 60, 'Oslo', 'Bergen')"}, {"kind": "clip", "feature": "age", "max": 90}""")]
    public void Parse_PreStepsReadingWhatIsDerivedBeforeOrByThemselves_AreAccepted(string pre)
    {
        var manifest = Parse(StepManifests.With(pre, ""));

        Assert.NotEmpty(manifest.Pre);
    }

    [Fact]
    public void Check_OrderIsARegistrationRule_AManifestStoredBeforeItStillCompilesWhenBound()
    {
        var manifest = ModelManifest.Parse(Encoding.UTF8.GetBytes(StepManifests.With(
            """{"kind": "derive", "feature": "city", "expression": "if(age > 60, 'Oslo', 'Bergen')"}, {"kind": "derive", "feature": "age", "expression": "age * 2"}""", "")));

        var compiled = TabularSteps.Compile(manifest);

        Assert.NotNull(compiled.Pre);
        Assert.Throws<ServingException>(() => TabularStepCatalog.Empty.Check(manifest));
    }

    [Fact]
    public void Parse_TooManySteps_IsRefused()
    {
        var steps = string.Join(", ", Enumerable.Repeat("""{"kind": "rule", "when": "true", "annotation": "a"}""", 65));

        var exception = Assert.Throws<ServingException>(() => Parse(StepManifests.With("", steps)));

        Assert.Equal("Manifest field 'post' lists more than 64 steps.", exception.Message);
    }

    /// <summary>Parses and checks the steps as registration does.</summary>
    private static ModelManifest Parse(string json)
    {
        var manifest = ModelManifest.Parse(Encoding.UTF8.GetBytes(json));
        new TabularStepCatalog([new ConfidenceBandStep()]).Check(manifest);
        return manifest;
    }
}
