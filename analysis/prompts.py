#!/usr/bin/python3
"""prompts.py - solves `hopsweep prompts` sets from their text, checks them, and writes the answer
files of simple strategies that calibrate a set before a language model is scored on it.

    /usr/bin/python3 analysis/prompts.py check PROMPTS.jsonl
    /usr/bin/python3 analysis/prompts.py answer PROMPTS.jsonl --strategy S [--seed N] [--text]

`check` parses each prompt's statements back into links (child -> parent per relation), reads
the question (and a conditional prompt's rule, which picks the relation), follows the links from
the asked entity to the end, and checks that this is the record's `answer` after exactly `hops`
links, along `chain`; that each relation's links are K+1 disjoint chains of `hops` links; that
the printed choices are the record's, distinct, with the answer at `answer_index` and the
tempting wrong answers among them (docs/prompts.md). One line per failure and a summary; exit 1
on any failure.

`answer` writes an answer file (one {"id", "answer"} per line, docs/prompts-scoring.md) to
standard output, answering each prompt by a strategy:
  solve      follow the statements (the answer, every time)
  guess      a uniformly random choice (plain prompts: a random entity of the prompt)
  ends       a uniformly random choice among those that end a chain in the prompt (plain
             prompts: among every chain end): a reader who knows the answer ends a chain but
             cannot follow one
  short      stop one link short of the answer (the entity before it on the chain)
Choices are answered by letter, or with --text by a sentence holding the choice's text.
Standard library only.
"""
import argparse
import json
import random
import re
import sys

STATEMENT = {
    "variables": re.compile(r"^([A-Z]+) = ([A-Z]+|[0-9]+)$"),
    "relatives": re.compile(r"^([A-Z][a-z]+)'s (mother) is ([A-Z][a-z]+)\.$"),
    "locations": re.compile(r"^The ([a-z ]+) is in the ([a-z ]+)\.$"),
    "calls": re.compile(r"^([a-z]+_[a-z]+) calls ([a-z]+_[a-z]+)\.$"),
    "conditional": re.compile(r"^([A-Z][a-z]+)'s (mentor|patron) is ([A-Z][a-z]+)\.$"),
}
QUESTION = {
    "variables": re.compile(r"^What is the value of ([A-Z]+)\?$"),
    "relatives": re.compile(
        r"^Going from mother to mother, who is the earliest ancestor of ([A-Z][a-z]+) named above\?$"),
    "locations": re.compile(r"^Which room is the ([a-z ]+) in\?$"),
    "calls": re.compile(r"^When ([a-z]+_[a-z]+) runs, in which function does the chain of calls end\?$"),
    "conditional": re.compile(r"^Who is the last person named above in ([A-Z][a-z]+)'s line\?$"),
}
RULE = re.compile(r"^A wizard's line runs from mentor to mentor, a muggle's from patron to patron\. "
                  r"([A-Z][a-z]+) is a (wizard|muggle)\.$")
CHOICE = re.compile(r"^([A-Z])\. (.+)$")
KEYS = ["id", "formulation", "hops", "distractors", "prompt", "choices", "answer", "answer_index",
        "chain"]


def links(form, m):
    """(relation, child, parent) of a matched statement."""
    if form == "variables":
        return "=", m.group(1), m.group(2)
    if form in ("relatives", "conditional"):
        return m.group(2), m.group(1), m.group(3)
    return "in" if form == "locations" else "calls", m.group(1), m.group(2)


def check_chains(parent, hops, chains):
    """Each relation's links are `chains` disjoint chains of `hops` links."""
    children = {}
    for c, p in parent.items():
        if p in children:
            return f"{p} is the parent of both {children[p]} and {c}"
        children[p] = c
    roots = [p for p in children if p not in parent]
    if len(roots) != chains:
        return f"{len(roots)} chains, expected {chains}"
    for r in roots:
        n, x = 0, r
        while x in children:
            x, n = children[x], n + 1
        if n != hops:
            return f"the chain from {r} has {n} links, expected {hops}"
    return None


def solve(rec):
    form, hops, k = rec["formulation"], rec["hops"], rec["distractors"]
    lines = rec["prompt"].split("\n")
    parents = {}
    i = 1  # line 0 introduces the statements
    while i < len(lines) and STATEMENT[form].match(lines[i]):
        rel, child, par = links(form, STATEMENT[form].match(lines[i]))
        rel_parents = parents.setdefault(rel, {})
        if child in rel_parents:
            return f"{child} has two {rel} links"
        rel_parents[child] = par
        i += 1
    relations = 2 if form == "conditional" else 1
    if len(parents) != relations:
        return f"{len(parents)} relations in the statements, expected {relations}"
    for rel, p in parents.items():
        why = check_chains(p, hops, k + 1)
        if why:
            return f"{rel}: {why}"
    follow = next(iter(parents))
    if form == "conditional":
        m = RULE.match(lines[i]) if i < len(lines) else None
        if not m:
            return f"no rule line where expected: {lines[i:i + 1]}"
        follow = "mentor" if m.group(2) == "wizard" else "patron"
        ruled = m.group(1)
        i += 1
    m = QUESTION[form].match(lines[i]) if i < len(lines) else None
    if not m:
        return f"no question where expected: {lines[i:i + 1]}"
    asked = m.group(1)
    if form == "conditional" and asked != ruled:
        return f"the rule is about {ruled}, the question about {asked}"
    i += 1
    path = [asked]
    while path[-1] in parents[follow]:
        path.append(parents[follow][path[-1]])
    if len(path) - 1 != hops:
        return f"following {follow} from {asked} takes {len(path) - 1} links, not {hops}"
    if path[-1] != rec["answer"]:
        return f"the text leads to {path[-1]}, the record says {rec['answer']}"
    if path != rec["chain"]:
        return f"the text's chain {path} is not the record's {rec['chain']}"
    if form == "conditional":
        other_end, other = asked, parents["patron" if follow == "mentor" else "mentor"]
        while other_end in other:
            other_end = other[other_end]
        if other_end == rec["answer"]:
            return "following the other relation gives the same answer: the rule does not matter"
    printed = []
    while i < len(lines) and CHOICE.match(lines[i]):
        m = CHOICE.match(lines[i])
        if m.group(1) != chr(ord("A") + len(printed)):
            return f"choice letters out of order at {lines[i]!r}"
        printed.append(m.group(2))
        i += 1
    if rec["choices"] is None:
        if printed or rec["answer_index"] is not None:
            return "a plain prompt with choices"
        if lines[i:] != [lines[-1]] or not lines[-1].startswith("Answer with the "):
            return f"unexpected ending {lines[i:]}"
        return None
    if printed != rec["choices"]:
        return f"printed choices {printed} are not the record's {rec['choices']}"
    if len(printed) != 4 or len(set(printed)) != 4:
        return f"choices {printed} are not four distinct strings"
    if printed[rec["answer_index"]] != rec["answer"]:
        return "answer_index does not point at the answer"
    # The wrong choices, most tempting first: where the other relation leads (conditional), then
    # the ends of the distractor chains.
    wrong = set(printed) - {rec["answer"]}
    asked_rel = parents[follow]
    ends = {x for x in asked_rel.values() if x not in asked_rel and x != rec["answer"]}
    slots = 3
    if form == "conditional":
        if other_end not in wrong:
            return f"the other relation's end {other_end} is not among the choices {printed}"
        slots -= 1
        ends.discard(other_end)
    if len(wrong & ends) != min(slots, len(ends)):
        return f"choices {printed} hold {len(wrong & ends)} distractor ends of {sorted(ends)}"
    if lines[i:] != ["Answer with the letter of the correct choice."]:
        return f"unexpected ending {lines[i:]}"
    return None


def read(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def check(path):
    failures, ids = 0, set()
    recs = read(path)
    for lineno, rec in enumerate(recs, 1):
        if list(rec) != KEYS:
            why = f"keys {list(rec)}"
        elif rec["id"] in ids:
            why = f"duplicate id {rec['id']}"
        else:
            ids.add(rec["id"])
            why = solve(rec)
        if why:
            failures += 1
            print(f"FAIL line {lineno} ({rec.get('id')}): {why}")
    print(f"{len(recs) - failures} of {len(recs)} prompts solved from their text")
    return 1 if failures or not recs else 0


def chain_ends(rec):
    """Every entity that ends a chain of the prompt, in any relation."""
    form = rec["formulation"]
    parents = {}
    for line in rec["prompt"].split("\n"):
        m = STATEMENT[form].match(line)
        if m:
            rel, child, par = links(form, m)
            parents.setdefault(rel, {})[child] = par
    return sorted({p for rel in parents.values() for p in rel.values() if p not in rel})


def answer(path, strategy, seed, text):
    rng = random.Random(seed)
    for rec in read(path):
        choices, chain = rec["choices"], rec["chain"]
        if strategy == "solve":
            pick = rec["answer"]
        elif strategy == "short":
            pick = chain[-2]
        elif strategy == "ends":
            ends = chain_ends(rec)
            pick = rng.choice([c for c in choices if c in ends] if choices else ends)
        else:
            pick = rng.choice(choices if choices else chain_ends(rec) + chain[:-1])
        if choices and pick not in choices:
            out = "I cannot tell."  # `short` when the entity before the answer is no choice
        elif choices and not text:
            out = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[choices.index(pick)]
        else:
            out = f"Following the statements, the answer is {pick}."
        print(json.dumps({"id": rec["id"], "answer": out}))
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("check").add_argument("prompts")
    a = sub.add_parser("answer")
    a.add_argument("prompts")
    a.add_argument("--strategy", choices=["solve", "guess", "ends", "short"], required=True)
    a.add_argument("--seed", type=int, default=0)
    a.add_argument("--text", action="store_true")
    args = ap.parse_args()
    if args.cmd == "check":
        sys.exit(check(args.prompts))
    sys.exit(answer(args.prompts, args.strategy, args.seed, args.text))


if __name__ == "__main__":
    main()
