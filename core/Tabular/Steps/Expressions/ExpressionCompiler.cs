using System.Globalization;
using NCalc;
using NCalc.Exceptions;
using Serverless.Core.Errors;

namespace Serverless.Core.Tabular.Steps.Expressions;

/// <summary>
/// Compiles a manifest's expression once, when the manifest is parsed: NCalc's parser (a maintained Parlot grammar:
/// no member access, no types, no code) builds the tree, and this compiler turns it into typed
/// <see cref="ExpressionNode"/>s, refusing anything outside the sandbox: names that are not in the
/// <see cref="ExpressionScope"/>, functions not on the whitelist, operators on the wrong types, dates, and
/// expressions longer than <see cref="MaxLength"/> characters, deeper than <see cref="MaxDepth"/> or with more than
/// <see cref="MaxNodes"/> nodes (so one evaluation does a bounded amount of work, with no loop, call or allocation).
/// Every refusal is a <see cref="ServingException"/> (BadRequest) naming <c>field</c>. Thread-safe.
/// <para>Functions (case-insensitive): abs, ceiling, floor, round(x[, digits]), truncate, sign, sqrt, exp, log(x[, base]),
/// log10, pow, min, max, clip(x, lo, hi), if(c, a, b), in(x, a, ...), is_missing(x).</para>
/// </summary>
internal static class ExpressionCompiler
{
    public const int MaxLength = 1000;
    public const int MaxDepth = 32;
    public const int MaxNodes = 200;

    private static readonly LogicalExpressionParserOptions ParserOptions = new();

    public static ExpressionNode Compile(string text, string field, ExpressionScope scope, ExpressionType? expected)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw Bad(field, "is empty: write an expression");
        }

        if (text.Length > MaxLength)
        {
            throw Bad(field, $"is {text.Length} characters long; an expression may have at most {MaxLength}");
        }

        LogicalExpression tree;
        try
        {
            tree = LogicalExpressionParser.Parse(text, ParserOptions, CultureInfo.InvariantCulture, CancellationToken.None);
        }
        catch (Exception e) when (e is NCalcException or FormatException or OverflowException or ArgumentException or InvalidOperationException)
        {
            throw Bad(field, $"cannot be parsed: {Truncate(e.Message, 120)}");
        }

        var compiler = new Compilation(field, scope);
        var node = compiler.Visit(tree, 1);
        if (expected is { } type && node.Type != type)
        {
            throw Bad(field, $"is a {Describe(node.Type)}, but this step needs a {Describe(type)}");
        }

        return node;
    }

    internal static string Describe(ExpressionType type) => type switch
    {
        ExpressionType.Number => "number",
        ExpressionType.Text => "text",
        _ => "boolean (a condition)",
    };

    internal static ServingException Bad(string field, string problem) => ServingException.BadRequest($"Manifest field '{field}' {problem}.");

    internal static string Truncate(string text, int length = 40) => text.Length <= length ? text : text[..length] + "...";

    /// <summary>One compilation: counts nodes and depth as it goes.</summary>
    private sealed class Compilation(string field, ExpressionScope scope)
    {
        private int _nodes;

        public ExpressionNode Visit(LogicalExpression expression, int depth)
        {
            if (depth > MaxDepth)
            {
                throw Bad(field, $"nests deeper than {MaxDepth} levels");
            }

            if (++_nodes > MaxNodes)
            {
                throw Bad(field, $"has more than {MaxNodes} operations and values");
            }

            return expression switch
            {
                ValueExpression value => Constant(value),
                Identifier identifier => Name(identifier.Name),
                UnaryExpression unary => Unary(unary, depth),
                BinaryExpression binary => Binary(binary, depth),
                TernaryExpression ternary => Conditional(ternary.LeftExpression, ternary.MiddleExpression, ternary.RightExpression, depth, "?:"),
                Function function => ExpressionFunctions.Compile(this, function, depth),
                LogicalExpressionList => throw Fail("has a list where a value is expected; lists only follow 'in'"),
                _ => throw Fail($"has an expression of a kind that is not supported ({expression.GetType().Name})"),
            };
        }

        public ExpressionNode[] VisitAll(IEnumerable<LogicalExpression> expressions, int depth) => expressions.Select(e => Visit(e, depth)).ToArray();

        public ServingException Fail(string problem) => Bad(field, problem);

        public ExpressionNode Expect(ExpressionNode node, ExpressionType type, string where) =>
            node.Type == type ? node : throw Fail($"needs a {Describe(type)} for {where}, but got a {Describe(node.Type)}");

        public ExpressionNode Conditional(LogicalExpression condition, LogicalExpression whenTrue, LogicalExpression whenFalse, int depth, string what)
        {
            var test = Expect(Visit(condition, depth + 1), ExpressionType.Boolean, $"the condition of '{what}'");
            var a = Visit(whenTrue, depth + 1);
            var b = Visit(whenFalse, depth + 1);
            if (a.Type != b.Type)
            {
                throw Fail($"has '{what}' branches of different types ({Describe(a.Type)} and {Describe(b.Type)})");
            }

            return new Conditional(test, a, b);
        }

        private ExpressionNode Constant(ValueExpression value) => value.Type switch
        {
            NCalc.ValueType.Integer or NCalc.ValueType.Float => new NumberConstant(Convert.ToDouble(value.Value, CultureInfo.InvariantCulture)),
            NCalc.ValueType.String => new TextConstant((string)value.Value!),
            NCalc.ValueType.Boolean => new BooleanConstant((bool)value.Value!),
            _ => throw Fail($"has a {value.Type} value; expressions take numbers, 'texts' and true/false"),
        };

        private ExpressionNode Name(string name) =>
            scope.Find(name) ?? throw Fail($"reads '{Truncate(name)}', which is not a feature{(scope.HasPrediction ? " or a prediction field" : "")}; it can read {scope.Describe}");

        private ExpressionNode Unary(UnaryExpression unary, int depth)
        {
            var operand = Visit(unary.Expression, depth + 1);
            return unary.Type switch
            {
                UnaryExpressionType.Not => new Not(Expect(operand, ExpressionType.Boolean, "'not'")),
                UnaryExpressionType.Negate => new Negate(Expect(operand, ExpressionType.Number, "'-'")),
                UnaryExpressionType.Positive => Expect(operand, ExpressionType.Number, "'+'"),
                _ => throw Fail($"uses the operator {unary.Type}, which is not supported"),
            };
        }

        private ExpressionNode Binary(BinaryExpression binary, int depth)
        {
            if (binary.Type is BinaryExpressionType.In or BinaryExpressionType.NotIn)
            {
                var value = Visit(binary.LeftExpression, depth + 1);
                var items = binary.RightExpression is LogicalExpressionList list ? VisitAll(list, depth + 1) : [Visit(binary.RightExpression, depth + 1)];
                return MakeIn(value, items, binary.Type == BinaryExpressionType.NotIn);
            }

            var left = Visit(binary.LeftExpression, depth + 1);
            var right = Visit(binary.RightExpression, depth + 1);
            switch (binary.Type)
            {
                case BinaryExpressionType.And or BinaryExpressionType.Or:
                    var word = binary.Type == BinaryExpressionType.And ? "'and'" : "'or'";
                    return new Logical(binary.Type == BinaryExpressionType.And, Expect(left, ExpressionType.Boolean, word), Expect(right, ExpressionType.Boolean, word));
                case BinaryExpressionType.Equal or BinaryExpressionType.NotEqual:
                    SameType(left, right, "'=='");
                    return new Compare(binary.Type == BinaryExpressionType.Equal ? Comparison.Equal : Comparison.NotEqual, left, right);
                case BinaryExpressionType.Lesser or BinaryExpressionType.LesserOrEqual or BinaryExpressionType.Greater or BinaryExpressionType.GreaterOrEqual:
                    SameType(left, right, "a comparison");
                    if (left.Type == ExpressionType.Boolean)
                    {
                        throw Fail("compares booleans by order; use == or !=");
                    }

                    return new Compare(binary.Type switch
                    {
                        BinaryExpressionType.Lesser => Comparison.Less,
                        BinaryExpressionType.LesserOrEqual => Comparison.LessOrEqual,
                        BinaryExpressionType.Greater => Comparison.Greater,
                        _ => Comparison.GreaterOrEqual,
                    }, left, right);
                case BinaryExpressionType.Plus or BinaryExpressionType.Minus or BinaryExpressionType.Times or BinaryExpressionType.Div
                    or BinaryExpressionType.Modulo or BinaryExpressionType.Exponentiation:
                    var op = binary.Type switch
                    {
                        BinaryExpressionType.Plus => NumberOperator.Add,
                        BinaryExpressionType.Minus => NumberOperator.Subtract,
                        BinaryExpressionType.Times => NumberOperator.Multiply,
                        BinaryExpressionType.Div => NumberOperator.Divide,
                        BinaryExpressionType.Modulo => NumberOperator.Modulo,
                        _ => NumberOperator.Power,
                    };
                    var symbol = op switch
                    {
                        NumberOperator.Add => "'+'",
                        NumberOperator.Subtract => "'-'",
                        NumberOperator.Multiply => "'*'",
                        NumberOperator.Divide => "'/'",
                        NumberOperator.Modulo => "'%'",
                        _ => "'**'",
                    };
                    return new Arithmetic(op, Expect(left, ExpressionType.Number, symbol), Expect(right, ExpressionType.Number, symbol));
                case BinaryExpressionType.Coalesce:
                    SameType(left, right, "'??'");
                    return left.Type == ExpressionType.Boolean ? throw Fail("uses '??' on booleans, which are never missing") : new Coalesce(left, right);
                default:
                    throw Fail($"uses the operator {binary.Type}, which is not supported");
            }
        }

        public ExpressionNode MakeIn(ExpressionNode value, ExpressionNode[] items, bool negated)
        {
            if (items.Length == 0)
            {
                throw Fail("has 'in' with no items");
            }

            foreach (var item in items)
            {
                SameType(value, item, "'in'");
            }

            return new In(value, items, negated);
        }

        private void SameType(ExpressionNode left, ExpressionNode right, string what)
        {
            if (left.Type != right.Type)
            {
                throw Fail($"uses {what} on a {Describe(left.Type)} and a {Describe(right.Type)}");
            }
        }
    }

    /// <summary>The whitelisted functions; anything else is refused by name.</summary>
    private static class ExpressionFunctions
    {
        private const string Known = "abs, ceiling, floor, round, truncate, sign, sqrt, exp, log, log10, pow, min, max, clip, if, in, is_missing";

        public static ExpressionNode Compile(Compilation compilation, Function function, int depth)
        {
            var name = function.Identifier.Name.ToLowerInvariant();
            var arguments = function.Parameters;
            switch (name)
            {
                case "if":
                    Arity(compilation, name, arguments.Count, 3, 3);
                    return compilation.Conditional(arguments[0], arguments[1], arguments[2], depth, "if");
                case "in":
                    Arity(compilation, name, arguments.Count, 2, int.MaxValue);
                    var all = compilation.VisitAll(arguments, depth + 1);
                    return compilation.MakeIn(all[0], all[1..], negated: false);
                case "is_missing":
                    Arity(compilation, name, arguments.Count, 1, 1);
                    var value = compilation.Visit(arguments[0], depth + 1);
                    return value.Type == ExpressionType.Boolean ? throw compilation.Fail("uses is_missing on a boolean, which is never missing") : new IsMissing(value);
            }

            var numbers = compilation.VisitAll(arguments, depth + 1);
            foreach (var argument in numbers)
            {
                compilation.Expect(argument, ExpressionType.Number, $"the arguments of '{name}'");
            }

            return name switch
            {
                "abs" => One(compilation, name, numbers, static (x, _) => Math.Abs(x)),
                "ceiling" => One(compilation, name, numbers, static (x, _) => Math.Ceiling(x)),
                "floor" => One(compilation, name, numbers, static (x, _) => Math.Floor(x)),
                "truncate" => One(compilation, name, numbers, static (x, _) => Math.Truncate(x)),
                "sign" => One(compilation, name, numbers, static (x, _) => double.IsNaN(x) ? double.NaN : Math.Sign(x)),
                "sqrt" => One(compilation, name, numbers, static (x, _) => Math.Sqrt(x)),
                "exp" => One(compilation, name, numbers, static (x, _) => Math.Exp(x)),
                "log10" => One(compilation, name, numbers, static (x, _) => Math.Log10(x)),
                "log" => OneOrTwo(compilation, name, numbers, double.NaN, static (x, b) => double.IsNaN(b) ? Math.Log(x) : Math.Log(x, b)),
                "round" => Round(compilation, numbers),
                "pow" => Two(compilation, name, numbers, Math.Pow),
                "min" or "max" => numbers.Length >= 2 ? new Extreme(name == "max", numbers) : throw compilation.Fail($"calls '{name}' with {numbers.Length} argument(s); it takes 2 or more"),
                "clip" => Clip(compilation, numbers),
                _ => throw compilation.Fail($"calls '{Truncate(function.Identifier.Name)}', which is not an allowed function; use {Known}"),
            };
        }

        private static NumberFunction One(Compilation compilation, string name, ExpressionNode[] numbers, Func<double, double, double> function)
        {
            Arity(compilation, name, numbers.Length, 1, 1);
            return new NumberFunction(function, numbers[0], null, 0);
        }

        private static NumberFunction OneOrTwo(Compilation compilation, string name, ExpressionNode[] numbers, double secondDefault, Func<double, double, double> function)
        {
            Arity(compilation, name, numbers.Length, 1, 2);
            return new NumberFunction(function, numbers[0], numbers.Length > 1 ? numbers[1] : null, secondDefault);
        }

        private static NumberFunction Two(Compilation compilation, string name, ExpressionNode[] numbers, Func<double, double, double> function)
        {
            Arity(compilation, name, numbers.Length, 2, 2);
            return new NumberFunction(function, numbers[0], numbers[1], 0);
        }

        private static NumberFunction Round(Compilation compilation, ExpressionNode[] numbers)
        {
            Arity(compilation, "round", numbers.Length, 1, 2);
            var digits = 0d;
            if (numbers.Length == 2)
            {
                if (numbers[1] is not NumberConstant { Value: var d } || !(d >= 0 && d <= 15) || Math.Floor(d) != d)
                {
                    throw compilation.Fail("calls 'round' with digits that are not a constant whole number from 0 to 15");
                }

                digits = d;
            }

            return new NumberFunction(static (x, d) => Math.Round(x, (int)d, MidpointRounding.AwayFromZero), numbers[0], null, digits);
        }

        private static Extreme Clip(Compilation compilation, ExpressionNode[] numbers)
        {
            Arity(compilation, "clip", numbers.Length, 3, 3);
            return new Extreme(false, [new Extreme(true, [numbers[0], numbers[1]]), numbers[2]]);
        }

        private static void Arity(Compilation compilation, string name, int count, int min, int max)
        {
            if (count < min || count > max)
            {
                var takes = min == max ? $"{min}" : max == int.MaxValue ? $"{min} or more" : $"{min} or {max}";
                throw compilation.Fail($"calls '{name}' with {count} argument(s); it takes {takes}");
            }
        }
    }
}
