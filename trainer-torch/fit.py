"""Trains a network: AdamW on shuffled mini-batches, the validation loss after every epoch, early stopping when it has
not improved for `patience` epochs (the best epoch's weights are kept); on CUDA when present (mixed precision: float16
autocast with a gradient scaler), else on CPU. Seeded: the same spec on the same device gives the same model."""

import copy
import random
import time

import numpy as np
import torch
from torch import nn

import models

EVAL_BATCH = 8192


def device():
    return torch.device("cuda") if torch.cuda.is_available() else torch.device("cpu")


def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed % (2 ** 32))
    torch.manual_seed(seed)
    torch.cuda.manual_seed_all(seed)
    torch.backends.cudnn.benchmark = False
    torch.backends.cudnn.deterministic = True


class Fitted:
    def __init__(self, network, target_mean, target_std, epochs, best_epoch, seconds, device_name):
        self.network = network
        self.target_mean = target_mean
        self.target_std = target_std
        self.epochs = epochs
        self.best_epoch = best_epoch
        self.seconds = seconds
        self.device = device_name


def _tensors(x, y, where):
    numbers, codes = x
    return (torch.from_numpy(numbers).to(where) if numbers.shape[1] else None,
            torch.from_numpy(codes).to(where) if codes.shape[1] else None,
            torch.from_numpy(y).to(where))


def _rows(tensors, index):
    return tuple(None if t is None else t[index] for t in tensors)


def fit(spec, data, hp, log):
    seed_everything(int(spec.get("seed", 0)))
    where = device()
    task = spec["task"]
    target = data.target
    target_mean, target_std = 0.0, 1.0
    train_y, validation_y = target.train, target.validation
    if task == "regression":
        target_mean = float(train_y.astype(np.float64).mean())
        target_std = float(train_y.astype(np.float64).std()) or 1.0
        train_y = ((train_y - target_mean) / target_std).astype(np.float32)
        validation_y = ((validation_y - target_mean) / target_std).astype(np.float32)
    outputs = len(target.class_labels) if task == "multiclass" else 1
    cardinalities = [len(data.categories[n]) for n in data.categorical]
    body = models.build(spec["algorithm"], hp, len(data.numeric), cardinalities, outputs)
    network = models.Network(models.Featurizer(data.means, data.stds), body).to(where)
    loss_fn = nn.CrossEntropyLoss() if task == "multiclass" else nn.BCEWithLogitsLoss() if task == "binary" else nn.MSELoss()
    optimizer = torch.optim.AdamW(network.parameters(), lr=hp["learning_rate"], weight_decay=hp["weight_decay"])
    amp = where.type == "cuda"
    scaler = torch.cuda.amp.GradScaler(enabled=amp)
    train = _tensors(data.train_x, train_y, where)
    validation = _tensors(data.validation_x, validation_y, where)
    shuffle = torch.Generator().manual_seed(int(spec.get("seed", 0)))

    def loss_of(out, y):
        return loss_fn(out, y) if task == "multiclass" else loss_fn(out.squeeze(1), y)

    best_loss, best_state, best_epoch, stale = float("inf"), None, 0, 0
    rows, batch = data.train_rows, hp["batch_size"]
    started = time.perf_counter()
    epoch = 0
    for epoch in range(1, hp["max_epochs"] + 1):
        network.train()
        order = torch.randperm(rows, generator=shuffle).to(where)
        for start in range(0, rows, batch):
            index = order[start:start + batch]
            if index.numel() < 2 and rows > 1:
                continue  # A batch of one row carries no signal worth a step (and breaks normalization layers).
            numbers, codes, y = _rows(train, index)
            optimizer.zero_grad(set_to_none=True)
            with torch.autocast(device_type="cuda", dtype=torch.float16, enabled=amp):
                loss = loss_of(network(numbers, codes), y)
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
        validation_loss = _evaluate(network, validation, loss_of, amp)
        if validation_loss < best_loss - 1e-7:
            best_loss, best_epoch, stale = validation_loss, epoch, 0
            best_state = copy.deepcopy({k: v.detach().to("cpu") for k, v in network.state_dict().items()})
        else:
            stale += 1
        if epoch == 1 or epoch % 10 == 0 or stale == 0:
            log(f"epoch {epoch}: validation loss {validation_loss:.5f} (best {best_loss:.5f} at epoch {best_epoch})")
        if stale >= hp["patience"]:
            log(f"early stop after epoch {epoch}: no better validation loss for {hp['patience']} epochs")
            break
    seconds = time.perf_counter() - started
    network = network.to("cpu")
    if best_state is not None:
        network.load_state_dict(best_state)
    network.eval()
    return Fitted(network, target_mean, target_std, epoch, best_epoch, seconds, where.type)


def _evaluate(network, validation, loss_of, amp):
    network.eval()
    total, rows = 0.0, validation[2].shape[0]
    with torch.no_grad():
        for start in range(0, rows, EVAL_BATCH):
            index = slice(start, start + EVAL_BATCH)
            numbers, codes, y = _rows(validation, index)
            with torch.autocast(device_type="cuda", dtype=torch.float16, enabled=amp):
                out = network(numbers, codes)
            total += float(loss_of(out.float(), y)) * y.shape[0]
    return total / rows
