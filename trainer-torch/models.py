"""The networks. Both take the raw features the model's ONNX graph takes (numbers with NaN for missing, categorical
codes: 0 an unseen or missing category, k + 1 the k-th training category) and hold their featurization: missing numbers
become the training mean (as in the built-in trainer), then numbers are standardized with the training mean and
deviation; categories are embedded, code 0 as zeros. Outputs are logits (classification) or the standardized target
(regression); `Exported` adds the task's head (sigmoid, softmax, or the target's scale) for the graph.

- `torch_mlp`: an MLP on the standardized numbers and the categorical embeddings (Linear, ReLU, dropout per layer).
- `torch_ft_transformer`: the FT-Transformer (Gorishniy et al., "Revisiting Deep Learning Models for Tabular Data",
  NeurIPS 2021): each feature becomes a token (numbers: x * w + b per feature; categories: an embedding plus a bias),
  a [CLS] token is prepended, pre-norm Transformer blocks (multi-head attention, ReGLU feed-forward), and the head reads
  the [CLS] token.
"""

import math

import torch
from torch import nn


class Featurizer(nn.Module):
    """Imputes and standardizes the numbers; the categorical codes pass through as int64."""

    def __init__(self, means, stds):
        super().__init__()
        self.register_buffer("mean", torch.tensor(means, dtype=torch.float32).reshape(1, -1))
        self.register_buffer("std", torch.tensor(stds, dtype=torch.float32).reshape(1, -1))

    def forward(self, numbers):
        numbers = torch.where(torch.isnan(numbers), self.mean.expand_as(numbers), numbers)
        return (numbers - self.mean) / self.std


class Mlp(nn.Module):
    def __init__(self, n_numeric, cardinalities, outputs, hidden_size, num_layers, dropout, embedding_dim):
        super().__init__()
        self.embeddings = nn.ModuleList(nn.Embedding(c + 1, embedding_dim, padding_idx=0) for c in cardinalities)
        layers, width = [], n_numeric + embedding_dim * len(cardinalities)
        for _ in range(num_layers):
            layers += [nn.Linear(width, hidden_size), nn.ReLU(), nn.Dropout(dropout)]
            width = hidden_size
        layers.append(nn.Linear(width, outputs))
        self.layers = nn.Sequential(*layers)

    def forward(self, numbers, codes):
        parts = ([] if numbers is None else [numbers]) + [e(codes[:, i]) for i, e in enumerate(self.embeddings)]
        return self.layers(torch.cat(parts, dim=1))


class ReGLU(nn.Module):
    def forward(self, x):
        a, b = x.chunk(2, dim=-1)
        return a * torch.relu(b)


class Block(nn.Module):
    def __init__(self, d_token, n_heads, d_ffn, dropout, first):
        super().__init__()
        self.n_heads = n_heads
        self.d_token = d_token
        self.scale = 1 / math.sqrt(d_token // n_heads)
        self.attention_norm = nn.Identity() if first else nn.LayerNorm(d_token)  # The paper drops the first block's first norm.
        self.qkv = nn.Linear(d_token, 3 * d_token)
        self.out = nn.Linear(d_token, d_token)
        self.attention_dropout = nn.Dropout(dropout)
        self.ffn_norm = nn.LayerNorm(d_token)
        self.ffn = nn.Sequential(nn.Linear(d_token, 2 * d_ffn), ReGLU(), nn.Dropout(dropout), nn.Linear(d_ffn, d_token))
        self.residual_dropout = nn.Dropout(dropout)

    def forward(self, x):
        n, tokens = x.shape[0], x.shape[1]
        q, k, v = self.qkv(self.attention_norm(x)).chunk(3, dim=-1)
        heads = lambda t: t.reshape(n, tokens, self.n_heads, self.d_token // self.n_heads).transpose(1, 2)
        q, k, v = heads(q), heads(k), heads(v)
        weights = torch.softmax((q @ k.transpose(-1, -2)) * self.scale, dim=-1)
        attended = (self.attention_dropout(weights) @ v).transpose(1, 2).reshape(n, tokens, self.d_token)
        x = x + self.residual_dropout(self.out(attended))
        return x + self.residual_dropout(self.ffn(self.ffn_norm(x)))


class FtTransformer(nn.Module):
    def __init__(self, n_numeric, cardinalities, outputs, d_token, n_blocks, dropout):
        super().__init__()
        self.numeric_weight = nn.Parameter(torch.empty(n_numeric, d_token))
        self.numeric_bias = nn.Parameter(torch.empty(n_numeric, d_token))
        self.embeddings = nn.ModuleList(nn.Embedding(c + 1, d_token, padding_idx=0) for c in cardinalities)
        self.categorical_bias = nn.Parameter(torch.empty(len(cardinalities), d_token))
        self.cls = nn.Parameter(torch.empty(1, 1, d_token))
        bound = 1 / math.sqrt(d_token)
        for p in (self.numeric_weight, self.numeric_bias, self.categorical_bias, self.cls):
            nn.init.uniform_(p, -bound, bound)
        n_heads = next(h for h in (8, 4, 2, 1) if d_token % h == 0)
        d_ffn = max(1, int(d_token * 4 / 3))
        self.blocks = nn.ModuleList(Block(d_token, n_heads, d_ffn, dropout, i == 0) for i in range(n_blocks))
        self.head = nn.Sequential(nn.LayerNorm(d_token), nn.ReLU(), nn.Linear(d_token, outputs))

    def forward(self, numbers, codes):
        rows = (numbers if numbers is not None else codes).shape[0]
        tokens = [self.cls.expand(rows, -1, -1)]
        if numbers is not None:
            tokens.append(numbers.unsqueeze(-1) * self.numeric_weight + self.numeric_bias)
        for i, e in enumerate(self.embeddings):
            tokens.append((e(codes[:, i]) + self.categorical_bias[i]).unsqueeze(1))
        x = torch.cat(tokens, dim=1)
        for block in self.blocks:
            x = block(x)
        return self.head(x[:, 0])


class Network(nn.Module):
    """Featurizer then the architecture: (numbers [N, n] or None, codes [N, c] or None) -> logits or standardized value."""

    def __init__(self, featurizer, body):
        super().__init__()
        self.featurizer = featurizer
        self.body = body

    def forward(self, numbers, codes):
        return self.body(None if numbers is None else self.featurizer(numbers), codes)


class Exported(nn.Module):
    """The graph's module: one [N, 1] input per feature in spec order (numbers FP32, categorical codes int64); the task's
    output: binary P(positive) [N, 1], multiclass probabilities [N, C], regression the value [N, 1]."""

    def __init__(self, network, task, kinds, target_mean=0.0, target_std=1.0):
        super().__init__()
        self.network = network
        self.task = task
        self.kinds = kinds  # per input: "numeric" or "categorical"
        self.target_mean = target_mean
        self.target_std = target_std

    def forward(self, *columns):
        numbers = [c for c, k in zip(columns, self.kinds) if k == "numeric"]
        codes = [c for c, k in zip(columns, self.kinds) if k == "categorical"]
        numbers = torch.cat(numbers, dim=1) if numbers else None
        codes = torch.cat(codes, dim=1) if codes else None
        out = self.network(numbers, codes)
        if self.task == "binary":
            return torch.sigmoid(out)
        if self.task == "multiclass":
            return torch.softmax(out, dim=1)
        return out * self.target_std + self.target_mean


def build(algorithm, hyperparameters, n_numeric, cardinalities, outputs):
    if algorithm == "torch_mlp":
        body = Mlp(n_numeric, cardinalities, outputs, hyperparameters["hidden_size"], hyperparameters["num_layers"],
                   hyperparameters["dropout"], hyperparameters["embedding_dim"])
    else:
        body = FtTransformer(n_numeric, cardinalities, outputs, hyperparameters["d_token"], hyperparameters["n_blocks"], hyperparameters["dropout"])
    return body
