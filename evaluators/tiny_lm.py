"""A small byte-level causal transformer language model, trained on text every Python has.

The corpus is the source of the Python standard library (``sysconfig.get_paths()["stdlib"]``:
code, comments and docstrings), so nothing is downloaded. Files are assigned to four splits by
a hash of their relative path, so the assignment is deterministic and does not depend on the
order the file system lists them in:

- ``train`` (about 80% of the files): what the model is trained on;
- ``calibration`` (5%): where pruning calibration sequences are drawn from;
- ``valid`` (~7%): the search's fitness (perplexity after pruning);
- ``test`` (~8%): held out, never used by a search, for re-checking a found metric.

The model (:class:`TinyLM`) is a pre-LayerNorm GPT: byte embeddings (tied with the output
layer, so every ``nn.Linear`` sits inside a transformer block), learned positions, blocks of
causal self-attention (``q``, ``k``, ``v``, ``o`` projections) and a GELU MLP (``fc1``,
``fc2``). :func:`load_model` trains it once per configuration and caches the weights on disk
(``$SYMSEARCH_CACHE_DIR`` or ``~/.cache/symsearch``, subfolder ``pruning/<config hash>``,
written atomically), so later processes only load them.

>>> config = PRESETS["tiny"]
>>> config.n_layers, config.d_model
(1, 32)
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sys
import sysconfig
import time
from pathlib import Path
from typing import Any

SPLITS = ("train", "calibration", "valid", "test")
#: Out of 40 hash buckets per file: which buckets go to which split.
_BUCKETS = {"calibration": range(0, 2), "valid": range(2, 5), "test": range(5, 8)}
_SKIP_DIRS = {"site-packages", "dist-packages", "test", "tests", "idle_test", "__pycache__",
              "lib2to3", "turtledemo", "config-3"}


@dataclasses.dataclass(frozen=True)
class LMConfig:
    """Everything that determines the trained model (and so its cache key).

    ``*_bytes`` cap how much text each split holds; ``eval_sequences`` is how many
    ``context``-long windows the valid and test perplexities are measured on.
    """

    n_layers: int = 3
    d_model: int = 128
    n_heads: int = 4
    d_ff: int = 512
    context: int = 128
    train_steps: int = 2400
    batch_size: int = 24
    lr: float = 3e-3
    seed: int = 0
    train_bytes: int = 4_000_000
    split_bytes: int = 400_000
    eval_sequences: int = 128

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0 \
                    and field.name != "seed":
                raise ValueError(f"LMConfig.{field.name} must be a positive number, got "
                                 f"{value!r}")
        if self.d_model % self.n_heads:
            raise ValueError(f"LMConfig.d_model ({self.d_model}) must be a multiple of n_heads "
                             f"({self.n_heads})")

    def key(self) -> str:
        """A short hash of the configuration, the corpus and the Python version."""
        data = json.dumps({"config": dataclasses.asdict(self), "corpus": corpus_digest(),
                           "format": 1}, sort_keys=True)
        return hashlib.blake2b(data.encode(), digest_size=8).hexdigest()


#: Named configurations: ``small`` for searches and benchmarks (2,400 steps: about 5 minutes of
#: training on 2 CPU cores, 20 s on a GPU), ``tiny`` for tests (seconds). ``small`` was trained
#: for 800 steps until it turned out to be too far from converged to be a pruning benchmark: at
#: 800 steps magnitude pruning was the best hand-made metric and Wanda 2% worse, at 2,400
#: (perplexity 4.3 instead of 6.5) both Wanda and the gradient metric beat magnitude, as they
#: do on real language models.
PRESETS = {
    "small": LMConfig(),
    "tiny": LMConfig(n_layers=1, d_model=32, n_heads=2, d_ff=64, context=32, train_steps=150,
                     batch_size=16, lr=1e-2, train_bytes=200_000, split_bytes=40_000,
                     eval_sequences=16),
}


def make_config(model: Any) -> LMConfig:
    """An LMConfig from a preset name, a mapping of LMConfig fields or an LMConfig."""
    if isinstance(model, LMConfig):
        return model
    if isinstance(model, str):
        if model not in PRESETS:
            raise ValueError(f"model must be one of {sorted(PRESETS)}, a mapping of LMConfig "
                             f"fields or an LMConfig, got {model!r}")
        return PRESETS[model]
    if isinstance(model, dict):
        base = PRESETS[model.get("preset", "small")]
        fields = {k: v for k, v in model.items() if k != "preset"}
        unknown = set(fields) - {f.name for f in dataclasses.fields(LMConfig)}
        if unknown:
            raise ValueError(f"unknown LMConfig field(s) {sorted(unknown)}")
        return dataclasses.replace(base, **fields)
    raise TypeError(f"model must be a preset name, a mapping or an LMConfig, got "
                    f"{type(model).__name__}")


# ---- the corpus -----------------------------------------------------------------------------

def _stdlib_files() -> list:
    root = Path(sysconfig.get_paths()["stdlib"])
    files = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames
                             if d not in _SKIP_DIRS and not d.startswith("config-"))
        for name in sorted(filenames):
            if name.endswith(".py"):
                path = Path(dirpath) / name
                files.append((path.relative_to(root).as_posix(), path))
    files.sort()
    return files


def _split_of(relative: str) -> str:
    bucket = int.from_bytes(hashlib.blake2b(relative.encode(), digest_size=4).digest(),
                            "little") % 40
    for split, buckets in _BUCKETS.items():
        if bucket in buckets:
            return split
    return "train"


_CORPUS: dict = {}


def corpus_digest() -> str:
    """Identifies the corpus: the Python version and the list of standard-library files."""
    if "digest" not in _CORPUS:
        names = "\n".join(rel for rel, _ in _stdlib_files())
        _CORPUS["digest"] = hashlib.blake2b(
            f"{sys.version_info[:3]}\n{names}".encode(), digest_size=8).hexdigest()
    return _CORPUS["digest"]


def corpus_split(split: str, max_bytes: int) -> bytes:
    """The first ``max_bytes`` of a split's text (files in path order, blank-line separated)."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    key = (split, max_bytes)
    if key not in _CORPUS:
        parts, total = [], 0
        for relative, path in _stdlib_files():
            if _split_of(relative) != split:
                continue
            try:
                data = path.read_bytes()
            except OSError:
                continue
            parts.append(data)
            total += len(data) + 2
            if total >= max_bytes:
                break
        text = b"\n\n".join(parts)[:max_bytes]
        if len(text) < 1000:
            raise RuntimeError(f"the standard library at {sysconfig.get_paths()['stdlib']} "
                               f"gives only {len(text)} bytes for the {split!r} split")
        _CORPUS[key] = text
    return _CORPUS[key]


def split_tokens(config: LMConfig, split: str):
    """A split's bytes as an int64 tensor of token ids (0..255)."""
    import numpy as np
    import torch
    size = config.train_bytes if split == "train" else config.split_bytes
    return torch.from_numpy(np.frombuffer(corpus_split(split, size), dtype=np.uint8)
                            .astype(np.int64))


def eval_windows(config: LMConfig, split: str):
    """``[eval_sequences, context + 1]`` non-overlapping windows spread evenly over the whole
    split (its files come in path order, so windows from the start alone would measure only
    its first few files, and a search would fit those)."""
    import torch
    tokens = split_tokens(config, split)
    width = config.context + 1
    count = min(config.eval_sequences, len(tokens) // width)
    stride = len(tokens) // count
    return torch.stack([tokens[s:s + width] for s in range(0, count * stride, stride)])


def random_windows(tokens, count: int, width: int, generator):
    """``count`` random ``width``-long windows of ``tokens`` (a seeded torch Generator)."""
    import torch
    starts = torch.randint(0, len(tokens) - width, (count,), generator=generator)
    return torch.stack([tokens[s:s + width] for s in starts.tolist()])


# ---- the model ------------------------------------------------------------------------------

def build_model(config: LMConfig):
    """An untrained :class:`TinyLM` (imports torch)."""
    import torch
    import torch.nn.functional as F
    from torch import nn

    class Block(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            d = config.d_model
            self.ln1 = nn.LayerNorm(d)
            self.q, self.k, self.v, self.o = (nn.Linear(d, d) for _ in range(4))
            self.ln2 = nn.LayerNorm(d)
            self.fc1 = nn.Linear(d, config.d_ff)
            self.fc2 = nn.Linear(config.d_ff, d)

        def forward(self, x):
            batch, length, d = x.shape
            heads = config.n_heads
            h = self.ln1(x)
            q, k, v = (proj(h).view(batch, length, heads, d // heads).transpose(1, 2)
                       for proj in (self.q, self.k, self.v))
            attn = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            x = x + self.o(attn.transpose(1, 2).reshape(batch, length, d))
            return x + self.fc2(F.gelu(self.fc1(self.ln2(x))))

    class TinyLM(nn.Module):
        """Byte-level GPT with tied input/output embeddings."""

        def __init__(self) -> None:
            super().__init__()
            self.embed = nn.Embedding(256, config.d_model)
            self.position = nn.Parameter(torch.zeros(config.context, config.d_model))
            self.blocks = nn.ModuleList(Block() for _ in range(config.n_layers))
            self.ln_f = nn.LayerNorm(config.d_model)
            nn.init.normal_(self.embed.weight, std=0.02)
            nn.init.normal_(self.position, std=0.02)

        def forward(self, tokens):
            x = self.embed(tokens) + self.position[:tokens.shape[1]]
            for block in self.blocks:
                x = block(x)
            return self.ln_f(x) @ self.embed.weight.t()

        def loss(self, windows):
            logits = self(windows[:, :-1])
            return F.cross_entropy(logits.reshape(-1, 256), windows[:, 1:].reshape(-1))

    return TinyLM()


def linear_layers(model) -> list:
    """``(name, nn.Linear)`` of every linear layer, in module order."""
    from torch import nn
    return [(name, m) for name, m in model.named_modules() if isinstance(m, nn.Linear)]


def train_model(config: LMConfig, device: str = "cpu", log: bool = False):
    """Trains a TinyLM from scratch (AdamW, warm-up then cosine decay); returns it on
    ``device`` in eval mode."""
    import math
    import torch
    torch.manual_seed(config.seed)
    model = build_model(config).to(device)
    tokens = split_tokens(config, "train")
    generator = torch.Generator().manual_seed(config.seed)
    decay = [p for n, p in model.named_parameters() if p.ndim == 2 and n != "position"]
    other = [p for n, p in model.named_parameters() if not (p.ndim == 2 and n != "position")]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05},
                                   {"params": other, "weight_decay": 0.0}],
                                  lr=config.lr, betas=(0.9, 0.98))
    warmup = max(1, config.train_steps // 20)
    start = time.perf_counter()
    model.train()
    for step in range(config.train_steps):
        fraction = step / max(1, config.train_steps - 1)
        scale = min(1.0, (step + 1) / warmup) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi
                                                                                  * fraction)))
        for group in optimizer.param_groups:
            group["lr"] = config.lr * scale
        batch = random_windows(tokens, config.batch_size, config.context + 1,
                               generator).to(device)
        loss = model.loss(batch)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        if log and (step % 100 == 0 or step == config.train_steps - 1):
            print(f"  train step {step}/{config.train_steps}: loss {loss.item():.3f} "
                  f"({time.perf_counter() - start:.0f} s)", file=sys.stderr, flush=True)
    return model.eval()


def artifact_dir(config: LMConfig) -> Path:
    """The folder of a configuration's cached model and calibration statistics."""
    from symsearch.programs.compiled import cache_dir
    path = cache_dir().parent / "pruning" / config.key()
    path.mkdir(parents=True, exist_ok=True)
    return path


def save_atomic(obj: Any, path: Path) -> None:
    """``torch.save`` to a temporary file, then an atomic rename: readers never see half a
    file, and concurrent writers of the same content simply race to the same result."""
    import torch
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    torch.save(obj, tmp)
    os.replace(tmp, path)


def load_model(config: LMConfig, device: str = "cpu", log: bool = False):
    """The trained model for ``config`` on ``device`` (eval mode, no gradients needed):
    loaded from the disk cache, or trained and cached there."""
    import torch
    path = artifact_dir(config) / "model.pt"
    model = build_model(config)
    if path.exists():
        model.load_state_dict(torch.load(path, map_location="cpu"))
        return model.to(device).eval()
    if log:
        print(f"training the {config.n_layers}-layer language model (cached in {path.parent})",
              file=sys.stderr, flush=True)
    trained = train_model(config, device, log=log)
    save_atomic({k: v.detach().cpu() for k, v in trained.state_dict().items()}, path)
    return trained


def perplexity(model, windows, batch_size: int = 32) -> float:
    """``exp`` of the mean next-byte cross-entropy over ``windows`` ``[n, context + 1]``."""
    import torch
    device = next(model.parameters()).device
    total, count = 0.0, 0
    with torch.no_grad():
        for i in range(0, len(windows), batch_size):
            batch = windows[i:i + batch_size].to(device)
            total += float(model.loss(batch)) * len(batch)
            count += len(batch)
    return float(torch.exp(torch.tensor(total / count)))


__all__ = ["LMConfig", "PRESETS", "SPLITS", "make_config", "corpus_split", "split_tokens",
           "eval_windows", "random_windows", "build_model", "linear_layers", "train_model",
           "load_model", "artifact_dir", "save_atomic", "perplexity"]
