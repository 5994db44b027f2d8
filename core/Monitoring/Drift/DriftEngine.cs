using System.Runtime.ExceptionServices;

namespace Serverless.Core.Monitoring.Drift;

/// <summary>
/// Compares a current window of feature values with a reference and says, per feature and for the dataset,
/// whether the distribution drifted. Tests and their statistics mirror SciPy and Evidently (see
/// <see cref="DriftMethodSelector"/> for the default choice and the <c>Statistics</c> namespace for each test);
/// on top of Evidently: features whose current window is smaller than <see cref="DriftOptions.MinimumCurrentRows"/>
/// are not decided, p-values are Benjamini–Hochberg adjusted across the tested p-value features (by default) and
/// each feature carries an effect size. Features are tested in parallel. Deterministic (no randomness); stateless
/// and thread-safe.
/// </summary>
public static class DriftEngine
{
    /// <summary>
    /// Compares every reference column with the current column of the same name. <paramref name="referenceRows"/>
    /// is the reference dataset's row count (a column stands for referenceRows − Missing present values even when
    /// its values are a sample); <paramref name="currentRows"/> the current window's. Current columns the reference
    /// lacks are ignored.
    /// </summary>
    /// <exception cref="ArgumentException">A reference column has no current counterpart or one of another type,
    /// names repeat, an override names an unknown feature or a numeric-only method for a categorical one, or
    /// <paramref name="referenceRows"/> is smaller than a column's values plus missing.</exception>
    public static DriftReport Compare(
        IReadOnlyList<DriftColumn> reference,
        IReadOnlyList<DriftColumn> current,
        long referenceRows,
        long currentRows,
        DriftOptions? options = null)
    {
        options ??= DriftOptions.Default;
        options.Validate();
        ArgumentOutOfRangeException.ThrowIfNegative(referenceRows);
        ArgumentOutOfRangeException.ThrowIfNegative(currentRows);
        var currentByName = ByName(current, "current");
        var referenceByName = ByName(reference, "reference");
        foreach (var name in options.Overrides.Keys)
        {
            if (!referenceByName.ContainsKey(name))
            {
                throw new ArgumentException($"The drift options override feature '{name}', which the reference does not have.");
            }
        }

        var pairs = new (DriftColumn Reference, DriftColumn Current)[reference.Count];
        for (var i = 0; i < reference.Count; i++)
        {
            var column = reference[i];
            pairs[i] = currentByName.TryGetValue(column.Name, out var currentColumn)
                ? (column, currentColumn)
                : throw new ArgumentException($"The current data has no column '{column.Name}'.");
        }

        // Features are independent: test them in parallel, then report the first failure in column order.
        var features = new FeatureDrift[pairs.Length];
        var failures = new Exception?[pairs.Length];
        Parallel.For(0, pairs.Length, i =>
        {
            try
            {
                features[i] = Evaluate(pairs[i].Reference, pairs[i].Current, referenceRows, options);
            }
            catch (Exception e)
            {
                failures[i] = e;
            }
        });
        if (failures.FirstOrDefault(f => f is not null) is { } failure)
        {
            ExceptionDispatchInfo.Throw(failure);
        }

        features = Decide(features, options);
        var drifted = features.Count(f => f.Drifted);
        var share = features.Length == 0 ? 0.0 : (double)drifted / features.Length;
        return new DriftReport
        {
            Features = features,
            DriftedCount = drifted,
            DriftShare = share,
            DatasetDrift = features.Length > 0 && share >= options.DriftShareThreshold,
            NReference = referenceRows,
            NCurrent = currentRows,
            Options = options,
        };
    }

    private static Dictionary<string, DriftColumn> ByName(IReadOnlyList<DriftColumn> columns, string side)
    {
        var byName = new Dictionary<string, DriftColumn>(StringComparer.Ordinal);
        foreach (var column in columns)
        {
            if (!byName.TryAdd(column.Name, column))
            {
                throw new ArgumentException($"The {side} data has column '{column.Name}' more than once.");
            }
        }

        return byName;
    }

    /// <summary>Chooses the method and runs it; the verdict is left to <see cref="Decide"/>.</summary>
    private static FeatureDrift Evaluate(DriftColumn reference, DriftColumn current, long referenceRows, DriftOptions options)
    {
        if (reference.Type != current.Type)
        {
            throw new ArgumentException($"Feature '{reference.Name}' is {reference.Type} in the reference but {current.Type} in the current data.");
        }

        var nReference = referenceRows - reference.Missing;
        if (nReference < reference.ValueCount)
        {
            throw new ArgumentException(
                $"Feature '{reference.Name}': the reference has {reference.ValueCount} values and {reference.Missing} missing, more than its {referenceRows} rows.");
        }

        // A sampled current column stands for all its present values; the test sees the sample.
        var sample = current is NumericColumn { IsSample: true } sampled ? sampled : null;
        var nCurrent = sample?.PresentValues ?? current.ValueCount;
        options.Overrides.TryGetValue(reference.Name, out var overrides);
        var numeric = reference is NumericColumn;
        var method = overrides?.Method ?? DriftMethodSelector.Select(numeric, nReference, DistinctValues(reference, current));
        if (!numeric && !method.AppliesToCategorical())
        {
            throw new ArgumentException($"Method '{method.Name()}' needs numeric values but feature '{reference.Name}' is categorical.");
        }

        var threshold = overrides?.Threshold ?? method.DefaultThreshold();
        var feature = new FeatureDrift
        {
            Name = reference.Name,
            Type = reference.Type,
            Method = method.Name(),
            Threshold = threshold,
            Drifted = false,
            NReference = nReference,
            NCurrent = nCurrent,
            CurrentSample = sample?.Values.Count,
        };

        if (reference.ValueCount == 0)
        {
            return feature with { Note = "no values in the reference" };
        }

        if (nCurrent == 0)
        {
            return feature with { Note = "no values in the current window" };
        }

        var outcome = FeatureTester.Run(method, reference, current, options);
        return feature with
        {
            Statistic = outcome.Statistic,
            PValue = outcome.PValue,
            EffectSize = outcome.EffectSize,
            Note = nCurrent < options.MinimumCurrentRows ? $"window too small (n < {options.MinimumCurrentRows})" : null,
        };
    }

    /// <summary>Adjusts the tested p-values (when on) and sets each verdict; undecided features (with a note) stay not drifted.</summary>
    private static FeatureDrift[] Decide(FeatureDrift[] features, DriftOptions options)
    {
        var tested = Enumerable.Range(0, features.Length).Where(i => features[i].Note is null && features[i].PValue is not null).ToArray();
        if (options.BenjaminiHochberg && tested.Length > 0)
        {
            var adjusted = BenjaminiHochberg.Adjust(tested.Select(i => features[i].PValue!.Value).ToArray());
            for (var k = 0; k < tested.Length; k++)
            {
                features[tested[k]] = features[tested[k]] with { AdjustedPValue = adjusted[k] };
            }
        }

        return features.Select(f => f with { Drifted = IsDrifted(f) }).ToArray();
    }

    private static bool IsDrifted(FeatureDrift feature)
    {
        if (feature.Note is not null || feature.Statistic is not { } statistic)
        {
            return false;
        }

        if (feature.PValue is { } p)
        {
            return (feature.AdjustedPValue ?? p) < feature.Threshold;
        }

        return statistic >= feature.Threshold;
    }

    /// <summary>Distinct values of both columns together, counted up to 6 (the selection only asks ≤ 2 and ≤ 5).</summary>
    private static long DistinctValues(DriftColumn reference, DriftColumn current)
    {
        const int cap = DriftMethodSelector.MaxDistinctForCategoricalTests + 1;
        if (reference is NumericColumn r && current is NumericColumn c)
        {
            var seen = new HashSet<double>();
            foreach (var value in r.Values.Concat(c.Values))
            {
                if (seen.Add(value) && seen.Count >= cap)
                {
                    break;
                }
            }

            return seen.Count;
        }

        return FeatureTester.FrequenciesOf(reference, current).Keys.Count;
    }
}
