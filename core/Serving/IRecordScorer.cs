using Serverless.Core.Models;
using Serverless.Core.Tabular;

namespace Serverless.Core.Serving;

/// <summary>
/// What batch scoring scores rows with: a tabular model's lease (<see cref="TabularModelLease"/>) or an inference graph's
/// (<see cref="Graphs.GraphRecordService"/>). Rows are read into batches of <see cref="Tabular"/>; predictions are written as
/// <see cref="Manifest"/> says (a graph's exit member's manifest may differ from its entry's). <see cref="PredictAsync"/> may be called
/// from several threads at once (a graph's run awaits its members without holding a thread); dispose exactly once, after the last prediction.
/// </summary>
public interface IRecordScorer : IDisposable
{
    /// <summary>The version that scores (a model or a graph).</summary>
    ModelVersion Version { get; }

    /// <summary>The manifest rows are read with: create batches with its <see cref="TabularModel.CreateBatch"/>.</summary>
    TabularModel Tabular { get; }

    /// <summary>The manifest predictions are read and written with (task, class labels, the post steps they went through).</summary>
    ModelManifest Manifest { get; }

    /// <summary>Runs on the batch's accepted rows and reads one prediction per row, through the post steps.</summary>
    ValueTask<TabularPrediction[]> PredictAsync(FeatureBatch batch, CancellationToken cancellationToken);
}
