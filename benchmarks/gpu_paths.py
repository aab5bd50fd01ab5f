"""GPU paths against their CPU twins: agreement and speed, in one run on a machine with CUDA.

Three code paths run on the GPU when PyTorch sees one (``device="auto"``); CI has no GPU, so
this script is how they are checked:

1. the optimizer funnel's large tier (``FunnelEvaluator.large``: PyTorch on CUDA) against the
   Numba loops on the CPU, per task, for AdamW, Lion and SGD-momentum;
2. an exported optimizer (``to_torch_optimizer``) stepping CUDA parameters against the same
   program stepped on the CPU, and ``torch.optim.AdamW`` on CUDA against the AdamW program
   with its bias correction matched (as in ``tests/spaces/test_optimizers.py``);
3. the pruning evaluator (``PruningTask`` on ``cuda`` against ``cpu``, the same trained model
   and calibration statistics): identical masks and perplexities for magnitude, Wanda and the
   gradient metric, and the time per fitness evaluation.

    python benchmarks/gpu_paths.py              # needs CUDA; prints a table and ratio lines
    python benchmarks/gpu_paths.py --model tiny # the pruning part on the tiny model

Exits with status 1 when a check fails, 2 when there is no CUDA device.
"""
from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - start


def check_large_tier(rows: list) -> bool:
    from symsearch.evaluators import optimizer_proxy as proxy
    from symsearch.evaluators._optimizer_torch import evaluate_torch
    from symsearch.spaces import optimizers as opt
    ok = True
    large = proxy.DEFAULT_SUITE.tasks("large")
    proxy.evaluate(opt.adamw(), tier="large")                      # Numba compiles/loads
    evaluate_torch(opt.sgd(), large[:1], (0,), 1.0, "cuda", proxy.PENALTY)   # CUDA warm-up
    for name in ("adamw", "lion", "sgd_momentum"):
        program = opt.KNOWN_PROGRAMS[name]()
        cpu, cpu_s = timed(proxy.evaluate, program, tier="large")
        gpu, gpu_s = timed(evaluate_torch, program, large, (0,), 1.0, "cuda", proxy.PENALTY)
        worst = max(abs(cpu[k] - gpu[k]) for k in cpu if k.startswith("loss/"))
        passed = worst < 1e-3
        ok &= passed
        rows.append((f"large tier, {name}", f"{cpu['fitness']:.6f}", f"{gpu['fitness']:.6f}",
                     f"max |diff| per task {worst:.1e}", f"{cpu_s:.2f}", f"{gpu_s:.2f}",
                     "PASS" if passed else "FAIL"))
    return ok


def check_exported_optimizer(rows: list) -> bool:
    import torch
    from symsearch.spaces import optimizers as opt
    ok = True
    b1, b2, wd, lr = 0.9, 0.999, 0.1, 0.01
    scale = math.sqrt(1 - b2) / (1 - b1)
    program = opt.adamw(beta1=b1, beta2=b2, weight_decay=wd / scale, lr_scale=scale)
    Exported = opt.to_torch_optimizer(program, lr=lr)
    gen = torch.Generator().manual_seed(0)
    w0 = torch.randn(257, generator=gen, dtype=torch.float64)
    grads = [torch.randn(257, generator=gen, dtype=torch.float64) for _ in range(20)]

    def run(make, device, freeze=False):
        p = torch.nn.Parameter(w0.clone().to(device))
        optimizer = make([p])
        for g in grads:
            if freeze and "step" in optimizer.state[p]:
                optimizer.state[p]["step"].zero_()
            p.grad = g.to(device)
            optimizer.step()
        return p.detach().cpu()

    cpu = run(lambda ps: Exported(ps), "cpu")
    gpu = run(lambda ps: Exported(ps), "cuda")
    torch_gpu = run(lambda ps: torch.optim.AdamW(ps, lr=lr, betas=(b1, b2), eps=0.0,
                                                 weight_decay=wd, foreach=False),
                    "cuda", freeze=True)
    for label, a, b in (("exported AdamW program, cuda vs cpu", gpu, cpu),
                        ("exported AdamW program vs torch.optim.AdamW, cuda", gpu, torch_gpu)):
        diff = float((a - b).abs().max())
        passed = diff < 1e-6
        ok &= passed
        rows.append((label, "", "", f"max |diff| over 20 steps {diff:.1e}", "", "",
                     "PASS" if passed else "FAIL"))

    # trains a small CUDA model
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(8, 32), torch.nn.Tanh(),
                                torch.nn.Linear(32, 1)).cuda()
    x = torch.randn(256, 8, device="cuda")
    y = x[:, :1] * 2.0 - x[:, 1:2]
    optimizer = opt.to_torch_optimizer(opt.lion(), lr=3e-3)(model.parameters())
    first = None
    for _ in range(200):
        loss = torch.nn.functional.mse_loss(model(x), y)
        first = float(loss.detach()) if first is None else first
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    last = float(torch.nn.functional.mse_loss(model(x), y))
    passed = last < 0.2 * first
    ok &= passed
    rows.append(("exported Lion trains a CUDA MLP (200 steps)", f"{first:.4f}", f"{last:.4f}",
                 "loss before -> after", "", "", "PASS" if passed else "FAIL"))
    return ok


def check_pruning(rows: list, model: str) -> bool:
    import torch
    from symsearch.evaluators import pruning
    from symsearch.spaces.pruning_metrics import known_metrics
    ok = True
    # the GPU task first: a model missing from the disk cache is trained there, then both
    # load the same weights and calibration statistics
    gpu_task = pruning.get_task(model, device="cuda", log=True)
    cpu_task = pruning.get_task(model, device="cpu", log=True)
    gpu_task.perplexity(known_metrics()["magnitude"])                # CUDA warm-up
    for name, metric in known_metrics().items():
        cpu_masks = cpu_task.masks(metric)
        gpu_masks = gpu_task.masks(metric)
        same = all(bool(torch.equal(cpu_masks[k], gpu_masks[k].cpu())) for k in cpu_masks)
        (cpu_ppl, _), cpu_s = timed(cpu_task.perplexity, metric)
        (gpu_ppl, _), gpu_s = timed(gpu_task.perplexity, metric)
        rel = abs(cpu_ppl - gpu_ppl) / cpu_ppl
        passed = same and rel < 1e-3
        ok &= passed
        rows.append((f"pruning 50%, {name}", f"{cpu_ppl:.4f}", f"{gpu_ppl:.4f}",
                     f"masks {'identical' if same else 'DIFFER'}, ppl rel diff {rel:.1e}",
                     f"{cpu_s:.2f}", f"{gpu_s:.3f}", "PASS" if passed else "FAIL"))
    return ok


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="small", help="pruning model preset (small, tiny)")
    args = parser.parse_args(argv)
    import torch
    if not torch.cuda.is_available():
        print("gpu_paths: no CUDA device; nothing to check")
        return 2
    print(f"gpu_paths: {torch.cuda.get_device_name(0)}, torch {torch.__version__}")
    rows: list = []
    ok = check_large_tier(rows)
    ok &= check_exported_optimizer(rows)
    ok &= check_pruning(rows, args.model)
    header = ("check", "cpu", "cuda", "agreement", "cpu s", "cuda s", "")
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    for row in [header] + rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths)))
    for label in ("large tier", "pruning 50%"):
        timed_rows = [r for r in rows if r[0].startswith(label)]
        cpu = sum(float(r[4]) for r in timed_rows)
        gpu = sum(float(r[5]) for r in timed_rows)
        print(f"ratio {label} cpu/cuda time: {cpu / gpu:.2f}x")
    print(f"overall: {'all checks passed' if ok else 'some checks FAILED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
