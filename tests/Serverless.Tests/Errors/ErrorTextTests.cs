using Serverless.Core.Errors;

namespace Serverless.Tests.Errors;

public sealed class ErrorTextTests
{
    [Theory]
    [InlineData("TrainerPath '/home/site/wwwroot/trainer/Serverless.Trainer.dll' does not exist.", "TrainerPath '<path>' does not exist.")]
    [InlineData("The trainer ended without writing model.onnx under https://acct.blob.core.windows.net/sweeps/s1/t001?sig=abc.",
        "The trainer ended without writing model.onnx under https:<path>")]
    [InlineData("Could not read C:\\agent\\work\\data.csv", "Could not read <path>")]
    [InlineData("row 3, feature 'x': not a number (1/2 of rows)", "row 3, feature 'x': not a number (1/2 of rows)")]
    [InlineData("  two\n  lines  ", "two lines")]
    [InlineData("", "(no detail)")]
    [InlineData("Register one with PUT /api/models/churn/versions/2/manifest.", "Register one with PUT /api/models/churn/versions/2/manifest.")]
    public void Clean_RemovesPathsAndUrlsKeepsTheMessage(string message, string expected) =>
        Assert.Equal(expected, ErrorText.Clean(message));

    [Fact]
    public void Clean_LongMessage_IsCutAtTheLimit()
    {
        var cleaned = ErrorText.Clean(string.Join(" ", Enumerable.Repeat("word", 10_000)));

        Assert.True(cleaned.Length <= ErrorText.MaxLength + 1);
        Assert.EndsWith("…", cleaned);
    }

    [Theory]
    [InlineData("Microsoft.DurableTask.TaskFailedException: Task 'BatchScoringPlan' (#19) failed with an unhandled exception: 'input' is missing.",
        "'input' is missing.")]
    [InlineData("Task 'A' (#1) failed with an unhandled exception: Sub-orchestration 'B' (#22) failed with an unhandled exception: too many bad rows",
        "too many bad rows")]
    [InlineData("All 3 trial(s) failed; the first: System.InvalidOperationException: no rows", "All 3 trial(s) failed; the first: no rows")]
    [InlineData("TaskFailedException: Orchestration 'x' (#0) failed with an unhandled exception: CsvHelper.BadDataException: row 4 is malformed",
        "row 4 is malformed")]
    [InlineData("An exception's message, not a type: the word Exception stays.", "An exception's message, not a type: the word Exception stays.")]
    public void Reason_DropsDurableWrappersAndTypeNamesWhereverTheyAre(string message, string expected) =>
        Assert.Equal(expected, ErrorText.Reason(message));
}
