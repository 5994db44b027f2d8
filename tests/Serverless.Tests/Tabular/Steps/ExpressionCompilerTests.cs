using System.Text;
using Serverless.Core.Errors;
using Serverless.Core.Models;
using Serverless.Core.Tabular;
using Serverless.Core.Tabular.Steps.Expressions;

namespace Serverless.Tests.Tabular.Steps;

public sealed class ExpressionCompilerTests
{
    private static readonly FeatureSpec[] Features =
    [
        new("amount", FeatureType.Numeric),
        new("income", FeatureType.Numeric, AllowMissing: true),
        new("segment", FeatureType.Categorical),
        new("my field", FeatureType.Numeric),
    ];

    [Theory]
    [InlineData("amount / 1000", 12.5)]
    [InlineData("amount > 10000 and segment == 'retail'", true)]
    [InlineData("amount > 10000 && segment = 'business'", false)]
    [InlineData("income ?? 7", 7.0)]
    [InlineData("is_missing(income)", true)]
    [InlineData("income > 0 or income <= 0", false)]
    [InlineData("income != income", true)]
    [InlineData("Max(amount, 20000) - min(1, 2, 3)", 19999.0)]
    [InlineData("clip(amount, 0, 10000)", 10000.0)]
    [InlineData("round(amount / 3, 2)", 4166.67)]
    [InlineData("if(segment in ('retail', 'private'), 'small', 'large')", "small")]
    [InlineData("segment not in ('retail')", false)]
    [InlineData("amount > 1 ? 'big' : 'small'", "big")]
    [InlineData("[my field] * 2 + 2 ** 3 % 5", 4.0)]
    [InlineData("log(100, 10) + log10(1000) + sqrt(16) + abs(-1) + sign(-3)", 9.0)]
    [InlineData("-amount + +1", -12499.0)]
    [InlineData("not (amount < 0)", true)]
    [InlineData("amount / 0", double.PositiveInfinity)]
    public void Compile_SupportedExpression_EvaluatesOnTheRow(string expression, object expected)
    {
        var batch = Row("""{"amount": 12500, "income": null, "segment": "retail", "my field": 0.5}""");
        var node = ExpressionCompiler.Compile(expression, "pre[0].expression", ExpressionScope.ForFeatures(Features), null);

        var scope = new RowScope(batch, 0, null);
        object actual = node.Type switch
        {
            ExpressionType.Number => node.Number(scope),
            ExpressionType.Text => node.Text(scope),
            _ => node.Boolean(scope),
        };
        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData("amount >", "cannot be parsed")]
    [InlineData("salary * 2", "reads 'salary', which is not a feature; it can read 'amount', 'income', 'segment', 'my field'")]
    [InlineData("amount + segment", "needs a number for '+', but got a text")]
    [InlineData("amount > 'x'", "uses a comparison on a number and a text")]
    [InlineData("amount and true", "needs a boolean (a condition) for 'and'")]
    [InlineData("if(amount, 1, 2)", "needs a boolean (a condition) for the condition of 'if'")]
    [InlineData("if(amount > 1, 1, 'x')", "has 'if' branches of different types")]
    [InlineData("Sin(amount)", "calls 'Sin', which is not an allowed function")]
    [InlineData("round(amount, amount)", "digits that are not a constant whole number")]
    [InlineData("max(amount)", "calls 'max' with 1 argument(s); it takes 2 or more")]
    [InlineData("amount & 1", "uses the operator BitwiseAnd, which is not supported")]
    [InlineData("amount << 2", "uses the operator LeftShift, which is not supported")]
    [InlineData("segment like 'r%'", "uses the operator Like, which is not supported")]
    [InlineData("3!", "uses the operator Factorial, which is not supported")]
    [InlineData("true ?? false", "uses '??' on booleans")]
    [InlineData("   ", "is empty")]
    public void Compile_Mistake_IsBadRequestNamingTheField(string expression, string expected)
    {
        var exception = Assert.Throws<ServingException>(() => ExpressionCompiler.Compile(expression, "post[1].when", ExpressionScope.ForFeatures(Features), null));

        Assert.Equal(ServingErrorKind.BadRequest, exception.Kind);
        Assert.StartsWith("Manifest field 'post[1].when' ", exception.Message);
        Assert.Contains(expected, exception.Message);
    }

    [Fact]
    public void Compile_ConditionExpected_RefusesANumber()
    {
        var exception = Assert.Throws<ServingException>(() =>
            ExpressionCompiler.Compile("amount * 2", "post[0].when", ExpressionScope.ForFeatures(Features), ExpressionType.Boolean));

        Assert.Contains("is a number, but this step needs a boolean", exception.Message);
    }

    [Theory]
    [InlineData("System.IO.File.ReadAllText('/etc/passwd')")]
    [InlineData("amount.GetType()")]
    [InlineData("typeof(amount)")]
    [InlineData("GetType(amount)")]
    [InlineData("Activator.CreateInstance('System.Diagnostics.Process')")]
    [InlineData("Process.Start('sh')")]
    [InlineData("Environment.GetEnvironmentVariable('HOME')")]
    [InlineData("[System.IO.File]")]
    [InlineData("{__proto__}")]
    [InlineData("#2020-01-01#")]
    [InlineData("'\\u0041' + amount")]
    [InlineData("Evaluate('1+1')")]
    [InlineData("ifs(true, 1, 2)")]
    public void Compile_ReflectionOrEscapeAttempt_IsRefusedAsBadRequest(string expression)
    {
        var exception = Assert.Throws<ServingException>(() => ExpressionCompiler.Compile(expression, "pre[0].expression", ExpressionScope.ForFeatures(Features), null));

        Assert.Equal(ServingErrorKind.BadRequest, exception.Kind);
        Assert.StartsWith("Manifest field 'pre[0].expression' ", exception.Message);
    }

    [Fact]
    public void Compile_HugeExpression_IsRefusedByLengthBeforeParsing()
    {
        var huge = string.Concat(Enumerable.Repeat("amount + ", 100_000)) + "1";

        var exception = Assert.Throws<ServingException>(() => ExpressionCompiler.Compile(huge, "pre[0].expression", ExpressionScope.ForFeatures(Features), null));

        Assert.Contains($"an expression may have at most {ExpressionCompiler.MaxLength}", exception.Message);
        Assert.True(exception.Message.Length < 200);
    }

    [Theory]
    [InlineData(100, 'a')]
    [InlineData(900, '-')]
    [InlineData(900, '!')]
    public void Compile_DeeplyNested_IsRefusedNamingTheDepth(int depth, char kind)
    {
        var text = kind == 'a'
            ? string.Concat(Enumerable.Repeat("abs(", depth)) + "amount" + new string(')', depth)
            : new string(kind, depth) + (kind == '!' ? "true" : "amount");

        var exception = Assert.Throws<ServingException>(() => ExpressionCompiler.Compile(text, "pre[0].expression", ExpressionScope.ForFeatures(Features), null));

        Assert.Contains("nests deeper than", exception.Message);
    }

    [Fact]
    public void Compile_TooManyNodes_IsRefused()
    {
        var wide = "in(amount, " + string.Join(",", Enumerable.Repeat("1", 300)) + ")";

        var exception = Assert.Throws<ServingException>(() => ExpressionCompiler.Compile(wide, "pre[0].expression", ExpressionScope.ForFeatures(Features), null));

        Assert.Contains($"more than {ExpressionCompiler.MaxNodes} operations", exception.Message);
    }

    [Fact]
    public void Compile_RandomGarbage_IsOnlyEverABadRequest()
    {
        var random = new Random(15);
        const string alphabet = "amount segment income()[]{}'\"#!&|<>=+-*/%^~?:,.0123456789eE_ \\in and or not if max true false";
        for (var i = 0; i < 3000; i++)
        {
            var text = new string(Enumerable.Range(0, random.Next(1, 80)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
            try
            {
                ExpressionCompiler.Compile(text, "pre[0].expression", ExpressionScope.ForFeatures(Features), null);
            }
            catch (ServingException e)
            {
                Assert.Equal(ServingErrorKind.BadRequest, e.Kind);
            }
        }
    }

    [Fact]
    public void Evaluate_CompiledRule_AllocatesNothingPerRow()
    {
        var batch = Row("""{"amount": 12500, "income": 3, "segment": "retail", "my field": 0.5}""");
        var node = ExpressionCompiler.Compile("amount > 10000 and segment in ('retail', 'private') and max(income, 1) / amount < 0.3 and ([my field] ?? 0) >= 0",
            "post[0].when", ExpressionScope.ForFeatures(Features), ExpressionType.Boolean);
        var scope = new RowScope(batch, 0, null);
        var held = node.Boolean(scope);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            held &= node.Boolean(scope);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(held);
    }

    private static FeatureBatch Row(string json)
    {
        var batch = new FeatureBatch(new FeatureSchema(Features));
        Assert.True(batch.AddJsonRow(Encoding.UTF8.GetBytes(json)), string.Join("; ", batch.Errors));
        return batch;
    }
}
