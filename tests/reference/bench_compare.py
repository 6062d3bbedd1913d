#!/usr/bin/python3
"""bench_compare.py HOPSWEEP_BINARY — hopsweep's training speed as a ratio against PyTorch's.

DESIGN §5: speed is a ratio against PyTorch run in the same session on the same machine. This runs
`HOPSWEEP_BINARY bench --json` (one JSON object per config per line: config, ms_per_step,
steps_per_s, gflops, sgemm_gflops), then bench_torch.py (PyTorch 1.13, one thread), and prints a
Markdown table:

    config | hopsweep steps/s | PyTorch steps/s | ratio | target | GFLOP/s | % of sgemm | met

with the CPU model, date and torch version above it. Targets: S >= 2.0x, M >= 1.3x, L >= 1.0x.
PyTorch's GFLOP/s (in the notes) counts the FLOPs hopsweep reports per step.

    /usr/bin/python3 bench_compare.py build/hopsweep [--quick] [--configs S,M,L] [--strict]

Exit 0 when both sides ran (--strict: and every target is met), 1 otherwise, 2 on bad usage.
"""
import argparse
import datetime
import json
import os
import platform
import shlex
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TARGETS = {"S": 2.0, "M": 1.3, "L": 1.0}
ORDER = ["S", "M", "L"]


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


def json_lines(text):
    """Every line of text that is a JSON object with a "config" key, by config name."""
    out = {}
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(obj, dict) and "config" in obj:
            out[str(obj["config"]).upper()] = obj
    return out


def run(cmd, what):
    """Runs cmd; returns (stdout, error message or None)."""
    print(f"running {what}: {' '.join(shlex.quote(c) for c in cmd)}", file=sys.stderr, flush=True)
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    except OSError as e:
        return "", f"{what} could not be started: {e}"
    if p.returncode != 0:
        tail = "\n".join(p.stderr.strip().splitlines()[-5:])
        return p.stdout, f"{what} exited with status {p.returncode}" + (f":\n{tail}" if tail else "")
    return p.stdout, None


def num(obj, key):
    if obj is None:
        return None
    v = obj.get(key)
    try:
        v = float(v)
    except (TypeError, ValueError):
        return None
    return v if v == v else None  # NaN -> None


def fmt(v, spec):
    return "—" if v is None else format(v, spec)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("hopsweep", help="path to the hopsweep binary")
    ap.add_argument("--python", default="/usr/bin/python3",
                    help="interpreter that imports torch (default /usr/bin/python3)")
    ap.add_argument("--configs", default="S,M,L", help="comma-separated subset of S,M,L")
    ap.add_argument("--quick", action="store_true", help="short PyTorch runs (rough numbers)")
    ap.add_argument("--hopsweep-arg", action="append", default=[], metavar="ARG",
                    help="extra argument for `hopsweep bench` (repeatable)")
    ap.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = ap.parse_args()

    configs = [c.strip().upper() for c in args.configs.split(",") if c.strip()]
    if not configs or any(c not in TARGETS for c in configs):
        print(f"bench_compare.py: --configs takes a subset of {','.join(ORDER)}", file=sys.stderr)
        return 2
    if not (os.path.isfile(args.hopsweep) and os.access(args.hopsweep, os.X_OK)):
        print(f"bench_compare.py: {args.hopsweep} is not an executable file; pass the built "
              "hopsweep binary (e.g. build/hopsweep)", file=sys.stderr)
        return 2

    errors = []
    started = datetime.datetime.now().astimezone()
    hs_cmd = [args.hopsweep, "bench", "--json"]
    if configs != ORDER:  # a subset: `hopsweep bench --config SM` runs only those
        hs_cmd += ["--config", "".join(configs)]
    hs_out, err = run(hs_cmd + args.hopsweep_arg, "hopsweep bench")
    if err:
        errors.append(err)
    hs = json_lines(hs_out)
    if not err and not hs:
        errors.append("hopsweep bench --json printed no JSON line with a \"config\" key")

    torch_cmd = [args.python, os.path.join(HERE, "bench_torch.py"), "--configs", ",".join(configs)]
    if args.quick:
        torch_cmd.append("--quick")
    pt_out, err = run(torch_cmd, "bench_torch.py")
    if err:
        errors.append(err)
    pt = json_lines(pt_out)

    torch_version = next((o.get("torch") for o in pt.values() if o.get("torch")), None)
    sgemm = next((num(hs.get(c), "sgemm_gflops") for c in configs
                  if num(hs.get(c), "sgemm_gflops") is not None), None)

    print(f"## hopsweep vs PyTorch, one thread\n")
    print(f"- CPU: {cpu_model()} ({os.cpu_count()} logical CPUs)")
    print(f"- date: {started.strftime('%Y-%m-%d %H:%M %Z')}")
    print(f"- PyTorch: {torch_version or 'unknown'} ({args.python})"
          + (" — quick runs, rough numbers" if args.quick else ""))
    print(f"- hopsweep: {args.hopsweep}" + (f"; single-core sgemm {sgemm:.1f} GFLOP/s"
                                             if sgemm is not None else ""))
    print()
    print("| config | hopsweep steps/s | PyTorch steps/s | ratio | target | GFLOP/s | "
          "% of sgemm | met |")
    print("|---|---:|---:|---:|---:|---:|---:|:---:|")
    missed, notes = [], []
    for c in configs:
        h, p = hs.get(c), pt.get(c)
        hsps, ptps = num(h, "steps_per_s"), num(p, "steps_per_s")
        if hsps is None and num(h, "ms_per_step"):
            hsps = 1e3 / num(h, "ms_per_step")
        ratio = hsps / ptps if hsps and ptps else None
        gf = num(h, "gflops")
        sg = num(h, "sgemm_gflops")
        pct = 100.0 * gf / sg if gf is not None and sg else None
        target = TARGETS[c]
        met = "—" if ratio is None else ("yes" if ratio >= target else "**no**")
        if ratio is None or ratio < target:
            missed.append(c)
        print(f"| {c} | {fmt(hsps, '.2f')} | {fmt(ptps, '.2f')} | "
              f"{fmt(ratio, '.2f') + ('×' if ratio is not None else '')} | ≥ {target:.1f}× | "
              f"{fmt(gf, '.1f')} | {fmt(pct, '.0f') + ('%' if pct is not None else '')} | {met} |")
        if gf is not None and hsps and ptps:
            notes.append(f"{c}: PyTorch at {gf * ptps / hsps:.1f} GFLOP/s "
                         f"({gf / hsps:.2f} GFLOP per step)")
        if h is None and not errors:
            notes.append(f"{c}: hopsweep bench printed no line for this config")
    print()
    if notes:
        print("Notes: " + "; ".join(notes) + ".")
    for e in errors:
        print(f"\n**error:** {e}")
    if errors:
        return 1
    if args.strict and missed:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
