"""A trial's rows, read as the built-in trainer reads them (trainer/TrialTable.cs, TrialTarget.cs, TrialData.cs): CSV with
a header row (RFC 4180), blank lines skipped, every row as wide as the header; numeric cells parsed in the invariant
culture, an empty cell missing (NaN); categorical cells as text; the target trimmed and required on every row. Binary
targets take the positive class from the spec or the default for 0/1 and true/false targets; multiclass labels are the
training values sorted; regression targets are float32. Errors name the file, the data row (1-based) and the column,
never quoting a feature cell."""

import csv
import io
import math

import numpy as np

from trial_storage import TrialError

BINARY, MULTICLASS, REGRESSION = "binary", "multiclass", "regression"
NUMERIC, CATEGORICAL = "numeric", "categorical"


class Table:
    def __init__(self, source, columns, rows):
        self.source = source
        self.columns = columns  # name -> list of cells
        self.rows = rows


def parse_table(data, source, names, roles):
    text = (data[3:] if data.startswith(b"\xef\xbb\xbf") else data).decode("utf-8")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        lines = [row for row in reader if row]
    except csv.Error as e:
        raise TrialError(f"'{source}' is not a valid CSV: {e}") from None
    if not lines:
        raise TrialError(f"'{source}' is empty: expected a header row and data rows.")
    header = [h.strip() for h in lines[0]]
    indexes = {}
    for name in names:
        if name not in header:
            role = roles.get(name, "")
            raise TrialError(f"'{source}' has no {role + ' ' if role else ''}column '{name}'; its columns are {', '.join(repr(h) for h in header)}.")
        indexes[name] = header.index(name)
    body = lines[1:]
    if not body:
        raise TrialError(f"'{source}' has a header but no data rows.")
    for r, row in enumerate(body):
        if len(row) != len(header):
            raise TrialError(f"'{source}' is not a valid CSV: data row {r + 1} has {len(row)} cells, the header {len(header)}.")
    return Table(source, {n: [row[i] for row in body] for n, i in indexes.items()}, len(body))


def _number(text):
    if "_" in text:  # Python reads 1_000; .NET's invariant culture does not.
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def numbers(feature, table):
    cells = table.columns[feature]
    values = np.empty(len(cells), dtype=np.float32)
    for r, cell in enumerate(cells):
        if not cell.strip():
            values[r] = np.nan
            continue
        value = _number(cell.strip())
        if value is None:
            raise TrialError(f"Numeric feature '{feature}' in '{table.source}' holds a value that is not a number in data row {r + 1} "
                             f"(leave the cell empty for a missing value).")
        values[r] = value
    return values


class Target:
    def __init__(self, task, train, validation, validation_text, class_labels=None):
        self.task = task
        self.train = train  # binary: float32 0/1; multiclass: int64 class index; regression: float32
        self.validation = validation
        self.validation_text = validation_text
        self.class_labels = class_labels  # binary: [negative, positive]; multiclass: sorted labels


def _cells(target, table):
    cells = [c.strip() for c in table.columns[target]]
    for r, c in enumerate(cells):
        if not c:
            raise TrialError(f"Target '{target}' in '{table.source}' is empty in data row {r + 1}; every row needs a target.")
    return cells


def _describe(values):
    values = list(values)
    return ", ".join(f"'{v}'" for v in values[:10]) + (", ..." if len(values) > 10 else "")


def _default_positive(classes):
    numbers_ = [_number(c) for c in classes]
    if all(v in (0.0, 1.0) for v in numbers_):
        return next(c for c, v in zip(classes, numbers_) if v == 1.0)
    if all(c.lower() in ("true", "false") for c in classes):
        return next(c for c in classes if c.lower() == "true")
    return None


def _check_known(target, table, text, classes, train_source):
    known = set(classes)
    for r, t in enumerate(text):
        if t not in known:
            raise TrialError(f"Target '{target}' in '{table.source}' (data row {r + 1}) is '{t}', which the training rows "
                             f"('{train_source}') never have; their classes are {_describe(classes)}.")


def read_target(spec, train, validation):
    name, task = spec["target"], spec["task"]
    train_text, validation_text = _cells(name, train), _cells(name, validation)
    if task == BINARY:
        classes = sorted(set(train_text))
        if len(classes) != 2:
            raise TrialError(f"Target '{name}' in '{train.source}' has only the value '{classes[0]}'; a binary task needs two classes."
                             if len(classes) < 2 else
                             f"Target '{name}' in '{train.source}' has {len(classes)} distinct values ({_describe(classes)}); "
                             f"a binary task needs exactly 2 (use task multiclass).")
        positive = spec.get("positive_class")
        positive = positive.strip() if positive is not None else _default_positive(classes)
        if positive is None:
            raise TrialError(f"Target '{name}' has values {_describe(classes)}: set positive_class in the spec to the one that is the positive class.")
        if positive not in classes:
            raise TrialError(f"positive_class '{positive}' is not a value of target '{name}' in '{train.source}'; its values are {_describe(classes)}.")
        negative = next(c for c in classes if c != positive)
        _check_known(name, validation, validation_text, classes, train.source)
        as_float = lambda text: np.array([1.0 if t == positive else 0.0 for t in text], dtype=np.float32)
        return Target(task, as_float(train_text), as_float(validation_text), validation_text, [negative, positive])
    if task == MULTICLASS:
        classes = sorted(set(train_text))
        if len(classes) < 2:
            raise TrialError(f"Target '{name}' in '{train.source}' has only the value '{classes[0]}'; a multiclass task needs at least two classes.")
        _check_known(name, validation, validation_text, classes, train.source)
        index = {c: i for i, c in enumerate(classes)}
        as_index = lambda text: np.array([index[t] for t in text], dtype=np.int64)
        return Target(task, as_index(train_text), as_index(validation_text), validation_text, classes)

    def floats(table, text):
        values = np.empty(len(text), dtype=np.float32)
        for r, t in enumerate(text):
            value = _number(t)
            if value is None:
                raise TrialError(f"Target '{name}' in '{table.source}' is not a finite number in data row {r + 1}; a regression target must be a number.")
            values[r] = value
        return values
    return Target(task, floats(train, train_text), floats(validation, validation_text), validation_text)


class TrialData:
    """Both files' features and targets, plus what the model's graph needs from the training rows: each numeric feature's
    mean (missing values become it, as in the built-in trainer) and standard deviation, and each categorical feature's
    categories in order of first appearance (code k + 1; 0 is an unseen or missing category)."""

    def __init__(self, spec, train_csv, validation_csv):
        features = spec["features"]
        names = [spec["target"]] + [f["name"] for f in features]
        roles = {f["name"]: f"{f['type']} feature" for f in features}
        roles[spec["target"]] = "target"
        train = parse_table(train_csv, spec["train_uri"], names, roles)
        validation = parse_table(validation_csv, spec["validation_uri"], names, roles)
        self.target = read_target(spec, train, validation)
        self.train_rows, self.validation_rows = train.rows, validation.rows
        self.numeric = [f["name"] for f in features if f["type"] == NUMERIC]
        self.categorical = [f["name"] for f in features if f["type"] == CATEGORICAL]
        train_numbers = {n: numbers(n, train) for n in self.numeric}
        validation_numbers = {n: numbers(n, validation) for n in self.numeric}
        self.means, self.stds = [], []
        for n in self.numeric:
            column = train_numbers[n].astype(np.float64)
            present = column[~np.isnan(column)]
            mean = float(present.mean()) if present.size else 0.0
            std = float(present.std()) if present.size else 0.0
            self.means.append(mean)
            self.stds.append(std if std > 1e-12 else 1.0)
        self.categories = {}
        for n in self.categorical:
            self.categories[n] = list(dict.fromkeys(train.columns[n]))
        self.train_x = self._matrices(train, train_numbers)
        self.validation_x = self._matrices(validation, validation_numbers)
        self.validation_raw = {n: (validation_numbers[n] if n in validation_numbers else validation.columns[n]) for n in names[1:]}

    def _matrices(self, table, table_numbers):
        numeric = np.stack([table_numbers[n] for n in self.numeric], axis=1) if self.numeric else np.zeros((table.rows, 0), np.float32)
        codes = []
        for n in self.categorical:
            index = {c: i + 1 for i, c in enumerate(self.categories[n])}
            codes.append(np.array([index.get(c, 0) for c in table.columns[n]], dtype=np.int64))
        categorical = np.stack(codes, axis=1) if codes else np.zeros((table.rows, 0), np.int64)
        return numeric, categorical
