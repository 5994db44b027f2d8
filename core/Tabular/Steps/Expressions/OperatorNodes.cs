namespace Serverless.Core.Tabular.Steps.Expressions;

internal enum NumberOperator
{
    Add,
    Subtract,
    Multiply,
    Divide,
    Modulo,
    Power,
}

internal enum Comparison
{
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

/// <summary>Arithmetic in IEEE doubles: dividing by zero gives an infinity, never an exception.</summary>
internal sealed class Arithmetic(NumberOperator op, ExpressionNode left, ExpressionNode right) : ExpressionNode
{
    public override ExpressionType Type => ExpressionType.Number;

    public override double Number(in RowScope row)
    {
        var a = left.Number(row);
        var b = right.Number(row);
        return op switch
        {
            NumberOperator.Add => a + b,
            NumberOperator.Subtract => a - b,
            NumberOperator.Multiply => a * b,
            NumberOperator.Divide => a / b,
            NumberOperator.Modulo => a % b,
            _ => Math.Pow(a, b),
        };
    }
}

internal sealed class Negate(ExpressionNode operand) : ExpressionNode
{
    public override ExpressionType Type => ExpressionType.Number;

    public override double Number(in RowScope row) => -operand.Number(row);
}

internal sealed class Not(ExpressionNode operand) : ExpressionNode
{
    public override ExpressionType Type => ExpressionType.Boolean;

    public override bool Boolean(in RowScope row) => !operand.Boolean(row);
}

/// <summary>and / or, short-circuiting.</summary>
internal sealed class Logical(bool and, ExpressionNode left, ExpressionNode right) : ExpressionNode
{
    public override ExpressionType Type => ExpressionType.Boolean;

    public override bool Boolean(in RowScope row) => and ? left.Boolean(row) && right.Boolean(row) : left.Boolean(row) || right.Boolean(row);
}

/// <summary>
/// Compares two values of one type: numbers as doubles (a comparison with NaN, a missing value, is false, except
/// <c>!=</c>), texts ordinally, booleans for (in)equality.
/// </summary>
internal sealed class Compare(Comparison op, ExpressionNode left, ExpressionNode right) : ExpressionNode
{
    public override ExpressionType Type => ExpressionType.Boolean;

    public override bool Boolean(in RowScope row)
    {
        int order;
        switch (left.Type)
        {
            case ExpressionType.Number:
                var a = left.Number(row);
                var b = right.Number(row);
                return op switch
                {
                    Comparison.Equal => a == b,
                    Comparison.NotEqual => a != b,
                    Comparison.Less => a < b,
                    Comparison.LessOrEqual => a <= b,
                    Comparison.Greater => a > b,
                    _ => a >= b,
                };
            case ExpressionType.Boolean:
                var equal = left.Boolean(row) == right.Boolean(row);
                return op == Comparison.Equal ? equal : !equal;
            default:
                order = string.CompareOrdinal(left.Text(row), right.Text(row));
                break;
        }

        return op switch
        {
            Comparison.Equal => order == 0,
            Comparison.NotEqual => order != 0,
            Comparison.Less => order < 0,
            Comparison.LessOrEqual => order <= 0,
            Comparison.Greater => order > 0,
            _ => order >= 0,
        };
    }
}

/// <summary><c>x in (a, b, ...)</c> and <c>not in</c>: equality with any of the items (all of x's type).</summary>
internal sealed class In(ExpressionNode value, ExpressionNode[] items, bool negated) : ExpressionNode
{
    public override ExpressionType Type => ExpressionType.Boolean;

    public override bool Boolean(in RowScope row)
    {
        var found = false;
        switch (value.Type)
        {
            case ExpressionType.Number:
                var number = value.Number(row);
                foreach (var item in items)
                {
                    if (item.Number(row) == number)
                    {
                        found = true;
                        break;
                    }
                }

                break;
            case ExpressionType.Text:
                var text = value.Text(row);
                foreach (var item in items)
                {
                    if (string.Equals(item.Text(row), text, StringComparison.Ordinal))
                    {
                        found = true;
                        break;
                    }
                }

                break;
            default:
                var flag = value.Boolean(row);
                foreach (var item in items)
                {
                    if (item.Boolean(row) == flag)
                    {
                        found = true;
                        break;
                    }
                }

                break;
        }

        return found != negated;
    }
}

/// <summary><c>c ? a : b</c> and <c>if(c, a, b)</c>: only the chosen branch is evaluated.</summary>
internal sealed class Conditional(ExpressionNode condition, ExpressionNode whenTrue, ExpressionNode whenFalse) : ExpressionNode
{
    public override ExpressionType Type => whenTrue.Type;

    public override double Number(in RowScope row) => condition.Boolean(row) ? whenTrue.Number(row) : whenFalse.Number(row);

    public override string Text(in RowScope row) => condition.Boolean(row) ? whenTrue.Text(row) : whenFalse.Text(row);

    public override bool Boolean(in RowScope row) => condition.Boolean(row) ? whenTrue.Boolean(row) : whenFalse.Boolean(row);
}

/// <summary><c>a ?? b</c>: b when a is missing (NaN, or an empty text).</summary>
internal sealed class Coalesce(ExpressionNode value, ExpressionNode fallback) : ExpressionNode
{
    public override ExpressionType Type => value.Type;

    public override double Number(in RowScope row)
    {
        var number = value.Number(row);
        return double.IsNaN(number) ? fallback.Number(row) : number;
    }

    public override string Text(in RowScope row)
    {
        var text = value.Text(row);
        return text.Length == 0 ? fallback.Text(row) : text;
    }
}

/// <summary><c>is_missing(x)</c>: NaN, or an empty text.</summary>
internal sealed class IsMissing(ExpressionNode value) : ExpressionNode
{
    public override ExpressionType Type => ExpressionType.Boolean;

    public override bool Boolean(in RowScope row) =>
        value.Type == ExpressionType.Number ? double.IsNaN(value.Number(row)) : value.Text(row).Length == 0;
}

/// <summary>A whitelisted numeric function of one or more numbers.</summary>
internal sealed class NumberFunction(Func<double, double, double> function, ExpressionNode first, ExpressionNode? second, double secondDefault) : ExpressionNode
{
    public override ExpressionType Type => ExpressionType.Number;

    public override double Number(in RowScope row) => function(first.Number(row), second is null ? secondDefault : second.Number(row));
}

/// <summary><c>min(...)</c> and <c>max(...)</c> of two or more numbers (NaN if any is NaN).</summary>
internal sealed class Extreme(bool max, ExpressionNode[] items) : ExpressionNode
{
    public override ExpressionType Type => ExpressionType.Number;

    public override double Number(in RowScope row)
    {
        var result = items[0].Number(row);
        for (var i = 1; i < items.Length; i++)
        {
            result = max ? Math.Max(result, items[i].Number(row)) : Math.Min(result, items[i].Number(row));
        }

        return result;
    }
}
