namespace Serverless.Core.Tabular.Steps.Expressions;

/// <summary>The type of an expression's value, fixed when it is compiled.</summary>
public enum ExpressionType
{
    /// <summary>A double (NaN: a missing numeric feature).</summary>
    Number,

    /// <summary>A string (empty: a missing categorical feature).</summary>
    Text,

    /// <summary>true or false.</summary>
    Boolean,
}

/// <summary>
/// A compiled expression node: typed when compiled, so evaluation reads a row and computes without boxing or allocating
/// (texts are the row's own strings or the expression's constants). Only the accessor of the node's
/// <see cref="Type"/> is called. Immutable; thread-safe.
/// </summary>
internal abstract class ExpressionNode
{
    public abstract ExpressionType Type { get; }

    public virtual double Number(in RowScope row) => throw WrongType(ExpressionType.Number);

    public virtual string Text(in RowScope row) => throw WrongType(ExpressionType.Text);

    public virtual bool Boolean(in RowScope row) => throw WrongType(ExpressionType.Boolean);

    private InvalidOperationException WrongType(ExpressionType asked) => new($"A {Type} node was read as {asked}; the compiler checks types.");
}

internal sealed class NumberConstant(double value) : ExpressionNode
{
    public double Value { get; } = value;

    public override ExpressionType Type => ExpressionType.Number;

    public override double Number(in RowScope row) => Value;
}

internal sealed class TextConstant(string value) : ExpressionNode
{
    public string Value { get; } = value;

    public override ExpressionType Type => ExpressionType.Text;

    public override string Text(in RowScope row) => Value;
}

internal sealed class BooleanConstant(bool value) : ExpressionNode
{
    public override ExpressionType Type => ExpressionType.Boolean;

    public override bool Boolean(in RowScope row) => value;
}

/// <summary>A numeric feature of the row.</summary>
internal sealed class NumericFeature(int feature) : ExpressionNode
{
    public override ExpressionType Type => ExpressionType.Number;

    public override double Number(in RowScope row) => row.Batch.NumberAt(feature, row.Row);
}

/// <summary>A categorical feature of the row.</summary>
internal sealed class CategoricalFeature(int feature) : ExpressionNode
{
    public override ExpressionType Type => ExpressionType.Text;

    public override string Text(in RowScope row) => row.Batch.CategoryAt(feature, row.Row);
}

/// <summary>A number of the row's prediction (post steps): <c>probability</c> or <c>value</c>.</summary>
internal sealed class PredictionNumber(bool positiveProbability) : ExpressionNode
{
    public override ExpressionType Type => ExpressionType.Number;

    public override double Number(in RowScope row) =>
        row.Decision is not { } decision ? double.NaN : positiveProbability ? decision.ProbabilityForRules : decision.Value;
}

/// <summary>A label of the row's prediction (post steps): the label so far, or the model's own.</summary>
internal sealed class PredictionLabel(bool model) : ExpressionNode
{
    public override ExpressionType Type => ExpressionType.Text;

    public override string Text(in RowScope row) =>
        row.Decision is not { } decision ? string.Empty : (model ? decision.Model.Label : decision.Label) ?? string.Empty;
}
