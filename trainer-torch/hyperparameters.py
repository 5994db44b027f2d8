"""The torch trainer's algorithms and hyperparameters (hyperparameters.json: names, kinds, ranges, defaults; the sweep
API checks requests against the same table, kept in core's HyperparameterCatalog and held to this file by a test)."""

import json
import math
import os

from trial_storage import TrialError

TASKS = ("binary", "multiclass", "regression")

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "hyperparameters.json"), encoding="utf-8") as _f:
    CATALOG = json.load(_f)


def _range(spec):
    if spec["kind"] == "integer":
        return f"a whole number from {spec['min']:g} to {spec['max']:g}"
    return f"{'greater than' if spec.get('min_exclusive') else 'at least'} {spec['min']:g} and at most {spec['max']:g}"


def read(algorithm, task, given):
    """The algorithm's hyperparameters: the defaults overridden by the spec's (numbers, or strings holding numbers)."""
    if task not in TASKS:
        raise TrialError(f"Unknown task '{task}'; use {', '.join(TASKS)}.")
    if algorithm not in CATALOG:
        raise TrialError(f"Unknown algorithm '{algorithm}'; the torch trainer knows {', '.join(CATALOG)}.")
    specs = {h["name"]: h for h in CATALOG[algorithm]["hyperparameters"]}
    values = {name: spec["default"] for name, spec in specs.items()}
    for name, value in (given or {}).items():
        spec = specs.get(name)
        if spec is None:
            raise TrialError(f"{algorithm} has no hyperparameter '{name}'; it knows {', '.join(specs)}.")
        number = None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            number = float(value)
        elif isinstance(value, str):
            try:
                number = float(value) if "_" not in value else None
            except ValueError:
                number = None
        low_ok = number is not None and (number > spec["min"] if spec.get("min_exclusive") else number >= spec["min"])
        if number is None or not math.isfinite(number) or not low_ok or number > spec["max"] or (
                spec["kind"] == "integer" and number != math.floor(number)):
            raise TrialError(f"{algorithm} hyperparameter '{name}' must be {_range(spec)}; got {str(value)[:40]!r}.")
        values[name] = int(number) if spec["kind"] == "integer" else number
    return values
