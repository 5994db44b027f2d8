using System.Text;
using Serverless.Core.Errors;
using Serverless.Core.Serving;
using Serverless.Core.Tabular;
using Serverless.TestModels;

namespace Serverless.Tests.Tabular;

public sealed class FeatureBatchTests : IDisposable
{
    private readonly TabularTestModel _binary = TabularTestModel.Load(ReferenceModels.PerFeatureBinaryClassifier(), ReferenceManifests.PerFeatureBinary());
    private readonly TabularTestModel _regression = TabularTestModel.Load(ReferenceModels.PerFeatureRegression(), ReferenceManifests.PerFeatureRegression());

    public void Dispose()
    {
        _binary.Dispose();
        _regression.Dispose();
    }

    [Fact]
    public void InstancesAndDataframeSplit_SameRows_GiveIdenticalTensors()
    {
        var instances = _regression.FromJson("""
            {"instances": [{"rooms": 3, "area": 70.5, "district": "south"}, {"district": "north", "area": 30, "rooms": 1}]}
            """);
        var split = _regression.FromJson("""
            {"dataframe_split": {"index": [7, 8], "data": [[70.5, "south", 3], [30, "north", 1]], "columns": ["area", "district", "rooms"]}}
            """);

        var fromInstances = _regression.InputsOf(instances);
        var fromSplit = _regression.InputsOf(split);

        Assert.Equal(fromInstances.Keys.Order(), fromSplit.Keys.Order());
        foreach (var (name, values) in fromInstances)
        {
            Assert.Equal(values, fromSplit[name]);
        }

        Assert.Equal(new object[] { 3L, 1L }, fromInstances["rooms [2,1]"]);
        Assert.Equal(new object[] { 70.5, 30.0 }, fromInstances["area [2,1]"]);
        Assert.Equal(new object[] { "south", "north" }, fromInstances["district [2]"]);
    }

    [Fact]
    public void CsvCells_ByNameAndByPosition_GiveTheSameTensorsAsJson()
    {
        var json = _binary.FromJson("""{"instances": [{"age": 42.5, "city": "Bergen"}, {"age": 7, "city": "Oslo"}]}""");
        var byName = _binary.Tabular.CreateBatch();
        var byPosition = _binary.Tabular.CreateBatch(unknownFeatures: UnknownFeatures.Ignore);
        var header = byPosition.BindColumns(["id", "city", "age"]);

        Assert.True(byName.AddRow(new Dictionary<string, string?> { ["age"] = "42.5", ["city"] = "Bergen" }));
        Assert.True(byName.AddRow(new Dictionary<string, string?> { ["city"] = "Oslo", ["age"] = " 7 " }));
        Assert.True(byPosition.AddRow(header, ["row-1", "Bergen", "4.25e1"]));
        Assert.True(byPosition.AddRow(header, ["row-2", "Oslo", "7"]));

        var expected = _binary.InputsOf(json);
        Assert.Equal(expected, _binary.InputsOf(byName));
        Assert.Equal(expected, _binary.InputsOf(byPosition));
        Assert.Equal(new object[] { 42.5f, 7f }, expected["age [2,1]"]);
    }

    [Fact]
    public void TensorLayout_PropertiesInAnyOrder_FillColumnsInManifestOrder()
    {
        using var logistic = TabularTestModel.Load(ReferenceModels.LogisticRegression(features: 3), ReferenceManifests.LogisticRegression(features: 3));

        var batch = logistic.FromJson("""{"instances": [{"f2": 3, "f0": 1, "f1": 2}, {"f1": 5, "f2": 6, "f0": 4}]}""");

        Assert.Equal(new object[] { 1f, 2f, 3f, 4f, 5f, 6f }, logistic.InputsOf(batch)["input [2,3]"]);
    }

    [Theory]
    [InlineData("""{"age": "old", "city": "Oslo"}""", "age", "expected a number, got the string \"old\"")]
    [InlineData("""{"age": true, "city": "Oslo"}""", "age", "expected a number, got true")]
    [InlineData("""{"age": [1], "city": "Oslo"}""", "age", "expected a number, got an array")]
    [InlineData("""{"city": "Oslo"}""", "age", "missing")]
    [InlineData("""{"age": null, "city": "Oslo"}""", "age", "missing")]
    [InlineData("""{"age": 30, "city": "Oslo", "zip": 5003}""", "zip", "unknown feature")]
    [InlineData("""{"age": 30, "city": "Paris"}""", "city", "'Paris' is not one of the known categories ('Oslo', 'Bergen', 'Trondheim')")]
    [InlineData("""{"age": 121, "city": "Oslo"}""", "age", "121 is outside the range [0, 120]")]
    [InlineData("""{"age": -0.5, "city": "Oslo"}""", "age", "-0.5 is outside the range [0, 120]")]
    [InlineData("""{"age": 30, "age": 31, "city": "Oslo"}""", "age", "is given more than once")]
    public void AddRecordsJson_BadRow_ThrowsBadRequestNamingRowAndFeature(string badRow, string feature, string reason)
    {
        var body = $$"""{"instances": [{"age": 30, "city": "Oslo"}, {{badRow}}]}""";

        var error = Assert.Throws<ServingException>(() => _binary.FromJson(body));

        Assert.Equal(ServingErrorKind.BadRequest, error.Kind);
        Assert.Contains($"row 1, feature '{feature}': {reason}", error.Message);
        Assert.DoesNotContain("row 0", error.Message);
    }

    [Fact]
    public void AddRecordsJson_DataframeSplitRowWithTooFewCells_NamesTheRow()
    {
        var error = Assert.Throws<ServingException>(() => _binary.FromJson("""
            {"dataframe_split": {"columns": ["age", "city"], "data": [[30, "Oslo"], [40, "Bergen"], [50]]}}
            """));

        Assert.Contains("row 2: has 1 cell(s), but 'dataframe_split.columns' has 2", error.Message);
    }

    [Theory]
    [InlineData("""["age", "town"]""", "Column 'town' of 'dataframe_split.columns' is not a feature")]
    [InlineData("""["age"]""", "'dataframe_split.columns' has no column for feature(s) 'city'")]
    [InlineData("""["age", "city", "age"]""", "Column 'age' appears more than once")]
    public void AddRecordsJson_DataframeSplitColumnsNotMatchingFeatures_ThrowsNamingTheColumn(string columns, string expected)
    {
        var error = Assert.Throws<ServingException>(() => _binary.FromJson($$$"""{"dataframe_split": {"columns": {{{columns}}}, "data": []}}"""));

        Assert.Contains(expected, error.Message);
    }

    [Theory]
    [InlineData("""{"instances": []}""", "no rows")]
    [InlineData("""{"rows": [{"age": 1}]}""", "no rows")]
    [InlineData("""{"instances": {"age": 1}}""", "'instances' must be an array")]
    [InlineData("""{"instances": [{"age": 1, "city": "Oslo"}""", "The body is not valid JSON: the body ends before the JSON is complete (an object or array is not closed).")]
    [InlineData("""{"instances": [{"age": x}]}""", "The body is not valid JSON: line 1, column 24: 'x' cannot start a value.")]
    [InlineData("""[{"age": 1, "city": "Oslo"}]""", "must be a JSON object")]
    [InlineData("""{"instances": [{"age": 1, "city": "Oslo"}], "dataframe_split": {"columns": [], "data": []}}""", "not both")]
    public void AddRecordsJson_MalformedBody_ThrowsBadRequest(string body, string expected)
    {
        var error = Assert.Throws<ServingException>(() => _binary.FromJson(body));

        Assert.Equal(ServingErrorKind.BadRequest, error.Kind);
        Assert.True(error.Message.Contains(expected, StringComparison.Ordinal), error.Message);
    }

    [Fact]
    public void AddRecordsJson_ManyBadRows_StopsAtTheReportLimit()
    {
        var rows = string.Join(",", Enumerable.Range(0, 50).Select(_ => """{"age": "x", "city": "Oslo"}"""));
        var batch = _binary.Tabular.CreateBatch();

        var error = Assert.Throws<ServingException>(() => batch.AddRecordsJson(Encoding.UTF8.GetBytes($$"""{"instances": [{{rows}}]}"""), maxReportedErrors: 3));

        Assert.Contains("row 2, feature 'age'", error.Message);
        Assert.DoesNotContain("row 3,", error.Message);
        Assert.Contains("stopped reading after 3 errors", error.Message);
        Assert.Equal(3, batch.RejectedRowCount);
    }

    [Fact]
    public void AddRow_BadRowsInABatch_AreDroppedWithTheirErrorsWhileGoodRowsKeepTheirIndexes()
    {
        var batch = _binary.Tabular.CreateBatch(capacity: 1);

        var results = new[]
        {
            batch.AddRow(new Dictionary<string, string?> { ["age"] = "30", ["city"] = "Oslo" }),
            batch.AddRow(new Dictionary<string, string?> { ["age"] = "1,5", ["city"] = "Oslo" }),
            batch.AddRow(new Dictionary<string, string?> { ["age"] = "", ["city"] = "Bergen" }),
            batch.AddRow(new Dictionary<string, string?> { ["age"] = "55", ["city"] = "Trondheim" }),
            batch.AddRow(new Dictionary<string, string?> { ["age"] = "NaN", ["city"] = "Oslo" }),
        };

        Assert.Equal([true, false, false, true, false], results);
        Assert.Equal(2, batch.RowCount);
        Assert.Equal(3, batch.RejectedRowCount);
        Assert.Equal([0L, 3L], batch.RowIndexes.ToArray());
        Assert.Equal([30.0, 55.0], batch.GetNumeric("age").ToArray());
        Assert.Equal(["Oslo", "Trondheim"], batch.GetCategorical("city").ToArray());
        Assert.Equal(
            ["row 1, feature 'age': expected a number, got \"1,5\"", "row 2, feature 'age': missing (null or empty)", "row 4, feature 'age': expected a number, got \"NaN\""],
            batch.Errors.Select(e => e.ToString()));
        Assert.Equal(2, _binary.Tabular.Predict(_binary.Model.Model, batch).Length);
    }

    [Fact]
    public void AddRow_ExplicitRowIndexes_AreUsedInErrorsAndRowIndexes()
    {
        var batch = _binary.Tabular.CreateBatch();
        var header = batch.BindColumns(["age", "city"]);

        batch.AddRow(header, ["20", "Oslo"], rowIndex: 1000);
        batch.AddRow(header, ["20", "Lima"], rowIndex: 1001);
        batch.AddRow(header, ["20", "Oslo", "extra"]);

        Assert.Equal([1000L], batch.RowIndexes.ToArray());
        Assert.Equal(1001, batch.Errors[0].Row);
        Assert.Equal("city", batch.Errors[0].Feature);
        Assert.Equal("row 1002: has 3 cell(s), but the header has 2", batch.Errors[1].ToString());
    }

    [Theory]
    [InlineData("41.5", "Bergen")]
    [InlineData(" 7 ", "Oslo")]
    [InlineData("abc", "Oslo")]
    [InlineData("", "Oslo")]
    [InlineData("12", "Paris")]
    [InlineData("1e400", "Trondheim")]
    [InlineData("-3", "Oslo")]
    public void AddRow_Utf8Cells_AcceptAndRefuseExactlyAsStringCells(string age, string city)
    {
        var fromStrings = _binary.Tabular.CreateBatch(unknownFeatures: UnknownFeatures.Ignore);
        var fromUtf8 = _binary.Tabular.CreateBatch(unknownFeatures: UnknownFeatures.Ignore);
        var header = fromStrings.BindColumns(["id", "age", "city"]);
        var utf8Header = fromUtf8.BindColumns(["id", "age", "city"]);

        var acceptedStrings = fromStrings.AddRow(header, ["r1", age, city], rowIndex: 5);
        var acceptedUtf8 = fromUtf8.AddRow(utf8Header, new Utf8Row("r1", age, city), rowIndex: 5);

        Assert.Equal(acceptedStrings, acceptedUtf8);
        Assert.Equal(fromStrings.Errors.Select(e => e.ToString()), fromUtf8.Errors.Select(e => e.ToString()));
        if (acceptedUtf8)
        {
            Assert.Equal(fromStrings.GetNumeric("age").ToArray(), fromUtf8.GetNumeric("age").ToArray());
            Assert.Equal(fromStrings.GetCategorical("city").ToArray(), fromUtf8.GetCategorical("city").ToArray());
        }
    }

    [Fact]
    public void AddRow_Utf8CellsOfWrongCount_RefusesTheRowAsAWhole()
    {
        var batch = _binary.Tabular.CreateBatch();
        var header = batch.BindColumns(["age", "city"]);

        Assert.False(batch.AddRow(header, new Utf8Row("20", "Oslo", "extra"), rowIndex: 9));

        Assert.Equal("row 9: has 3 cell(s), but the header has 2", Assert.Single(batch.Errors).ToString());
    }

    [Fact]
    public void AllowMissing_AbsentNullAndEmptyValues_AreAcceptedAsNaNAndEmptyCategory()
    {
        using var model = TabularTestModel.Load(ReferenceModels.PerFeatureBinaryClassifier(), AllowMissing(ReferenceManifests.PerFeatureBinary()));
        var batch = model.FromJson("""{"instances": [{"city": "Oslo"}, {"age": null, "city": null}, {"age": 30, "city": "Bergen"}]}""");
        var header = batch.BindColumns(["age", "city"]);

        Assert.True(batch.AddRow(header, ["", " "]));
        Assert.True(batch.AddRow(header, new Utf8Row("", "")));

        Assert.Equal(5, batch.RowCount);
        Assert.Empty(batch.Errors);
        var ages = batch.GetNumeric("age").ToArray();
        Assert.True(double.IsNaN(ages[0]) && double.IsNaN(ages[1]) && double.IsNaN(ages[3]) && double.IsNaN(ages[4]));
        Assert.Equal(30, ages[2]);
        Assert.Equal(["Oslo", "", "Bergen", "", ""], batch.GetCategorical("city").ToArray());
        Assert.Contains("\"allow_missing\":true", Encoding.UTF8.GetString(model.Tabular.Manifest.ToCanonicalJson()));
    }

    [Fact]
    public void AllowMissing_OnAnInt64Input_IsRefusedNamingTheFeature()
    {
        var json = ReferenceManifests.PerFeatureRegression().Replace("\"name\":\"rooms\",\"type\":\"numeric\"", "\"name\":\"rooms\",\"type\":\"numeric\",\"allow_missing\":true");

        var error = Assert.Throws<ServingException>(() => TabularTestModel.Load(ReferenceModels.PerFeatureRegression(), json));

        Assert.Contains("features[0].allow_missing", error.Message);
        Assert.Contains("INT64", error.Message);
    }

    private static string AllowMissing(string manifest) =>
        manifest.Replace("\"type\":\"numeric\"", "\"type\":\"numeric\",\"allow_missing\":true")
            .Replace("\"type\":\"categorical\"", "\"type\":\"categorical\",\"allow_missing\":true");

    [Fact]
    public void BindColumns_UnknownColumnUnderReject_ThrowsNamingIt()
    {
        var batch = _binary.Tabular.CreateBatch();

        var error = Assert.Throws<ServingException>(() => batch.BindColumns(["id", "age", "city"]));

        Assert.Contains("Column 'id' of the header is not a feature", error.Message);
    }

    [Fact]
    public void AddJsonRow_JsonLines_AcceptsGoodLinesAndRefusesMalformedOnes()
    {
        var batch = _regression.Tabular.CreateBatch(unknownFeatures: UnknownFeatures.Ignore);
        string[] lines =
        [
            """{"id": "a", "rooms": 2, "area": 50, "district": "north"}""",
            """{"rooms": 2, "area": 50, "district": "north" """,
            """{"rooms": 2.5, "area": 50, "district": "north"}""",
            """["rooms", 2]""",
            """{"rooms": 4, "area": 80.25, "district": "south", "note": {"x": 1}}""",
        ];

        var accepted = lines.Select(l => batch.AddJsonRow(Encoding.UTF8.GetBytes(l))).ToArray();

        Assert.Equal([true, false, false, false, true], accepted);
        Assert.Equal([0L, 4L], batch.RowIndexes.ToArray());
        Assert.Contains(batch.Errors, e => e.Row == 1 && e.Feature is null && e.Reason == "not valid JSON: the line ends before the JSON is complete (an object or array is not closed)");
        Assert.Contains(batch.Errors, e => e.Row == 2 && e.Feature == "rooms" && e.Reason.Contains("whole number"));
        Assert.Contains(batch.Errors, e => e.Row == 3 && e.Feature is null);
        Assert.Equal([2.0, 4.0], batch.GetNumeric("rooms").ToArray());
    }

    [Fact]
    public void CategoricalFeature_NumbersAndEscapedStrings_AreTakenAsTheirText()
    {
        var manifest = """
            {"task": "binary", "features": [{"name": "age", "type": "numeric"}, {"name": "city", "type": "categorical"}],
             "inputs": {"layout": "per_feature"}, "outputs": {"probability": "probability"}}
            """;
        using var open = TabularTestModel.Load(ReferenceModels.PerFeatureBinaryClassifier(), manifest);

        var batch = open.FromJson("""{"instances": [{"age": 1, "city": 5003}, {"age": 2, "city": "Troms\u00f8 \"N\""}, {"age": 3, "city": false}]}""");

        Assert.Equal(["5003", "Tromsø \"N\"", "false"], batch.GetCategorical("city").ToArray());
    }

    [Fact]
    public void Clear_AfterRows_EmptiesTheBatchAndRestartsIndexes()
    {
        var batch = _binary.Tabular.CreateBatch(capacity: 2);
        for (var i = 0; i < 5; i++)
        {
            batch.AddRow(new Dictionary<string, string?> { ["age"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture), ["city"] = i == 2 ? "x" : "Oslo" });
        }

        Assert.Equal(4, batch.RowCount);
        batch.Clear();
        batch.AddRow(new Dictionary<string, string?> { ["age"] = "9", ["city"] = "Bergen" });

        Assert.Equal(1, batch.RowCount);
        Assert.Empty(batch.Errors);
        Assert.Equal([0L], batch.RowIndexes.ToArray());
        Assert.Equal([9.0], batch.GetNumeric("age").ToArray());
    }

    [Fact]
    public void ToInputs_BatchOfAnotherModel_Throws()
    {
        var batch = _regression.Tabular.CreateBatch();

        Assert.Throws<ArgumentException>(() => _binary.Tabular.ToInputs(batch));
    }

    private sealed class Utf8Row(params string[] cells) : IUtf8Cells
    {
        private readonly byte[][] _cells = cells.Select(Encoding.UTF8.GetBytes).ToArray();

        public int Count => _cells.Length;

        public ReadOnlySpan<byte> this[int index] => _cells[index];
    }
}
