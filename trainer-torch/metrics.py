"""The validation metrics, computed exactly as core/Training/ModelMetrics.cs computes them (same loops, same order of
additions, doubles throughout), so a torch trial ranks against the built-in trainer's trials like with like: binary auc
(Mann-Whitney, ties counted half), accuracy and f1 at the 0.5 threshold, log_loss clipped to [1e-15, 1 - 1e-15];
multiclass accuracy, macro f1 and log_loss; regression rmse, mae and r2."""

import math

EPSILON = 1e-15


def _clamp(value, low, high):
    return low if value < low else high if value > high else value


def _f1(tp, fp, fn):
    return 0.0 if tp == 0 else 2.0 * tp / ((2.0 * tp) + fp + fn)


def _check(labels, predictions):
    if labels == 0 or labels != predictions:
        raise ValueError(f"Metrics need as many predictions as labels, at least one ({labels} labels, {predictions} predictions).")


def binary(labels, probabilities, threshold=0.5):
    _check(len(labels), len(probabilities))
    tp = fp = fn = correct = 0
    log_loss = 0.0
    for label, probability in zip(labels, probabilities):
        predicted = 1 if probability >= threshold else 0
        correct += 1 if predicted == label else 0
        tp += 1 if predicted == 1 and label == 1 else 0
        fp += 1 if predicted == 1 and label == 0 else 0
        fn += 1 if predicted == 0 and label == 1 else 0
        p = _clamp(probability, EPSILON, 1 - EPSILON)
        log_loss -= math.log(p) if label == 1 else math.log(1 - p)
    return {"auc": auc(labels, probabilities), "accuracy": correct / len(labels), "f1": _f1(tp, fp, fn), "log_loss": log_loss / len(labels)}


def multiclass(labels, probabilities, classes):
    _check(len(labels), len(probabilities))
    tp, fp, fn = [0] * classes, [0] * classes, [0] * classes
    correct = 0
    log_loss = 0.0
    for label, row in zip(labels, probabilities):
        predicted = 0
        for c in range(1, len(row)):
            predicted = c if row[c] > row[predicted] else predicted
        if predicted == label:
            correct += 1
            tp[predicted] += 1
        else:
            fp[predicted] += 1
            fn[label] += 1
        log_loss -= math.log(_clamp(row[label] if label < len(row) else 0.0, EPSILON, 1 - EPSILON))
    f1 = 0.0
    for c in range(classes):
        f1 += _f1(tp[c], fp[c], fn[c])
    return {"accuracy": correct / len(labels), "f1": f1 / classes, "log_loss": log_loss / len(labels)}


def regression(actual, predicted):
    _check(len(actual), len(predicted))
    mean = 0.0
    for a in actual:
        mean += a
    mean /= len(actual)
    squared = absolute = total = 0.0
    for a, p in zip(actual, predicted):
        error = a - p
        squared += error * error
        absolute += abs(error)
        total += (a - mean) * (a - mean)
    return {"rmse": math.sqrt(squared / len(actual)), "mae": absolute / len(actual),
            "r2": (1.0 if squared == 0 else 0.0) if total == 0 else 1 - (squared / total)}


def auc(labels, scores):
    _check(len(labels), len(scores))
    order = sorted(range(len(labels)), key=lambda i: scores[i])  # Stable, as LINQ's OrderBy.
    positives = sum(1 for label in labels if label == 1)
    negatives = len(labels) - positives
    if positives == 0 or negatives == 0:
        return 0.5
    rank_sum = 0.0
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and scores[order[end + 1]] == scores[order[start]]:
            end += 1
        average_rank = ((start + 1) + (end + 1)) / 2.0
        for k in range(start, end + 1):
            rank_sum += average_rank if labels[order[k]] == 1 else 0
        start = end + 1
    return (rank_sum - (positives * (positives + 1) / 2.0)) / (positives * float(negatives))
