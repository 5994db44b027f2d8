using System.Collections;

namespace Serverless.Core.Tabular;

/// <summary>
/// The model's own predictions behind answers the manifest's post steps changed (<see cref="TabularPrediction.ModelPrediction"/>),
/// as the inference log records them: the log keeps what the model said, from which the post steps' answer follows.
/// A view, allocating one object at most; thread-safe as the list it wraps.
/// </summary>
public sealed class ModelPredictions : IReadOnlyList<TabularPrediction>
{
    private readonly IReadOnlyList<TabularPrediction> _answers;

    private ModelPredictions(IReadOnlyList<TabularPrediction> answers)
    {
        _answers = answers;
    }

    public int Count => _answers.Count;

    public TabularPrediction this[int index] => _answers[index].ModelPrediction ?? _answers[index];

    /// <summary>The answers themselves when no post step changed any; else a view of the model's predictions.</summary>
    public static IReadOnlyList<TabularPrediction> Of(IReadOnlyList<TabularPrediction> answers)
    {
        for (var i = 0; i < answers.Count; i++)
        {
            if (answers[i].ModelPrediction is not null)
            {
                return new ModelPredictions(answers);
            }
        }

        return answers;
    }

    public IEnumerator<TabularPrediction> GetEnumerator()
    {
        for (var i = 0; i < _answers.Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
