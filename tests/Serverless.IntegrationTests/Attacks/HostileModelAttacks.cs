using System.Net;
using Serverless.IntegrationTests.Attacks.Support;
using Serverless.IntegrationTests.Support;
using Serverless.TestModels;

namespace Serverless.IntegrationTests.Attacks;

/// <summary>
/// Models are untrusted input, even from an operator: one that would make ONNX Runtime read a file of the host, one
/// that is tiny on disk and huge in memory, one whose warm-up would be huge, and bytes that are not ONNX at all.
/// </summary>
[Collection(AttackCollection.Name)]
public sealed class HostileModelAttacks
{
    private readonly AttackFixture _target;

    public HostileModelAttacks(AttackFixture target)
    {
        _target = target;
    }

    public static TheoryData<string> ExternalDataPlaces => ["initializer", "sparse", "constant-node", "if-branch", "function", "training-info"];

    [Theory]
    [MemberData(nameof(ExternalDataPlaces))]
    public async Task ModelReadingAHostFileAsExternalData_Is400AndNothingIsStored(string place)
    {
        var model = place switch
        {
            "initializer" => HostileModels.ExternalInitializer("../../../../../../etc/passwd"),
            "sparse" => HostileModels.ExternalSparseInitializer(),
            "constant-node" => HostileModels.ExternalConstantNode(),
            "if-branch" => HostileModels.ExternalInIfBranch(),
            "function" => HostileModels.ExternalInFunction(),
            _ => HostileModels.ExternalInTrainingInfo(),
        };

        await Attack.RefusedAsync(_target, () => _target.Operator.PutBytesAsync($"models/hostile-{place}/versions/1", model),
            HttpStatusCode.BadRequest, "external data");
    }

    [Fact]
    public async Task TinyModelHugeInMemory_Is400BeforeOnnxRuntimeLoadsIt_AndMemoryStaysFlat()
    {
        // Five ConstantOfShape nodes of 15,000 x 15,000 floats: 1.1 KB on disk, 4.5 GB once folded or run.
        var bomb = HostileModels.ConstantOfShape([15_000, 15_000], copies: 5);

        await Attack.RefusedAsync(_target, () => _target.Operator.PutBytesAsync("models/hostile-bomb/versions/1", bomb),
            HttpStatusCode.BadRequest, "Registry:MaxSessionBytes", maxGrowthBytes: 64L * 1024 * 1024);
    }

    [Fact]
    public async Task ModelWhoseWarmupWouldBeHuge_Is400NamingTheBudget()
    {
        await Attack.RefusedAsync(_target, () => _target.Operator.PutBytesAsync("models/hostile-warmup/versions/1", HostileModels.FixedInput(60_000, 60_000)),
            HttpStatusCode.BadRequest, "Serving:MaxWarmupElements", maxGrowthBytes: 64L * 1024 * 1024);
    }

    [Fact]
    public async Task BytesThatAreNotOnnx_Are400()
    {
        var garbage = new byte[4096];
        new Random(7).NextBytes(garbage);

        await Attack.RefusedAsync(_target, () => _target.Operator.PutBytesAsync("models/hostile-garbage/versions/1", garbage),
            HttpStatusCode.BadRequest, "ONNX");
    }

    [Fact]
    public async Task DeeplyNestedSubgraphs_Are400WithoutExhaustingTheStack()
    {
        await Attack.RefusedAsync(_target, () => _target.Operator.PutBytesAsync("models/hostile-nested/versions/1", HostileModels.NestedSubgraphs(10_000)),
            HttpStatusCode.BadRequest, "deep");
    }
}
