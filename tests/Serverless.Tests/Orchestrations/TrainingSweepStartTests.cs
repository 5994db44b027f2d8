using System.Text;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Moq;
using Serverless.Core.Errors;
using Serverless.Core.Models;
using Serverless.Core.Registry;
using Serverless.Core.Storage;
using Serverless.Core.Training.Runners;
using Serverless.Core.Training.Tracking;
using Serverless.Orchestrations.BatchScoring;
using Serverless.Orchestrations.Training;
using Serverless.Tests.Support;

namespace Serverless.Tests.Orchestrations;

/// <summary>What a sweep's start checks in storage and the registry before anything is scheduled: the dataset and the promotion alias.</summary>
public sealed class TrainingSweepStartTests
{
    private readonly Mock<IModelRegistry> _registry = new(MockBehavior.Strict);
    private readonly Dictionary<string, byte[]> _blobs = new(StringComparer.Ordinal)
    {
        ["training/churn.csv"] = Encoding.UTF8.GetBytes("customer_id,age,churned\nc1,30,1\nc2,40,0\n"),
    };

    [Fact]
    public async Task CheckDataset_Missing_IsBadRequestNamingTheDataset()
    {
        var error = await RefusedAsync(() => Starter().CheckDatasetAsync(Sweep() with { Dataset = "training/none.csv" }, default));

        Assert.Equal("'dataset' names blob 'training/none.csv', which does not exist.", error.Message);
    }

    [Fact]
    public async Task CheckDataset_OverTheSizeCap_IsBadRequestNamingTheSetting()
    {
        var error = await RefusedAsync(() => Starter(maxDatasetBytes: 10).CheckDatasetAsync(Sweep(), default));

        Assert.StartsWith("'dataset' is 40 bytes; sweeps take datasets of at most 10 bytes (Training:MaxDatasetBytes).", error.Message);
    }

    [Theory]
    [InlineData("churnd", null, "'target' names column 'churnd', which is not in the dataset's header ('customer_id', 'age', 'churned').")]
    [InlineData("churned", "agee", "'features' names column 'agee', which is not in the dataset's header ('customer_id', 'age', 'churned').")]
    public async Task CheckDataset_ColumnNotInTheHeader_IsBadRequestNamingTheField(string target, string? feature, string expected)
    {
        var sweep = Sweep() with { Target = target, Features = feature is null ? null : [new SweepFeature(feature, "numeric")] };

        var error = await RefusedAsync(() => Starter().CheckDatasetAsync(sweep, default));

        Assert.Equal(expected, error.Message);
    }

    [Fact]
    public async Task CheckPromotion_AliasOnAVersionWithoutAManifest_IsBadRequestPointingAtTheManifestRoute()
    {
        Incumbent("production", "1", manifest: false);

        var error = await RefusedAsync(() => Starter().CheckPromotionAsync(Sweep(PromotionPolicy.PromoteIfBetter), default));

        Assert.Equal("'promotion.alias': alias 'production' of model 'churn' points at version '1', which has no manifest, so the sweep could not score it " +
                     "to compare with the new version. Register one with PUT /api/models/churn/versions/1/manifest, or name another alias (or policy 'none').",
            error.Message);
    }

    [Fact]
    public async Task CheckPromotion_AliasOnAVersionWithAManifest_Passes()
    {
        Incumbent("production", "1", manifest: true);

        await Starter().CheckPromotionAsync(Sweep(PromotionPolicy.PromoteIfBetter), default);
    }

    [Fact]
    public async Task CheckPromotion_NoAliasYet_Passes()
    {
        _registry.Setup(r => r.GetAliasAsync("churn", "production", It.IsAny<CancellationToken>())).ReturnsAsync((ModelAlias?)null);

        await Starter().CheckPromotionAsync(Sweep(PromotionPolicy.PromoteIfBetter), default);
    }

    [Fact]
    public async Task CheckPromotion_PolicyNone_AsksTheRegistryNothing()
    {
        await Starter().CheckPromotionAsync(Sweep(PromotionPolicy.None), default);

        _registry.VerifyNoOtherCalls();
    }

    private static TrainingSweepRequest Sweep(string policy = PromotionPolicy.None) => new()
    {
        Dataset = "training/churn.csv",
        Target = "churned",
        Task = "binary",
        Algorithms = [new AlgorithmSearch { Name = "sdca" }],
        Metric = "auc",
        ModelName = "churn",
        Promotion = new PromotionPolicy { Policy = policy },
    };

    private void Incumbent(string alias, string version, bool manifest)
    {
        _registry.Setup(r => r.GetAliasAsync("churn", alias, It.IsAny<CancellationToken>()))
            .ReturnsAsync(new ModelAlias("churn", alias, version, DateTimeOffset.UnixEpoch, "etag"));
        _registry.Setup(r => r.GetVersionAsync("churn", version, It.IsAny<CancellationToken>()))
            .ReturnsAsync(new ModelVersion("churn", version, "sha", 10, DateTimeOffset.UnixEpoch, null, [], [], $"churn/{version}/model.onnx")
            {
                ManifestSha256 = manifest ? "manifest-sha" : null,
            });
    }

    private TrainingSweepStarter Starter(long maxDatasetBytes = 1024 * 1024)
    {
        var options = Options.Create(new TrainingOptions { MaxDatasetBytes = maxDatasetBytes });
        var quota = new SweepQuota(new ExperimentStore(new TableServiceClient("UseDevelopmentStorage=true")), options, TimeProvider.System);
        return new TrainingSweepStarter(new InputBlobReader(FakeBlobStorage.Create(_blobs), DataContainers.Default), _registry.Object, quota, options,
            TimeProvider.System);
    }

    private static async Task<ServingException> RefusedAsync(Func<Task> check)
    {
        var error = await Assert.ThrowsAsync<ServingException>(check);
        Assert.Equal(ServingErrorKind.BadRequest, error.Kind);
        return error;
    }
}
