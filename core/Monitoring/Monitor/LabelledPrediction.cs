namespace Serverless.Core.Monitoring.Monitor;

/// <summary>
/// A logged prediction joined with its outcome, reduced to what <see cref="LivePerformanceCalculator"/> needs, so the
/// monitor holds a few fields per labelled row rather than the logged record: the actual value (text), the predicted
/// label, the predicted value (regression) and the positive class's probability (binary).
/// </summary>
public readonly record struct LabelledPrediction(string Actual, string? Label, double? Value, double? PositiveProbability);
