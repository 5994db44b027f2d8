using Serverless.Core.Errors;
using Serverless.Core.Onnx;
using Serverless.TestModels;

namespace Serverless.Tests.Onnx;

public sealed class OnnxModelScannerTests
{
    public static TheoryData<string> HidingPlaces() =>
        ["initializer", "dotdot-initializer", "sparse-initializer", "constant-node", "sparse-constant-node", "if-branch", "function", "training-info"];

    [Theory]
    [MemberData(nameof(HidingPlaces))]
    public void Scan_ExternalDataAnywhere_IsBadRequestNamingTheTensor(string place)
    {
        var (model, tensor) = place switch
        {
            "initializer" => (HostileModels.ExternalInitializer(), "W"),
            "dotdot-initializer" => (HostileModels.ExternalInitializer("../../etc/passwd", "stolen"), "stolen"),
            "sparse-initializer" => (HostileModels.ExternalSparseInitializer(), "W"),
            "constant-node" => (HostileModels.ExternalConstantNode(), "W_value"),
            "sparse-constant-node" => (HostileModels.ExternalSparseConstantNode(), "W_values"),
            "if-branch" => (HostileModels.ExternalInIfBranch(), "W_then_value"),
            "function" => (HostileModels.ExternalInFunction(), "W_value"),
            _ => (HostileModels.ExternalInTrainingInfo(), "W_training"),
        };

        var error = Assert.Throws<ServingException>(() => OnnxModelScanner.Scan(model));

        Assert.Equal(ServingErrorKind.BadRequest, error.Kind);
        Assert.Contains("external data", error.Message);
        Assert.Contains($"tensor '{tensor}'", error.Message);
    }

    [Theory]
    [InlineData("if-branch", "the subgraph in attribute 'then_branch' of node 'If_0' (If) in the main graph")]
    [InlineData("function", "function 'AddSecret' of domain 'custom'")]
    [InlineData("constant-node", "attribute 'value' of node 'Constant_0' (Constant) in the main graph")]
    public void Scan_ExternalData_SaysWhereTheTensorIs(string place, string where)
    {
        var model = place switch
        {
            "if-branch" => HostileModels.ExternalInIfBranch(),
            "function" => HostileModels.ExternalInFunction(),
            _ => HostileModels.ExternalConstantNode(),
        };

        var error = Assert.Throws<ServingException>(() => OnnxModelScanner.Scan(model));

        Assert.Contains(where, error.Message);
    }

    [Fact]
    public void Scan_EveryReferenceModel_PassesAndCountsItsWeights()
    {
        foreach (var model in ReferenceModelBytes())
        {
            OnnxModelScanner.Scan(model);
        }

        var mlp = OnnxModelScanner.Scan(ReferenceModels.Mlp(inputs: 64, hidden1: 256, hidden2: 256, outputs: 1));

        Assert.Equal(((64 * 256) + 256 + (256 * 256) + 256 + 256 + 1) * 4L, mlp.InitializerBytes);
        Assert.Equal(0, mlp.GeneratorBytes);
    }

    [Fact]
    public void Scan_ConstantOfShapeCopies_SumsWhatEachAllocates()
    {
        var scan = OnnxModelScanner.Scan(HostileModels.ConstantOfShape([1000, 1000], copies: 3));

        Assert.Equal(3 * 1000L * 1000 * 4, scan.GeneratorBytes);
        Assert.Contains("ConstantOfShape", scan.LargestGenerator);
    }

    [Fact]
    public void Scan_ConstantOfShapeBomb_EstimatesItsFullSize()
    {
        var scan = OnnxModelScanner.Scan(HostileModels.ConstantOfShape([60_000, 60_000]));

        Assert.Equal(60_000L * 60_000 * 4, scan.GeneratorBytes);
    }

    [Fact]
    public void Scan_ShapeWhoseProductOverflows_SaturatesInsteadOfWrapping()
    {
        var scan = OnnxModelScanner.Scan(HostileModels.ConstantOfShape([1L << 40, 1L << 40, 1L << 40], copies: 2));

        Assert.Equal(long.MaxValue, scan.GeneratorBytes);
        Assert.Equal(long.MaxValue, scan.EstimatedBytes);
    }

    [Theory]
    [InlineData("expand", 100L * 100 * 4)]
    [InlineData("tile", 100L * 100 * 4)]
    [InlineData("range", 1000L * 4)]
    public void Scan_GeneratorFromConstants_EstimatesItsOutput(string op, long bytes)
    {
        var model = op switch
        {
            "expand" => HostileModels.Expand([100, 100]),
            "tile" => HostileModels.Tile(100, 50),
            _ => HostileModels.Range(1000),
        };

        Assert.Equal(bytes, OnnxModelScanner.Scan(model).GeneratorBytes);
    }

    [Fact]
    public void Scan_ShapeConcatenatedFromConstantNodes_IsFollowedToTheGenerator()
    {
        var builder = new OnnxGraphBuilder("concat_shape").Input("x", OnnxElementType.Float, 1L, 1L, 1L, 1L);
        for (var i = 0; i < 4; i++)
        {
            builder.Node("Constant", [], [$"d{i}"], attributes: ("value_ints", new long[] { 10 }));
        }

        var model = builder
            .Node("Concat", ["d0", "d1", "d2", "d3"], ["shape"], attributes: ("axis", 0L))
            .Node("Identity", ["shape"], ["shape_copy"])
            .Node("ConstantOfShape", ["shape_copy"], ["big"], attributes: ("value", OnnxTensorValue.Float("one", [1f], 1)))
            .Node("Add", ["x", "big"], ["y"])
            .Output("y", OnnxElementType.Float, 10L, 10L, 10L, 10L)
            .Build();

        Assert.Equal(10_000L * 4, OnnxModelScanner.Scan(model).GeneratorBytes);
    }

    [Fact]
    public void Scan_SparseInitializer_CountsItsDenseSize()
    {
        var model = new OnnxGraphBuilder("sparse")
            .Input("x", OnnxElementType.Float, "N", 4L)
            .SparseInitializer(new OnnxSparseTensorValue(OnnxTensorValue.Float("W", [1f], 1), OnnxTensorValue.Int64("W_indices", [0], 1), [100_000, 100_000]))
            .Node("Identity", ["x"], ["y"])
            .Output("y", OnnxElementType.Float, "N", 4L)
            .Build();

        Assert.Equal(100_000L * 100_000 * 4, OnnxModelScanner.Scan(model).InitializerBytes);
    }

    [Fact]
    public void Scan_TenThousandNestedSubgraphs_IsBadRequestWithoutOverflowingTheStack()
    {
        var error = Assert.Throws<ServingException>(() => OnnxModelScanner.Scan(HostileModels.NestedSubgraphs(10_000)));

        Assert.Equal(ServingErrorKind.BadRequest, error.Kind);
        Assert.Contains("levels deep", error.Message);
    }

    [Fact]
    public void Scan_NestingWithinTheLimit_Passes()
    {
        OnnxModelScanner.Scan(HostileModels.NestedSubgraphs(30));
    }

    [Fact]
    public void Scan_OrtFormatBytes_IsBadRequest()
    {
        var bytes = new byte[64];
        "ORTM"u8.CopyTo(bytes.AsSpan(4));

        var error = Assert.Throws<ServingException>(() => OnnxModelScanner.Scan(bytes));

        Assert.Contains("ORT-format", error.Message);
    }

    [Fact]
    public void Scan_EveryTruncationOfAModel_EndsInBadRequestOrAResult()
    {
        var model = HostileModels.ExternalInIfBranch();
        for (var length = 1; length < model.Length; length++)
        {
            ScanNeverThrowsOtherThanBadRequest(model[..length]);
        }
    }

    [Fact]
    public void Scan_SeededGarbageAndMutatedModels_OnlyEverThrowBadRequest()
    {
        var random = new Random(20240610);
        var seeds = ReferenceModelBytes().Concat([HostileModels.ExternalInFunction(), HostileModels.ConstantOfShape([10, 10], 2)]).ToArray();
        for (var i = 0; i < 3000; i++)
        {
            byte[] bytes;
            if (i % 3 == 0)
            {
                bytes = new byte[random.Next(1, 512)];
                random.NextBytes(bytes);
            }
            else
            {
                bytes = (byte[])seeds[random.Next(seeds.Length)].Clone();
                for (var flips = random.Next(1, 8); flips > 0; flips--)
                {
                    bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                }
            }

            ScanNeverThrowsOtherThanBadRequest(bytes);
        }
    }

    [Theory]
    [InlineData(new byte[] { 0x3A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F })]                                     // graph whose length runs past the end
    [InlineData(new byte[] { 0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01 })] // an 11-byte varint
    [InlineData(new byte[] { 0x08 })]                                                                   // a tag without its value
    [InlineData(new byte[] { 0x0B, 0x00 })]                                                             // a group (wire type 3)
    [InlineData(new byte[] { 0x00, 0x00 })]                                                             // field number 0
    public void Scan_MalformedWireFormat_IsBadRequestSayingSo(byte[] bytes)
    {
        var error = Assert.Throws<ServingException>(() => OnnxModelScanner.Scan(bytes));

        Assert.Equal(ServingErrorKind.BadRequest, error.Kind);
        Assert.Contains("not a well-formed ONNX model", error.Message);
    }

    [Fact]
    public void Scan_HostileTensorNameInTheMessage_IsTruncatedAndFreeOfControlCharacters()
    {
        var name = "evil\n\u0007" + new string('x', 5000);

        var error = Assert.Throws<ServingException>(() => OnnxModelScanner.Scan(HostileModels.ExternalInitializer(name: name)));

        Assert.DoesNotContain("\n", error.Message);
        Assert.DoesNotContain("\u0007", error.Message);
        Assert.True(error.Message.Length < 600, error.Message);
    }

    private static void ScanNeverThrowsOtherThanBadRequest(byte[] bytes)
    {
        try
        {
            OnnxModelScanner.Scan(bytes);
        }
        catch (ServingException e) when (e.Kind == ServingErrorKind.BadRequest)
        {
        }
    }

    private static IEnumerable<byte[]> ReferenceModelBytes() => ReferenceModels.All().Select(m => m.Model);
}
