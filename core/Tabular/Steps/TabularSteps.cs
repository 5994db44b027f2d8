using System.Globalization;
using Serverless.Core.Errors;
using Serverless.Core.Models;
using Serverless.Core.Tabular.Steps.Expressions;

namespace Serverless.Core.Tabular.Steps;

/// <summary>
/// A manifest's <c>pre</c> and <c>post</c> steps, compiled once when the manifest is registered (to check it:
/// <see cref="TabularStepCatalog.Check"/>) and once when it is bound to a loaded model (to keep): <see cref="RequestFeatures"/> are the features as a request must give them (a derived
/// feature may be left out, a defaulted one missing, a clipped one out of range), <see cref="Pre"/> runs on each row as it
/// is read and <see cref="Post"/> on each prediction. Every mistake is a <see cref="ServingException"/> (BadRequest) naming
/// the step's field, e.g. <c>post[1].when</c>. Immutable; thread-safe.
/// </summary>
internal sealed class TabularSteps
{
    /// <summary>The most steps a manifest may list in <c>pre</c>, and in <c>post</c>.</summary>
    public const int MaxSteps = 64;

    /// <summary>The most entries in a threshold or label map.</summary>
    public const int MaxMapEntries = 1000;

    /// <summary>The longest label or annotation a post step may answer.</summary>
    public const int MaxTextLength = 200;

    private TabularSteps(IReadOnlyList<FeatureSpec> requestFeatures, bool[] derived, PreStepProgram? pre, PostStepProgram? post)
    {
        RequestFeatures = requestFeatures;
        Derived = derived;
        Pre = pre;
        Post = post;
    }

    public IReadOnlyList<FeatureSpec> RequestFeatures { get; }

    /// <summary>Per feature, whether a step sets it (so a file need not have its column).</summary>
    public bool[] Derived { get; }

    public PreStepProgram? Pre { get; }

    public PostStepProgram? Post { get; }

    /// <summary>
    /// Compiles the manifest's steps. With <paramref name="catalog"/> null (where the app's code steps are not known) a code
    /// step is only checked to name a step; with a catalog it must name a registered step of its side. With <paramref name="checkOrder"/>
    /// (registration), a pre step reading a feature only a later step derives is refused; a manifest stored before that check still binds.
    /// </summary>
    public static TabularSteps Compile(ModelManifest manifest, IReadOnlyList<bool>? integerOnly = null, TabularStepCatalog? catalog = null, bool checkOrder = false)
    {
        if (manifest.Pre.Count > MaxSteps || manifest.Post.Count > MaxSteps)
        {
            throw ServingException.BadRequest($"Manifest field '{(manifest.Pre.Count > MaxSteps ? "pre" : "post")}' lists more than {MaxSteps} steps.");
        }

        var features = manifest.Features;
        var request = features.ToArray();
        var derived = new bool[features.Count];
        var touched = new bool[features.Count];
        var lastStep = new string?[features.Count];
        var scope = ExpressionScope.ForFeatures(features);
        var pre = new List<PreStep>();
        var derivedBy = new List<int>[features.Count];
        var reads = new List<(int Step, string Field, HashSet<string> Names)>();
        var anyCode = false;
        for (var i = 0; i < manifest.Pre.Count; i++)
        {
            var field = $"pre[{i}]";
            var step = manifest.Pre[i];
            var label = Label(field, step.Name);
            CheckName(step.Name, field);
            switch (step)
            {
                case DeriveStepSpec derive:
                {
                    var f = FeatureIndex(manifest, derive.Feature, field);
                    var numeric = features[f].Type == FeatureType.Numeric;
                    var read = new HashSet<string>(StringComparer.Ordinal);
                    reads.Add((i, field + ".expression", read));
                    var node = ExpressionCompiler.Compile(derive.Expression, field + ".expression", scope.Recording(read), null);
                    if (numeric == (node.Type == ExpressionType.Text))
                    {
                        throw Bad($"Manifest field '{field}.expression' gives a {ExpressionCompiler.Describe(node.Type)}, but feature '{features[f].Name}' is {(numeric ? "numeric" : "categorical")}.");
                    }

                    request[f] = request[f] with { AllowMissing = true, Min = null, Max = null, Values = null };
                    derived[f] = true;
                    (derivedBy[f] ??= []).Add(i);
                    Touch(f, label);
                    pre.Add(new DeriveStep(label, f, node));
                    break;
                }

                case DefaultStepSpec value:
                {
                    var f = FeatureIndex(manifest, value.Feature, field);
                    var numeric = features[f].Type == FeatureType.Numeric;
                    if (numeric != value.Number.HasValue)
                    {
                        throw Bad($"Manifest field '{field}.value' must be a {(numeric ? "number" : "string")}: feature '{features[f].Name}' is {(numeric ? "numeric" : "categorical")}.");
                    }

                    if (value.Number is { } n && !double.IsFinite(n))
                    {
                        throw Bad($"Manifest field '{field}.value' must be finite.");
                    }

                    request[f] = request[f] with { AllowMissing = true };
                    Touch(f, label);
                    pre.Add(new DefaultStep(label, f, value.Number ?? 0, value.Text));
                    break;
                }

                case ClipStepSpec clip:
                {
                    var f = FeatureIndex(manifest, clip.Feature, field);
                    if (features[f].Type != FeatureType.Numeric)
                    {
                        throw Bad($"Manifest field '{field}.feature': '{features[f].Name}' is categorical; only numeric features are clipped.");
                    }

                    if (clip.Min is null && clip.Max is null)
                    {
                        throw Bad($"Manifest field '{field}' needs 'min', 'max' or both.");
                    }

                    if (clip.Min is { } lo && clip.Max is { } hi && !(lo <= hi))
                    {
                        throw Bad($"Manifest field '{field}.min' ({lo}) is greater than '{field}.max' ({hi}).");
                    }

                    request[f] = request[f] with { Min = null, Max = null };
                    Touch(f, label);
                    pre.Add(new ClipStep(label, f, clip.Min ?? double.NegativeInfinity, clip.Max ?? double.PositiveInfinity));
                    break;
                }

                case CodePreStepSpec code:
                {
                    CheckStepName(code.Step, field);
                    anyCode = true;
                    if (catalog is not null)
                    {
                        var found = catalog.FindPre(code.Step, field);
                        found.Check(manifest, field);
                        foreach (var name in found.Sets)
                        {
                            var f = FeatureIndex(manifest, name, field + ".step");
                            request[f] = request[f] with { AllowMissing = true, Min = null, Max = null, Values = null };
                            derived[f] = true;
                            (derivedBy[f] ??= []).Add(i);
                        }

                        pre.Add(new CodePreStep(label, found));
                    }

                    break;
                }
            }
        }

        if (checkOrder)
        {
            CheckOrder(manifest, derivedBy, reads);
        }

        var checkedFeatures = anyCode ? Enumerable.Range(0, features.Count).ToArray() : Enumerable.Range(0, features.Count).Where(f => touched[f]).ToArray();
        var rules = features.Select((f, i) => new FeatureRule(f, integerOnly is not null && integerOnly[i])).ToArray();
        var preProgram = pre.Count == 0 ? null : new PreStepProgram([.. pre], rules, checkedFeatures, lastStep);
        var post = CompilePost(manifest, catalog);
        return new TabularSteps(request, derived, preProgram, post);

        void Touch(int f, string label)
        {
            touched[f] = true;
            lastStep[f] = label;
        }
    }

    /// <summary>
    /// A pre step may not read a feature that only a later step derives: a derived feature may be left out of a request, so the
    /// earlier step would read it missing. BadRequest naming both steps.
    /// </summary>
    private static void CheckOrder(ModelManifest manifest, List<int>?[] derivedBy, List<(int Step, string Field, HashSet<string> Names)> reads)
    {
        foreach (var (step, field, names) in reads)
        {
            foreach (var name in names)
            {
                var f = manifest.Features.Select((spec, index) => (spec, index)).First(x => x.spec.Name == name).index;
                if (derivedBy[f] is { } by && by.All(d => d > step))
                {
                    var later = by.Min();
                    var laterLabel = Label($"pre[{later}]", manifest.Pre[later].Name);
                    throw Bad($"Manifest field '{field}' reads feature '{ExpressionCompiler.Truncate(name)}' before '{laterLabel}' derives it: a derived feature " +
                        $"may be left out of a request, so it would be read missing here. Move '{laterLabel}' before 'pre[{step}]'.");
                }
            }
        }
    }

    /// <summary>Compiles the manifest's post steps alone (null: none), against its features as a batch of them holds them.</summary>
    internal static PostStepProgram? CompilePost(ModelManifest manifest, TabularStepCatalog? catalog)
    {
        var scope = ExpressionScope.ForPrediction(manifest.Features, manifest.Task);
        var classification = manifest.Task != TabularTask.Regression;
        var post = new List<PostStep>();
        for (var i = 0; i < manifest.Post.Count; i++)
        {
            var field = $"post[{i}]";
            var step = manifest.Post[i];
            CheckName(step.Name, field);
            switch (step)
            {
                case ThresholdStepSpec threshold:
                    post.Add(CompileThreshold(manifest, threshold, field, scope));
                    break;
                case RuleStepSpec rule:
                    var when = ExpressionCompiler.Compile(rule.When, field + ".when", scope, ExpressionType.Boolean);
                    if (rule.Label is null && rule.Annotation is null)
                    {
                        throw Bad($"Manifest field '{field}' needs 'label', 'annotation' or both: what the rule does when it holds.");
                    }

                    if (rule.Label is not null && !classification)
                    {
                        throw Bad($"Manifest field '{field}.label': a regression has no label to override; annotate instead.");
                    }

                    CheckText(rule.Label, field + ".label");
                    CheckText(rule.Annotation, field + ".annotation");
                    post.Add(new RuleStep(step.Name ?? field, when, rule.Label, rule.Annotation));
                    break;
                case LabelMapStepSpec map:
                    if (!classification)
                    {
                        throw Bad($"Manifest field '{field}': a label map is for classification tasks.");
                    }

                    CheckMapSize(map.Map.Count, field + ".map");
                    foreach (var (from, to) in map.Map)
                    {
                        CheckText(to, $"{field}.map.{ExpressionCompiler.Truncate(from)}");
                        if (string.IsNullOrEmpty(to))
                        {
                            throw Bad($"Manifest field '{field}.map.{ExpressionCompiler.Truncate(from)}' is empty: map a label to a label.");
                        }
                    }

                    post.Add(new LabelMapStep(new Dictionary<string, string>(map.Map, StringComparer.Ordinal)));
                    break;
                case CodePostStepSpec code:
                    CheckStepName(code.Step, field);
                    if (catalog is not null)
                    {
                        var found = catalog.FindPost(code.Step, field);
                        found.Check(manifest, field);
                        post.Add(new CodePostStep(found));
                    }

                    break;
            }
        }

        return post.Count == 0 ? null : new PostStepProgram([.. post], manifest.Task);
    }

    private static ThresholdStep CompileThreshold(ModelManifest manifest, ThresholdStepSpec threshold, string field, ExpressionScope scope)
    {
        if (manifest.Task != TabularTask.Binary || manifest.Outputs.Probability is null)
        {
            throw Bad($"Manifest field '{field}': thresholds are for binary tasks with an 'outputs.probability'.");
        }

        var segment = ExpressionCompiler.Compile(threshold.Segment, field + ".segment", scope, null);
        CheckMapSize(threshold.Thresholds.Count, field + ".thresholds");
        foreach (var (key, value) in threshold.Thresholds)
        {
            CheckProbability(value, $"{field}.thresholds.{ExpressionCompiler.Truncate(key)}");
        }

        if (threshold.Default is { } given)
        {
            CheckProbability(given, field + ".default");
        }

        var fallback = threshold.Default ?? manifest.EffectiveThreshold;
        if (segment.Type != ExpressionType.Number)
        {
            if (segment.Type == ExpressionType.Boolean && threshold.Thresholds.Keys.FirstOrDefault(k => k is not ("true" or "false")) is { } odd)
            {
                throw Bad($"Manifest field '{field}.thresholds': the segment is a condition, so its keys are 'true' and 'false', not '{ExpressionCompiler.Truncate(odd)}'.");
            }

            return new ThresholdStep(segment, new Dictionary<string, double>(threshold.Thresholds, StringComparer.Ordinal), null, fallback);
        }

        var byNumber = new Dictionary<double, double>();
        foreach (var (key, value) in threshold.Thresholds)
        {
            if (!double.TryParse(key, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !double.IsFinite(number))
            {
                throw Bad($"Manifest field '{field}.thresholds': the segment is a number, so its keys are numbers, not '{ExpressionCompiler.Truncate(key)}'.");
            }

            byNumber[number] = value;
        }

        return new ThresholdStep(segment, null, byNumber, fallback);
    }

    private static void CheckProbability(double value, string field)
    {
        if (!(value >= 0 && value <= 1))
        {
            throw Bad($"Manifest field '{field}' must be between 0 and 1; got {value.ToString(CultureInfo.InvariantCulture)}.");
        }
    }

    private static int FeatureIndex(ModelManifest manifest, string name, string field)
    {
        for (var f = 0; f < manifest.Features.Count; f++)
        {
            if (manifest.Features[f].Name == name)
            {
                return f;
            }
        }

        throw Bad($"Manifest field '{field}.feature': '{ExpressionCompiler.Truncate(name)}' is not a feature of the manifest.");
    }

    private static string Label(string field, string? name) => name is null ? field : $"{field} ('{name}')";

    private static void CheckName(string? name, string field)
    {
        if (name is not null && (name.Length == 0 || name.Length > 64))
        {
            throw Bad($"Manifest field '{field}.name' must have 1 to 64 characters.");
        }
    }

    private static void CheckStepName(string step, string field)
    {
        if (string.IsNullOrWhiteSpace(step) || step.Length > 64)
        {
            throw Bad($"Manifest field '{field}.step' must name a registered code step (1 to 64 characters).");
        }
    }

    private static void CheckText(string? text, string field)
    {
        if (text is not null && (text.Length == 0 || text.Length > MaxTextLength))
        {
            throw Bad($"Manifest field '{field}' must have 1 to {MaxTextLength} characters.");
        }
    }

    private static void CheckMapSize(int count, string field)
    {
        if (count == 0 || count > MaxMapEntries)
        {
            throw Bad($"Manifest field '{field}' must have 1 to {MaxMapEntries} entries.");
        }
    }

    private static ServingException Bad(string message) => ServingException.BadRequest(message);
}
