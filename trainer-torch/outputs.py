"""The contract's outputs besides the model (trainer/README.md): the tabular manifest, metrics.json and
validation_predictions.csv, written as the built-in trainer writes them (trainer/ManifestBuilder.cs, TrainedTrial.cs)."""

import json

import metrics as metric_functions
from export import output_name


def manifest(spec, class_labels):
    task = spec["task"]
    document = {
        "task": task,
        "features": [{"name": f["name"], "type": f["type"], "allow_missing": True} for f in spec["features"]],
        "inputs": {"layout": "per_feature"},
        "outputs": {"score": output_name(task)} if task == "regression" else {"probability": output_name(task)},
    }
    if class_labels is not None:
        document["class_labels"] = list(class_labels)
    return json.dumps(document, separators=(",", ":"))


def rows(task, predictions):
    """Per validation row: binary the positive class's probability, multiclass the class probabilities, regression the value."""
    if task == "multiclass":
        return [[float(v) for v in row] for row in predictions]
    return [float(row[0]) for row in predictions]


def compute_metrics(target, values):
    if target.task == "binary":
        return metric_functions.binary([int(v) for v in target.validation], values)
    if target.task == "multiclass":
        return metric_functions.multiclass([int(v) for v in target.validation], values, len(target.class_labels))
    return metric_functions.regression([float(v) for v in target.validation], values)


def metrics_json(values, train_rows, validation_rows, train_seconds):
    return json.dumps({"metrics": values, "train_rows": train_rows, "validation_rows": validation_rows,
                       "train_seconds": round(train_seconds, 3)}, indent=2)


def _quote(text):
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\r\n') else text


def _number(value):
    return repr(float(value))  # The shortest text that reads back as the same double, like .NET's "R".


def predictions_csv(target, values):
    task = target.task
    header = "probability" if task == "binary" else ",".join(_quote(c) for c in target.class_labels) if task == "multiclass" else "value"
    lines = ["row," + header]
    for r, value in enumerate(values):
        cells = value if task == "multiclass" else [value]
        lines.append(str(r + 1) + "," + ",".join(_number(v) for v in cells))
    return "\n".join(lines) + "\n"
