#!/usr/bin/python3
"""bench_compare.py HOPSWEEP_BINARY — hopsweep's training speed as a ratio against PyTorch's.

DESIGN §5: speed is a ratio against PyTorch run in the same session on the same machine, one
thread each. In one run this
  1. checks that the idiomatic PyTorch model is hopsweep's architecture (bench_torch.py --check:
     same weights as the op-by-op reference model, same loss, logits and gradients to 1e-4);
  2. runs `HOPSWEEP_BINARY bench --json`: one JSON object per line with config, ms_per_step,
     steps_per_s, gflops, sgemm_gflops and, where the binary gives them, precision (fp32 | bf16;
     absent means fp32) and peak_gflops (the same run's peak matmul rate for that precision);
  3. runs bench_torch.py: PyTorch op-by-op (hs_reference.py) fp32, idiomatic fp32
     (nn.MultiheadAttention, nn.LayerNorm, nn.Linear, AdamW) and idiomatic under
     torch.autocast('cpu', bfloat16), with OpenBLAS pinned to one thread before torch loads;
and prints one Markdown table, a row per config and precision:

    config | precision | hopsweep ms/step | steps/s | GFLOP/s | % of peak |
    PyTorch op-by-op | PyTorch idiomatic fp32 | PyTorch autocast bf16 | ratio | target | met

The ratio is hopsweep over the idiomatic PyTorch model at the row's precision (fp32: idiomatic
fp32; bf16: autocast bf16); the targets are those README's speed section states for this CPU kind. Above the table: CPU model and its bf16
flags, date, torch version, what the baseline check found.

    /usr/bin/python3 bench_compare.py build/hopsweep [--quick] [--configs S,M,L] [--json] [--strict]
    /usr/bin/python3 bench_compare.py --check

Exit 0 when every part ran (--strict: and every target that applies is met), 1 otherwise, 2 on
bad usage.
"""
import argparse
import datetime
import json
import os
import platform
import shlex
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ORDER = ["S", "M", "L"]
PRECISIONS = ["fp32", "bf16"]
# hopsweep / idiomatic PyTorch at the same precision
TARGETS = {("S", "fp32"): 2.5, ("M", "fp32"): 1.6, ("L", "fp32"): 1.3,
           ("S", "bf16"): 1.5, ("M", "bf16"): 1.3, ("L", "bf16"): 1.2}
PEAK_TARGET = {"M": 0.70, "L": 0.70}  # fp32 share of the same run's peak f32 matmul rate
BF16_OVER_FP32_TARGET = {"L": 2.0}    # hopsweep bf16 L >= 2x hopsweep fp32 L
BF16_FLAGS = ("amx_bf16", "avx512_bf16")
SHOWN_FLAGS = ("avx2", "avx512f", "avx512_bf16", "amx_tile", "amx_bf16")
PT_BASELINE = {"fp32": "idiomatic", "bf16": "autocast"}
PIN = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def cpu_info():
    """(model name, set of flags) from /proc/cpuinfo's first processor."""
    model, flags = None, set()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, val = line.partition(":")
                key = key.strip().lower()
                if key == "model name" and model is None:
                    model = val.strip()
                elif key == "flags" and not flags:
                    flags = set(val.split())
                if model and flags:
                    break
    except OSError:
        pass
    return model or platform.processor() or platform.machine() or "unknown CPU", flags


def json_objects(text):
    """Every line of text that is a JSON object with a "config" key."""
    out = []
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(obj, dict) and "config" in obj:
            out.append(obj)
    return out


def hopsweep_by_key(objs):
    """hopsweep bench lines by (config, precision); a line without "precision" is fp32 (the
    shape of earlier versions)."""
    out = {}
    for o in objs:
        prec = str(o.get("precision") or "fp32").strip().lower()
        out[(str(o["config"]).upper(), prec)] = o
    return out


def torch_by_key(objs):
    """bench_torch.py lines by (config, variant); lines without "variant" are op-by-op (the
    shape of earlier versions)."""
    return {(str(o["config"]).upper(), str(o.get("variant") or "opbyop")): o for o in objs}


def keep_fastest(best, rounds, got):
    """Merges one round's {key: obj} into best (the fastest obj per key) and rounds (every
    round's steps/s per key)."""
    for k, o in got.items():
        v = steps_per_s(o)
        rounds.setdefault(k, []).append(v)
        if k not in best or (v is not None and (steps_per_s(best[k]) or 0) < v):
            best[k] = o


def run(cmd, what, env=None):
    """Runs cmd; returns (stdout, stderr, error message or None, seconds)."""
    print(f"running {what}: {' '.join(shlex.quote(c) for c in cmd)}", file=sys.stderr, flush=True)
    t0 = time.monotonic()
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           env=env)
    except OSError as e:
        return "", "", f"{what} could not be started: {e}", 0.0
    dt = time.monotonic() - t0
    if p.returncode != 0:
        tail = "\n".join(p.stderr.strip().splitlines()[-5:])
        return p.stdout, p.stderr, (f"{what} exited with status {p.returncode}"
                                    + (f":\n{tail}" if tail else "")), dt
    return p.stdout, p.stderr, None, dt


def num(obj, key):
    if obj is None:
        return None
    v = obj.get(key)
    if isinstance(v, bool):
        return None
    try:
        v = float(v)
    except (TypeError, ValueError):
        return None
    return v if v == v else None  # NaN -> None


def steps_per_s(obj):
    v = num(obj, "steps_per_s")
    if v is None and num(obj, "ms_per_step"):
        v = 1e3 / num(obj, "ms_per_step")
    return v


def fmt(v, spec, suffix=""):
    return "—" if v is None else format(v, spec) + suffix


def fmt_pt(obj):
    sps = steps_per_s(obj)
    if sps is None:
        return "—" if obj is None or "error" not in obj else "error"
    return f"{sps:.2f} ({num(obj, 'ms_per_step'):.2f} ms)"


def run_check(args, env):
    """bench_torch.py --check; returns (report dict or None, error or None)."""
    cmd = [args.python, os.path.join(HERE, "bench_torch.py"), "--check"]
    out, err_text, err, _ = run(cmd, "baseline check", env)
    for line in err_text.splitlines():
        if line.startswith("check "):
            print(line, file=sys.stderr)
    report = next((json.loads(l) for l in out.splitlines() if l.startswith('{"check"')), None)
    if report is None and err is None:
        err = "bench_torch.py --check printed no report"
    return report, err


def check_summary(report):
    if report is None:
        return "not run"
    cs = report.get("configs", {})
    if not cs:
        return "no configs"
    loss = max(c["loss_rel"] for c in cs.values())
    grad = max(c["grad_rel_worst"] for c in cs.values())
    logits = max(c["logits_rel"] for c in cs.values())
    bf = max(c["autocast_loss_rel"] for c in cs.values())
    verdict = "same computation" if report.get("ok") else "**DIFFERENT**"
    return (f"idiomatic vs op-by-op on {','.join(cs)} at batch {report.get('batch')}, same "
            f"weights: {verdict} (loss rel ≤ {loss:.1e}, logits rel ≤ {logits:.1e}, every "
            f"gradient rel ≤ "
            f"{grad:.1e}; tolerance {report.get('rtol')}); autocast loss within {bf:.1e} of fp32")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("hopsweep", nargs="?", help="path to the hopsweep binary")
    ap.add_argument("--python", default=os.environ.get("HOPSWEEP_PYTHON", "/usr/bin/python3"),
                    help="interpreter that imports torch (default $HOPSWEEP_PYTHON or "
                         "/usr/bin/python3)")
    ap.add_argument("--configs", default="S,M,L", help="comma-separated subset of S,M,L")
    ap.add_argument("--quick", action="store_true",
                    help="short runs on both sides (rough numbers)")
    ap.add_argument("--min-time", type=float, default=None, metavar="SECONDS",
                    help="PyTorch seconds timed per config and variant (bench_torch.py's default)")
    ap.add_argument("--rounds", type=int, default=1,
                    help="alternate hopsweep and PyTorch N times and keep each one's fastest round "
                         "(for a machine others use; default 1)")
    ap.add_argument("--hopsweep-arg", action="append", default=[], metavar="ARG",
                    help="extra argument for `hopsweep bench` (repeatable)")
    ap.add_argument("--json", action="store_true",
                    help="one JSON object with every measurement instead of the table")
    ap.add_argument("--check", action="store_true",
                    help="only check that the idiomatic model is the reference architecture")
    ap.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = ap.parse_args()

    env = dict(os.environ, **PIN)
    if args.check:
        report, err = run_check(args, env)
        if err:
            print(f"bench_compare.py: {err}", file=sys.stderr)
        print(check_summary(report))
        return 0 if report is not None and report.get("ok") and not err else 1

    configs = [c.strip().upper() for c in args.configs.split(",") if c.strip()]
    if not configs or any(c not in ORDER for c in configs):
        print(f"bench_compare.py: --configs \"{args.configs}\" must be a subset of "
              f"{','.join(ORDER)}", file=sys.stderr)
        return 2
    configs = [c for c in ORDER if c in configs]
    if not args.hopsweep:
        print("bench_compare.py: pass the built hopsweep binary (e.g. build/hopsweep), or --check",
              file=sys.stderr)
        return 2
    if not (os.path.isfile(args.hopsweep) and os.access(args.hopsweep, os.X_OK)):
        print(f"bench_compare.py: {args.hopsweep} is not an executable file; pass the built "
              "hopsweep binary (e.g. build/hopsweep)", file=sys.stderr)
        return 2
    if not 1 <= args.rounds <= 100:
        print(f"bench_compare.py: --rounds {args.rounds} must be a count in 1..100",
              file=sys.stderr)
        return 2
    if args.min_time is not None and not 0 < args.min_time <= 3600:
        print(f"bench_compare.py: --min-time {args.min_time} must be seconds in (0, 3600]",
              file=sys.stderr)
        return 2

    t_start = time.monotonic()
    errors, notes = [], []
    started = datetime.datetime.now().astimezone()
    model, flags = cpu_info()
    native_bf16 = [f for f in BF16_FLAGS if f in flags]

    check, err = run_check(args, env)
    if err:
        errors.append(err)
    elif not check.get("ok"):
        errors.append("the idiomatic PyTorch model does not match the op-by-op reference "
                      "(bench_torch.py --check); its timings are not a baseline")

    hs_cmd = [args.hopsweep, "bench", "--json"]
    if configs != ORDER:  # a subset: `hopsweep bench --config SM` runs only those
        hs_cmd += ["--config", "".join(configs)]
    if args.quick:
        hs_cmd += ["--seconds", "0.5"]
    torch_cmd = [args.python, os.path.join(HERE, "bench_torch.py"), "--configs", ",".join(configs)]
    if args.quick:
        torch_cmd.append("--quick")
    if args.min_time is not None:
        torch_cmd += ["--min-time", str(args.min_time)]

    # Rounds alternate the two sides, so load from elsewhere on the machine hits both alike; each
    # measurement keeps its fastest round (the least disturbed), and --json lists every round.
    hs, pt, hs_time, pt_time, said = {}, {}, 0.0, 0.0, []
    hs_rounds, pt_rounds = {}, {}
    for rnd in range(args.rounds):
        what = "hopsweep bench" + (f" (round {rnd + 1}/{args.rounds})" if args.rounds > 1 else "")
        out, err_text, err, dt = run(hs_cmd + args.hopsweep_arg, what, env)
        hs_time += dt
        if err:
            errors.append(err)
            break
        got = hopsweep_by_key(json_objects(out))
        if not got:
            errors.append("hopsweep bench --json printed no JSON line with a \"config\" key")
            break
        keep_fastest(hs, hs_rounds, got)
        said = said or [l.strip() for l in err_text.splitlines() if l.strip()][:3]
        what = "bench_torch.py" + (f" (round {rnd + 1}/{args.rounds})" if args.rounds > 1 else "")
        out, _, err, dt = run(torch_cmd, what, env)
        pt_time += dt
        if err:
            errors.append(err)
            break
        keep_fastest(pt, pt_rounds, torch_by_key(json_objects(out)))
    if said:
        notes.append("hopsweep bench said: " + " / ".join(said))
    torch_version = next((o.get("torch") for o in pt.values() if o.get("torch")), None)
    blas = sorted({o.get("blas_threads") for o in pt.values() if "blas_threads" in o},
                  key=str)
    kernels = {}
    for o in pt.values():
        for k, n in (o.get("onednn") or {}).items():
            kernels[k] = kernels.get(k, 0) + n

    rows, missed = [], []
    for c in configs:
        for prec in PRECISIONS:
            h = hs.get((c, prec))
            base = pt.get((c, PT_BASELINE[prec]))
            opb = pt.get((c, "opbyop")) if prec == "fp32" else None
            hsps, ptps = steps_per_s(h), steps_per_s(base)
            ratio = hsps / ptps if hsps and ptps else None
            gf = num(h, "gflops")
            peak = num(h, "peak_gflops")
            if peak is None and prec == "fp32":
                peak = num(h, "sgemm_gflops")  # earlier versions: the 1024^3 sgemm rate
            share = gf / peak if gf is not None and peak else None
            applies = prec == "fp32" or bool(native_bf16)
            target = TARGETS[(c, prec)]
            if ratio is None:
                met = None
            else:
                met = ratio >= target
            if applies and not met:
                missed.append(f"{c} {prec}")
            rows.append({"config": c, "precision": prec, "hopsweep": h, "pytorch_opbyop": opb,
                         "pytorch": base, "pytorch_variant": PT_BASELINE[prec], "ratio": ratio,
                         "target": target, "met": met, "target_applies": applies,
                         "share_of_peak": share, "peak_gflops": peak,
                         "hopsweep_rounds_steps_per_s": hs_rounds.get((c, prec)),
                         "pytorch_rounds_steps_per_s": pt_rounds.get((c, PT_BASELINE[prec])),
                         "pytorch_opbyop_rounds_steps_per_s":
                             pt_rounds.get((c, "opbyop")) if prec == "fp32" else None})
            if prec == "fp32" and h is None and not errors:
                errors.append(f"hopsweep bench printed no fp32 line for {c}")
            if (base is None and not errors) or (base is not None and steps_per_s(base) is None):
                why = base.get("error", "no steps/s") if base else "no line"
                (notes if prec == "bf16" else errors).append(
                    f"PyTorch {PT_BASELINE[prec]} {c}: {why}")
            if prec == "fp32" and c in PEAK_TARGET and share is not None \
                    and share < PEAK_TARGET[c]:
                missed.append(f"{c} fp32 at {100 * share:.0f}% of peak")

    # What the table alone does not say.
    missing_bf16 = [c for c in configs if (c, "bf16") not in hs]
    if missing_bf16:
        why = ("this CPU has no native bf16" if not native_bf16 else
               "this build of hopsweep has no bf16 path or skipped it")
        notes.append(f"hopsweep bf16: no result for {','.join(missing_bf16)} ({why}); shown as —")
    if not native_bf16:
        notes.append("this CPU has neither amx_bf16 nor avx512_bf16: PyTorch's autocast bf16 is "
                     "emulated here, reported as measured, and the bf16 targets do not apply")
    for c in configs:
        f32, b16 = steps_per_s(pt.get((c, "idiomatic"))), steps_per_s(pt.get((c, "autocast")))
        opb = steps_per_s(pt.get((c, "opbyop")))
        bits = []
        if f32 and opb:
            bits.append(f"idiomatic/op-by-op {f32 / opb:.2f}×")
        if f32 and b16:
            bits.append(f"autocast/fp32 {b16 / f32:.2f}×"
                        + (" (autocast not faster: reported as measured)" if b16 <= f32 else ""))
        hf, hb = steps_per_s(hs.get((c, "fp32"))), steps_per_s(hs.get((c, "bf16")))
        if hf and hb:
            t = BF16_OVER_FP32_TARGET.get(c)
            bits.append(f"hopsweep bf16/fp32 {hb / hf:.2f}×"
                        + (f" (target ≥ {t:.1f}×)" if t else ""))
            if t and native_bf16 and hb / hf < t:
                missed.append(f"{c} bf16/fp32")
        gfs = [f"{PT_BASELINE[p]} {num(pt.get((c, PT_BASELINE[p])), 'gflops'):.1f}"
               for p in PRECISIONS if num(pt.get((c, PT_BASELINE[p])), "gflops") is not None]
        if gfs:
            bits.append("PyTorch GFLOP/s " + ", ".join(gfs))
        if bits:
            notes.append(f"{c}: " + "; ".join(bits))

    total = time.monotonic() - t_start
    summary = {
        "cpu": model, "logical_cpus": os.cpu_count(),
        "flags": [f for f in SHOWN_FLAGS if f in flags], "native_bf16": native_bf16,
        "date": started.isoformat(timespec="seconds"), "torch": torch_version,
        "python": args.python, "blas_threads": blas, "onednn_kernels": kernels,
        "hopsweep": args.hopsweep, "hopsweep_cmd": hs_cmd + args.hopsweep_arg,
        "quick": args.quick, "rounds": args.rounds, "check": check, "rows": rows,
        "missed": missed, "notes": notes,
        "errors": errors,
        "seconds": {"total": total, "hopsweep": hs_time, "pytorch": pt_time},
    }
    if args.json:
        print(json.dumps(summary))
    else:
        print_table(summary, configs)
    if errors:
        return 1
    if args.strict and missed:
        return 1
    return 0


def print_table(s, configs):
    fl = " ".join(s["flags"]) or "none of " + " ".join(SHOWN_FLAGS)
    bf = ("native bf16: " + ", ".join(s["native_bf16"])) if s["native_bf16"] else \
        "no native bf16 (neither amx_bf16 nor avx512_bf16)"
    print("## hopsweep vs PyTorch, one thread\n")
    print(f"- CPU: {s['cpu']} ({s['logical_cpus']} logical CPUs); flags: {fl}; {bf}")
    print(f"- date: {s['date']}")
    blas = ",".join(str(b) for b in s["blas_threads"]) or "unknown"
    print(f"- PyTorch: {s['torch'] or 'unknown'} ({s['python']}), 1 thread, OpenBLAS threads "
          f"{blas}" + (" — quick runs, rough numbers" if s["quick"] else "")
          + (f"; each figure the fastest of {s['rounds']} alternating rounds" if s["rounds"] > 1
             else ""))
    if s["onednn_kernels"]:
        ks = ", ".join(sorted({k.split(" ", 1)[-1] for k in s["onednn_kernels"]}))
        print(f"- PyTorch autocast matmuls ran on oneDNN {ks}")
    engines = {}
    for r in s["rows"]:
        e = (r["hopsweep"] or {}).get("engine")
        if e:
            engines.setdefault(r["precision"], set()).add(str(e))
    print(f"- hopsweep: `{' '.join(shlex.quote(c) for c in s['hopsweep_cmd'])}`"
          + ("; engine " + "; ".join(f"{p} {', '.join(sorted(e))}" for p, e in engines.items())
             if engines else ""))
    print(f"- baseline check: {check_summary(s['check'])}")
    print()
    print("| config | precision | hopsweep ms/step | hopsweep steps/s | GFLOP/s | % of peak | "
          "PyTorch op-by-op steps/s | PyTorch idiomatic fp32 steps/s | "
          "PyTorch autocast bf16 steps/s | hopsweep / PyTorch | target | met |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---:|")
    for r in s["rows"]:
        h = r["hopsweep"]
        share = r["share_of_peak"]
        fp32 = r["precision"] == "fp32"
        met = "—" if r["met"] is None else ("yes" if r["met"] else "**no**")
        if not r["target_applies"]:
            met = "n/a"
        print(f"| {r['config']} | {r['precision']} | {fmt(num(h, 'ms_per_step'), '.3f')} | "
              f"{fmt(steps_per_s(h), '.2f')} | {fmt(num(h, 'gflops'), '.1f')} | "
              f"{fmt(None if share is None else 100 * share, '.0f', '%')} | "
              f"{fmt_pt(r['pytorch_opbyop']) if fp32 else ''} | "
              f"{fmt_pt(r['pytorch']) if fp32 else ''} | "
              f"{'' if fp32 else fmt_pt(r['pytorch'])} | "
              f"{fmt(r['ratio'], '.2f', '×')} | ≥ {r['target']:.1f}× | {met} |")
    print()
    print("Ratio: hopsweep over the idiomatic PyTorch model at the row's precision (fp32 row: "
          "idiomatic fp32; bf16 row: autocast bf16). % of peak: hopsweep's GFLOP/s over the same "
          "run's peak matmul rate for that precision (peak_gflops; from an earlier version's "
          "output, the 1024³ sgemm rate).")
    if s["notes"]:
        print("\nNotes:\n" + "\n".join(f"- {n}" for n in s["notes"]))
    if s["missed"]:
        print("\nTargets missed: " + ", ".join(s["missed"]))
    sec = s["seconds"]
    print(f"\n(took {sec['total']:.0f} s: hopsweep bench {sec['hopsweep']:.0f} s, "
          f"PyTorch {sec['pytorch']:.0f} s)")
    for e in s["errors"]:
        print(f"\n**error:** {e}")


if __name__ == "__main__":
    sys.exit(main())
