#!/usr/bin/env python3
"""The torch trainer's command line: `python3 train.py --spec <uri>` (or TRIAL_SPEC_URI). Reads spec.json, trains
`torch_mlp` or `torch_ft_transformer` (CUDA when present, else CPU), and writes model.onnx, manifest.json,
validation_predictions.csv and metrics.json (last) under the spec's output_uri, as trainer/README.md describes. Exit code
0 on success; 1 on any failure, with `trial failed: <reason>` on stderr and, when the spec could be read, the reason in
error.txt under output_uri. Progress lines go to stdout."""

import json
import os
import sys
import traceback

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import hyperparameters  # noqa: E402
from trial_storage import TrialError, TrialFiles  # noqa: E402

SPEC_VARIABLE = "TRIAL_SPEC_URI"
FAILURE_PREFIX = "trial failed: "
TORCH_PACKAGE = "python3-torch"


def spec_uri(argv):
    for i, arg in enumerate(argv):
        if arg == "--spec" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--spec="):
            return arg[len("--spec="):]
    uri = os.environ.get(SPEC_VARIABLE, "").strip()
    if not uri:
        raise TrialError(f"No spec: run with --spec <uri> or set {SPEC_VARIABLE} (a file:// URI or a blob URL of spec.json).")
    return uri


def import_torch():
    try:
        import torch  # noqa: F401
    except ImportError as e:
        raise TrialError(f"PyTorch cannot be imported by {sys.executable} ({e}): install the Debian package {TORCH_PACKAGE} "
                         f"(apt-get install -y {TORCH_PACKAGE}), point the runner's Training:Torch:PythonPath at a python3 that has "
                         f"torch, or run the trainer's image (trainer-torch/Dockerfile).") from None
    return torch


def check_spec(spec):
    for field in ("trial_id", "train_uri", "validation_uri", "target", "task", "features", "algorithm", "output_uri"):
        if not spec.get(field):
            raise TrialError(f"The spec has no '{field}'.")
    if spec.get("positive_class") is not None and spec["task"] != "binary":
        raise TrialError(f"positive_class is only for binary tasks, not {spec['task']}.")
    names = set()
    for feature in spec["features"]:
        name = feature.get("name")
        if not name:
            raise TrialError("A feature has no name.")
        if feature.get("type") not in ("numeric", "categorical"):
            raise TrialError(f"Feature '{name}' has type '{feature.get('type')}'; use numeric or categorical.")
        if name in names:
            raise TrialError(f"Feature '{name}' is listed more than once.")
        if name == spec["target"]:
            raise TrialError(f"'{name}' is the target; it cannot also be a feature.")
        if name in ("Probability.output", "Score.output"):
            raise TrialError(f"Feature '{name}' has a name the model's outputs use (Probability.output, Score.output); rename the column.")
        names.add(name)
    return hyperparameters.read(spec["algorithm"], spec["task"], spec.get("hyperparameters"))


def run(argv, out=sys.stdout):
    def log(message):
        print(message, file=out, flush=True)

    uri = spec_uri(argv)
    files = TrialFiles()
    log(f"reading spec {uri}")
    try:
        spec = json.loads(files.read_text(uri))
    except ValueError as e:
        raise TrialError(f"'{uri}' is not a valid trial spec: {e}") from None
    trial = spec.get("trial_id", "?")
    try:
        hp = check_spec(spec)
        import_torch()
        import export
        import fit
        import outputs
        from trial_data import TrialData

        data = TrialData(spec, files.read(spec["train_uri"]), files.read(spec["validation_uri"]))
        log(f"trial {trial}: {spec['algorithm']} {spec['task']} on {data.train_rows} training rows, {data.validation_rows} validation rows, "
            f"{len(spec['features'])} features, device {fit.device().type}")
        fitted = fit.fit(spec, data, hp, lambda m: log(f"trial {trial}: {m}"))
        log(f"trial {trial}: trained in {fitted.seconds:.2f} s on {fitted.device} ({fitted.epochs} epochs, best {fitted.best_epoch})")
        module = export.exported_module(spec, data, fitted)
        values = outputs.rows(spec["task"], export.predict(module, spec, data))
        metrics = outputs.compute_metrics(data.target, values)
        log(f"trial {trial}: validation " + ", ".join(f"{k}={v:.4g}" for k, v in metrics.items()))
        model = export.to_onnx(module, spec, data)
        log(f"trial {trial}: exported ONNX ({len(model)} bytes)")
        base = spec["output_uri"].rstrip("/") + "/"
        files.write(base + "model.onnx", model)
        files.write(base + "manifest.json", outputs.manifest(spec, data.target.class_labels))
        files.write(base + "validation_predictions.csv", outputs.predictions_csv(data.target, values))
        files.write(base + "metrics.json", outputs.metrics_json(metrics, data.train_rows, data.validation_rows, fitted.seconds))
        log(f"trial {trial}: wrote model.onnx, manifest.json, validation_predictions.csv and metrics.json under {spec['output_uri']}")
        log(f"trial {trial}: succeeded")
    except Exception as e:
        e.trial_spec = spec
        raise


def main(argv):
    try:
        run(argv)
        return 0
    except Exception as e:  # noqa: BLE001 - every failure is the trial's, said in words.
        message = str(e) if isinstance(e, TrialError) else f"{type(e).__name__}: {e}"
        if not isinstance(e, TrialError):
            traceback.print_exc(file=sys.stderr)
        print(FAILURE_PREFIX + message.replace("\n", " "), file=sys.stderr, flush=True)
        spec = getattr(e, "trial_spec", None)
        if isinstance(spec, dict) and spec.get("output_uri"):
            try:
                TrialFiles().write(spec["output_uri"].rstrip("/") + "/error.txt", message + "\n")
            except Exception as write_error:  # noqa: BLE001
                print(f"could not write error.txt: {write_error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
