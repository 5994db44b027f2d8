namespace Serverless.Core.Models;

/// <summary>
/// One of a manifest's <c>pre</c> steps, run on each row after it is read and checked, before the model sees it, in
/// the order listed. <see cref="Name"/> names the step in answers and errors (default: its place, <c>pre[i]</c>).
/// Immutable.
/// </summary>
public abstract record PreStepSpec(string? Name);

/// <summary><c>{"kind": "derive", "feature", "expression"}</c>: sets a feature from an expression over the row's features.</summary>
public sealed record DeriveStepSpec(string? Name, string Feature, string Expression) : PreStepSpec(Name);

/// <summary>
/// <c>{"kind": "default", "feature", "value"}</c>: a missing value of the feature (absent, null, empty) becomes
/// <see cref="Number"/> (numeric feature) or <see cref="Text"/> (categorical).
/// </summary>
public sealed record DefaultStepSpec(string? Name, string Feature, double? Number, string? Text) : PreStepSpec(Name);

/// <summary><c>{"kind": "clip", "feature", "min", "max"}</c>: a numeric feature is clipped into [min, max] (either may be absent).</summary>
public sealed record ClipStepSpec(string? Name, string Feature, double? Min, double? Max) : PreStepSpec(Name);

/// <summary><c>{"kind": "code", "step"}</c>: a C# step registered in the app under <see cref="Step"/>.</summary>
public sealed record CodePreStepSpec(string? Name, string Step) : PreStepSpec(Name);

/// <summary>
/// One of a manifest's <c>post</c> steps, run on each row's prediction in the order listed; the answer shows what they
/// did. <see cref="Name"/> names the step in answers and errors (default: its place, <c>post[i]</c>). Immutable.
/// </summary>
public abstract record PostStepSpec(string? Name);

/// <summary>
/// <c>{"kind": "threshold", "segment", "thresholds", "default"}</c> (binary tasks): the positive class is chosen when its
/// probability is at least the threshold of the row's segment, <see cref="Segment"/> being an expression (a feature's
/// name is one) whose text or number picks the key; a segment not listed uses <see cref="Default"/>, else the manifest's threshold.
/// </summary>
public sealed record ThresholdStepSpec(string? Name, string Segment, IReadOnlyDictionary<string, double> Thresholds, double? Default) : PostStepSpec(Name);

/// <summary>
/// <c>{"kind": "rule", "when", "label", "annotation"}</c>: when the boolean expression holds, the label becomes
/// <see cref="Label"/> (classification) and/or <see cref="Annotation"/> is added to the row's annotations.
/// </summary>
public sealed record RuleStepSpec(string? Name, string When, string? Label, string? Annotation) : PostStepSpec(Name);

/// <summary><c>{"kind": "label_map", "map"}</c>: a label listed in <see cref="Map"/> is renamed; others are kept.</summary>
public sealed record LabelMapStepSpec(string? Name, IReadOnlyDictionary<string, string> Map) : PostStepSpec(Name);

/// <summary><c>{"kind": "code", "step"}</c>: a C# step registered in the app under <see cref="Step"/>.</summary>
public sealed record CodePostStepSpec(string? Name, string Step) : PostStepSpec(Name);
