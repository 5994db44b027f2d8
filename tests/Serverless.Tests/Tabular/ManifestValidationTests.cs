using System.Text;
using System.Text.Json.Nodes;
using Serverless.Core.Errors;
using Serverless.Core.Models;
using Serverless.TestModels;

namespace Serverless.Tests.Tabular;

public sealed class ManifestValidationTests
{
    private static readonly TensorSpec[] LogisticInputs = [new("input", "FP32", [-1, 10])];
    private static readonly TensorSpec[] LogisticOutputs = [new("probability", "FP32", [-1, 1])];
    private static readonly TensorSpec[] PerFeatureInputs = [new("age", "FP32", [-1, 1]), new("city", "BYTES", [-1, 1])];
    private static readonly TensorSpec[] PerFeatureOutputs = [new("probability", "FP32", [-1, 1]), new("probabilities", "FP32", [-1, 2])];

    public static TheoryData<string, string> ReferenceModelsAndManifests => new()
    {
        { "logistic", ReferenceManifests.LogisticRegression() },
        { "per-feature-binary", ReferenceManifests.PerFeatureBinary() },
        { "per-feature-binary-p1", ReferenceManifests.PerFeatureBinary("probability") },
        { "multiclass-zipmap", ReferenceManifests.ZipMapMulticlass() },
        { "multiclass-tensor", ReferenceManifests.ZipMapMulticlass("probabilities") },
        { "multiclass-label", ReferenceManifests.ZipMapMulticlass(probabilityOutput: null) },
        { "regression", ReferenceManifests.PerFeatureRegression() },
    };

    [Theory]
    [MemberData(nameof(ReferenceModelsAndManifests))]
    public void Validate_ReferenceManifestAgainstItsModel_Passes(string model, string manifestJson)
    {
        var onnx = model switch
        {
            "logistic" => ReferenceModels.LogisticRegression(),
            "regression" => ReferenceModels.PerFeatureRegression(),
            _ when model.StartsWith("per-feature", StringComparison.Ordinal) => ReferenceModels.PerFeatureBinaryClassifier(),
            _ => ReferenceModels.ZipMapMulticlassClassifier(),
        };
        using var loaded = Support.TestModel.Load(onnx);

        var exception = Record.Exception(() => ManifestValidator.Validate(TabularTestModel.Manifest(manifestJson), loaded.Model.Version));

        Assert.Null(exception);
    }

    [Theory]
    [InlineData("task", "\"forecast\"", "'task'")]
    [InlineData("threshold", "1.5", "'threshold'")]
    [InlineData("threshold", "-0.1", "'threshold'")]
    [InlineData("threshold", "\"high\"", "The manifest field 'threshold' must be a number, not a string.")]
    [InlineData("features", """[{"name":"f0","type":"numeric","min":[1]}]""", "The manifest field 'features[0].min' must be a number, not an array.")]
    [InlineData("features", "[]", "'features'")]
    [InlineData("features", """[{"name":"f0","type":"numeric"},{"name":"f0","type":"numeric"}]""", "'features[1].name'")]
    [InlineData("features", """[{"name":"","type":"numeric"}]""", "'features[0].name'")]
    [InlineData("features", """[{"name":"f0","type":"text"}]""", "'features[0].type'")]
    [InlineData("features", """[{"name":"f0","type":"numeric","min":5,"max":1}]""", "'features[0].min'")]
    [InlineData("features", """[{"name":"f0","type":"numeric","values":["a"]}]""", "'features[0].values'")]
    [InlineData("inputs", """{"layout":"columns"}""", "'inputs.layout'")]
    [InlineData("inputs", """{"layout":"tensor"}""", "'inputs.name'")]
    [InlineData("outputs", """{"score":"probability"}""", "'outputs.score'")]
    [InlineData("outputs", "{}", "'outputs.probability' or 'outputs.label'")]
    [InlineData("class_labels", """["only"]""", "'class_labels'")]
    [InlineData("class_labels", """["a","a"]""", "'class_labels'")]
    [InlineData("treshold", "0.5", "Unknown field 'treshold' (known fields: task, features, inputs, outputs, class_labels, threshold, feature_sets, pre, post).")]
    public void Parse_StructurallyInvalidField_ThrowsBadRequestNamingTheField(string field, string valueJson, string expectedInMessage)
    {
        var json = With(ReferenceManifests.LogisticRegression(), field, valueJson);

        var error = Assert.Throws<ServingException>(() => ModelManifest.Parse(Encoding.UTF8.GetBytes(json)));

        Assert.Equal(ServingErrorKind.BadRequest, error.Kind);
        Assert.Contains(expectedInMessage, error.Message);
    }

    [Fact]
    public void Validate_TensorLayoutNamingAMissingInput_ThrowsNamingInputsName()
    {
        var manifest = TabularTestModel.Manifest(With(ReferenceManifests.LogisticRegression(), "inputs", """{"layout":"tensor","name":"features"}"""));

        var error = Assert.Throws<ServingException>(() => ManifestValidator.Validate(manifest, LogisticInputs, LogisticOutputs));

        Assert.Contains("'inputs.name'", error.Message);
        Assert.Contains("'features' is not an input", error.Message);
    }

    [Fact]
    public void Validate_TensorLayoutWithFewerFeaturesThanTheFixedWidth_ThrowsNamingBothCounts()
    {
        var manifest = TabularTestModel.Manifest(ReferenceManifests.LogisticRegression(features: 9));

        var error = Assert.Throws<ServingException>(() => ManifestValidator.Validate(manifest, LogisticInputs, LogisticOutputs));

        Assert.Contains("'features' lists 9 feature(s)", error.Message);
        Assert.Contains("takes 10", error.Message);
    }

    [Fact]
    public void Validate_TensorLayoutWithCategoricalFeature_ThrowsSuggestingPerFeature()
    {
        var json = With(ReferenceManifests.LogisticRegression(features: 1), "features", """[{"name":"f0","type":"categorical"}]""");

        var error = Assert.Throws<ServingException>(() => ModelManifest.Parse(Encoding.UTF8.GetBytes(json)));

        Assert.Contains("'features[0].type'", error.Message);
        Assert.Contains("per_feature", error.Message);
    }

    [Fact]
    public void Validate_PerFeatureWithAFeatureTheModelLacks_ThrowsNamingTheFeature()
    {
        var json = With(ReferenceManifests.PerFeatureBinary(), "features", """[{"name":"age","type":"numeric"},{"name":"town","type":"categorical"}]""");

        var error = Assert.Throws<ServingException>(() => ManifestValidator.Validate(TabularTestModel.Manifest(json), PerFeatureInputs, PerFeatureOutputs));

        Assert.Contains("'features[1].name'", error.Message);
        Assert.Contains("'town'", error.Message);
    }

    [Fact]
    public void Validate_PerFeatureLeavingAModelInputUnfed_ThrowsNamingTheInput()
    {
        var json = With(ReferenceManifests.PerFeatureBinary(), "features", """[{"name":"age","type":"numeric"}]""");

        var error = Assert.Throws<ServingException>(() => ManifestValidator.Validate(TabularTestModel.Manifest(json), PerFeatureInputs, PerFeatureOutputs));

        Assert.Contains("'features'", error.Message);
        Assert.Contains("'city'", error.Message);
    }

    [Fact]
    public void Validate_PerFeatureCategoricalOnANumericInput_ThrowsNamingTheType()
    {
        var json = With(ReferenceManifests.PerFeatureBinary(), "features", """[{"name":"age","type":"categorical"},{"name":"city","type":"categorical"}]""");

        var error = Assert.Throws<ServingException>(() => ManifestValidator.Validate(TabularTestModel.Manifest(json), PerFeatureInputs, PerFeatureOutputs));

        Assert.Contains("'features[0].type'", error.Message);
        Assert.Contains("BYTES", error.Message);
    }

    [Fact]
    public void Validate_DeclaredOutputMissingFromTheModel_ThrowsNamingTheOutputField()
    {
        var manifest = TabularTestModel.Manifest(ReferenceManifests.PerFeatureBinary(probabilityOutput: "prob"));

        var error = Assert.Throws<ServingException>(() => ManifestValidator.Validate(manifest, PerFeatureInputs, PerFeatureOutputs));

        Assert.Contains("'outputs.probability'", error.Message);
        Assert.Contains("'prob' is not an output", error.Message);
    }

    [Fact]
    public void Validate_ClassLabelsCountDifferentFromTheFixedProbabilityWidth_ThrowsNamingClassLabels()
    {
        var manifest = TabularTestModel.Manifest(With(ReferenceManifests.ZipMapMulticlass("probabilities"), "class_labels", """["cat","ant","bee","dog"]"""));
        using var model = Support.TestModel.Load(ReferenceModels.ZipMapMulticlassClassifier());

        var error = Assert.Throws<ServingException>(() => ManifestValidator.Validate(manifest, model.Model.Version));

        Assert.Contains("'class_labels' has 4 labels", error.Message);
        Assert.Contains("3 classes", error.Message);
    }

    [Fact]
    public void Validate_MulticlassReadingAOneColumnProbability_Throws()
    {
        var json = With(With(ReferenceManifests.PerFeatureBinary("probability"), "task", "\"multiclass\""), "threshold", null);

        var error = Assert.Throws<ServingException>(() => ManifestValidator.Validate(TabularTestModel.Manifest(json), PerFeatureInputs, PerFeatureOutputs));

        Assert.Contains("'outputs.probability'", error.Message);
        Assert.Contains("only a binary task", error.Message);
    }

    [Fact]
    public void Validate_RegressionWithScoreAndValue_ThrowsAskingForOne()
    {
        var json = With(ReferenceManifests.PerFeatureRegression(), "outputs", """{"score":"variable","value":"variable"}""");

        var error = Assert.Throws<ServingException>(() => ModelManifest.Parse(Encoding.UTF8.GetBytes(json)));

        Assert.Contains("'outputs.score' and 'outputs.value'", error.Message);
    }

    [Fact]
    public void ComputeSha256_SameManifestWithOtherWhitespaceOrderAndNumberSpelling_IsEqual()
    {
        var compact = """{"task":"binary","features":[{"name":"age","type":"numeric","min":0,"max":120}],"inputs":{"layout":"per_feature"},"outputs":{"probability":"p"},"threshold":0.5}""";
        var reordered = """
            { "threshold": 5e-1, "outputs": { "probability": "p" }, "inputs": { "layout": "per_feature" },
              "features": [ { "max": 120.0, "type": "numeric", "name": "age", "min": 0 } ], "task": "binary" }
            """;

        var a = TabularTestModel.Manifest(compact);
        var b = TabularTestModel.Manifest(reordered);
        var c = TabularTestModel.Manifest(compact.Replace("0.5", "0.6"));

        Assert.Equal(a.ComputeSha256(), b.ComputeSha256());
        Assert.Equal(a.ToCanonicalJson(), b.ToCanonicalJson());
        Assert.NotEqual(a.ComputeSha256(), c.ComputeSha256());
    }

    [Fact]
    public void ToCanonicalJson_ParsedAgain_RoundTripsEveryField()
    {
        var manifest = TabularTestModel.Manifest(ReferenceManifests.PerFeatureBinary(threshold: 0.25));

        var again = ModelManifest.Parse(manifest.ToCanonicalJson());

        Assert.Equal(TabularTask.Binary, again.Task);
        Assert.Equal(["age", "city"], again.Features.Select(f => f.Name));
        Assert.Equal(120, again.Features[0].Max);
        Assert.Equal(ReferenceModels.Cities, again.Features[1].Values!);
        Assert.Equal(InputLayout.PerFeature, again.Inputs.Layout);
        Assert.Equal("probabilities", again.Outputs.Probability);
        Assert.Equal(["no", "yes"], again.ClassLabels!);
        Assert.Equal(0.25, again.Threshold);
    }

    /// <summary>The manifest with one top-level field replaced (or removed when <paramref name="valueJson"/> is null).</summary>
    private static string With(string manifestJson, string field, string? valueJson)
    {
        var node = JsonNode.Parse(manifestJson)!.AsObject();
        node.Remove(field);
        if (valueJson is not null)
        {
            node[field] = JsonNode.Parse(valueJson);
        }

        return node.ToJsonString();
    }
}
