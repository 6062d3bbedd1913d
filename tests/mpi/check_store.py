"""Checks a hopsweep store: every runs.jsonl line is whole JSON, every expected job is done
exactly once, and its metrics file exists. With a second store, also checks that both hold the
same records job for job (fields that say where and how fast a job ran aside) and byte-identical
metrics.csv files.

usage: check_store.py STORE EXPECTED_JOBS [OTHER_STORE]"""
import json
import os
import sys

WHERE_AND_WHEN = ("wall_s", "rank", "host")


def load(store, expected):
    done = {}
    with open(os.path.join(store, "runs.jsonl"), "rb") as f:
        data = f.read()
    assert data.endswith(b"\n"), f"{store}/runs.jsonl does not end with a newline"
    for n, line in enumerate(data.split(b"\n")[:-1], 1):
        rec = json.loads(line)  # raises on a corrupt line
        if rec["status"] == "done":
            assert rec["id"] not in done, f"{store}: job {rec['id']} done twice (line {n})"
            done[rec["id"]] = rec
    assert len(done) == expected, f"{store}: {len(done)} jobs done, expected {expected}"
    for rid, rec in done.items():
        path = os.path.join(store, rec["files"]["metrics"])
        assert os.path.isfile(path), f"{store}: {path} missing"
        assert rec["files"]["metrics"] == f"jobs/{rid}/metrics.csv"
    leftovers = [f for _, _, fs in os.walk(store) for f in fs if f.endswith(".tmp")]
    assert not leftovers, f"{store}: temporary files left: {leftovers}"
    return done


def main():
    store, expected = sys.argv[1], int(sys.argv[2])
    a = load(store, expected)
    if len(sys.argv) > 3:
        other = sys.argv[3]
        b = load(other, expected)
        assert a.keys() == b.keys(), "the stores hold different jobs"
        for rid in a:
            ra = {k: v for k, v in a[rid].items() if k not in WHERE_AND_WHEN}
            rb = {k: v for k, v in b[rid].items() if k not in WHERE_AND_WHEN}
            assert json.dumps(ra) == json.dumps(rb), f"job {rid} differs:\n{ra}\n{rb}"
            ma = open(os.path.join(store, a[rid]["files"]["metrics"]), "rb").read()
            mb = open(os.path.join(other, b[rid]["files"]["metrics"]), "rb").read()
            assert ma == mb, f"job {rid}: metrics.csv differs"
    print(f"{store}: {len(a)} jobs done once each" + (f", identical to {sys.argv[3]}" if len(sys.argv) > 3 else ""))


if __name__ == "__main__":
    main()
