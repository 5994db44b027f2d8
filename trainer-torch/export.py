"""The trial's model as ONNX, taking raw features as the manifest says (one [N, 1] input per feature, named like it:
numeric FP32 with NaN for missing, categorical strings), and the trainer's own predictions on the validation rows from
the very module exported (CPU, float32). torch.onnx exports the network with int64 category codes; onnx_proto then
turns each code input into a string input feeding an ai.onnx.ml LabelEncoder (unseen or missing category: code 0,
embedded as zeros). Outputs: binary `Probability.output` [N, 1] (the positive class), multiclass `Score.output` [N, C],
regression `Score.output` [N, 1], as the built-in trainer names them."""

import io

import numpy as np
import torch

import models
import onnx_proto

OPSET = 17
PROBABILITY, SCORE = "Probability.output", "Score.output"


def output_name(task):
    return PROBABILITY if task == "binary" else SCORE


def code_input_names(features):
    taken = {f["name"] for f in features}
    names = {}
    for i, f in enumerate(features):
        if f["type"] == "categorical":
            name = f"__code{i}"
            while name in taken:
                name = "_" + name
            names[f["name"]] = name
    return names


def exported_module(spec, data, fitted):
    kinds = [f["type"] for f in spec["features"]]
    return models.Exported(fitted.network, spec["task"], kinds, fitted.target_mean, fitted.target_std).eval()


def columns(spec, data, x):
    """The module's inputs for rows x (numbers, codes): one [N, 1] tensor per feature in spec order."""
    numbers, codes = x
    result = []
    for f in spec["features"]:
        if f["type"] == "numeric":
            result.append(torch.from_numpy(np.ascontiguousarray(numbers[:, data.numeric.index(f["name"])])).reshape(-1, 1))
        else:
            result.append(torch.from_numpy(np.ascontiguousarray(codes[:, data.categorical.index(f["name"])])).reshape(-1, 1))
    return result


def predict(module, spec, data):
    with torch.no_grad():
        return module(*columns(spec, data, data.validation_x)).numpy().astype(np.float64)


def to_onnx(module, spec, data):
    features = spec["features"]
    codes = code_input_names(features)
    names = [codes.get(f["name"], f["name"]) for f in features]
    sample = [c[:2] for c in columns(spec, data, data.train_x)]
    out = output_name(spec["task"])
    buffer = io.BytesIO()
    with torch.no_grad():
        torch.onnx.export(module, tuple(sample), buffer, input_names=names, output_names=[out], opset_version=OPSET,
                          dynamic_axes={**{n: {0: "N"} for n in names}, out: {0: "N"}}, do_constant_folding=True)
    model = buffer.getvalue()
    encoders = {codes[f["name"]]: (f["name"], data.categories[f["name"]]) for f in features if f["type"] == "categorical"}
    return onnx_proto.replace_inputs_with_string_encoders(model, encoders) if encoders else model
