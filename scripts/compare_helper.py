#!/usr/bin/env python3
"""Random differential test: Prefect 0.15.13 versus our `prefect-config` binary.

Normally started through scripts/compare_with_prefect.sh, which prepares the
venv and builds the binary. Direct use:

    PYTHONHASHSEED=0 VENV/bin/python scripts/compare_helper.py \
        --bin target/release/prefect-config --seeds 200

For every seed it makes up a defaults/user/backend TOML triple and an
environment, loads it with Prefect's load_configuration(...,
env_var_prefix="PREFECT") followed by process_task_defaults (as Prefect's
standard loader does), and with

    prefect-config view --format json --defaults D [--user U] [--backend B]

(run with exactly the generated environment), and compares the two JSON
trees strictly: same keys in the same order, same JSON types (1 is not 1.0,
true is not 1). When Prefect raises, our binary is expected to exit non-zero.
Failing inputs are saved under --keep (default target/prefect-compare/).

The generator only builds reference graphs without cycles, so Prefect's
answer does not depend on Python's set iteration order.
"""

import argparse
import json
import os
import random
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import prefect_oracle as oracle  # noqa: E402  (sanitises env, imports prefect)

SECTIONS = ["server", "cloud", "alpha", "beta", "logging", "context"]
KEYS = ["host", "port", "name", "path", "level", "url", "api", "endpoint", "mode", "flag", "ratio"]
WORDS = ["localhost", "INFO", "prefect", "hello world", "a-b_c", "%Y-%m-%d", "/tmp/x", "http://h:1/p"]
LITERALS = ["4200", "0", "-3", "1_000", "0x1f", "1.5", "1e20", "0.1", "true", "FALSE", "None",
            "[]", "[1, 2]", "['a', 'b']", "{'a': 1}", "{}", "'quoted'", "\"'5'\"", "1,2", "()",
            " 7", "1 # note", "007", "[", "{'a':", "", "  "]
ENV_NAMES = ["V1", "V2", "V3"]


class Gen:
    """Builds one random case; key paths are numbered so that a value at key
    number i only ever refers to keys numbered below i (no cycles)."""

    def __init__(self, seed):
        self.r = random.Random(seed)
        self.paths = [("backend",)]
        for section in SECTIONS:
            for key in self.r.sample(KEYS, self.r.randint(1, 4)):
                self.paths.append((section, key))
            if self.r.random() < 0.3:
                self.paths.append((section, "sub", self.r.choice(KEYS)))
        self.paths += [("alpha", "endpoint"), ("beta", "endpoint")]
        self.paths = list(dict.fromkeys(self.paths))  # de-duplicate, keep order

    def ref(self, i):
        r = self.r
        if i > 3 and r.random() < 0.1:
            return "${${backend}.endpoint}"
        if i == 0 or r.random() < 0.1:
            return "${%s}" % r.choice(["nope.x", "server", "a.b"])  # missing / table
        return "${%s}" % ".".join(self.paths[r.randrange(i)])

    def string(self, i):
        r = self.r
        kind = r.random()
        if kind < 0.25:
            return r.choice(WORDS)
        if kind < 0.5:
            return r.choice(LITERALS)
        if kind < 0.6:
            return r.choice(["$V1", "${V2}", "x-$V3", "$NOPE", "~", "~/d", "a~b", "cost$"])
        if kind < 0.8:
            return self.ref(i)
        return "%s:%s/%s" % (r.choice(WORDS), self.ref(i), r.choice(["$V1", "x", self.ref(i)]))

    def value(self, i):
        r = self.r
        kind = r.random()
        if kind < 0.1:
            return r.randint(-5, 70000)
        if kind < 0.15:
            return r.choice([0.5, 1e20, 0.1, -2.0, 30.0, 1e-5])
        if kind < 0.2:
            return r.random() < 0.5
        if kind < 0.25:
            return r.choice([[1, 2], ["4200", "$HOME", "${server.port}"], []])
        return self.string(i)

    def layer(self, share):
        tree = {}
        for i, path in enumerate(self.paths):
            if self.r.random() < share:
                node = tree
                for part in path[:-1]:
                    if not isinstance(node.get(part), dict):
                        node[part] = {}
                    node = node[part]
                node[path[-1]] = self.value(i)
        if share < 1 and self.r.random() < 0.1:
            tree[self.r.choice(SECTIONS)] = self.string(0)  # table -> scalar
        return tree

    def env(self):
        r = self.r
        env = {"HOME": "/home/prefect-test"}
        for name in ENV_NAMES:
            if r.random() < 0.7:
                env[name] = r.choice(WORDS + LITERALS + ["$V1", "~/e"])
        for _ in range(r.randint(0, 4)):
            i = r.randrange(len(self.paths))
            parts = [p if r.random() < 0.5 else p.upper() for p in self.paths[i]]
            env["PREFECT__" + "__".join(parts)] = str(self.string(i))
        return env

    def case(self):
        r = self.r
        return {
            "defaults_toml": to_toml(self.layer(1.0)),
            "user_toml": to_toml(self.layer(0.3)) if r.random() < 0.7 else None,
            "backend_toml": to_toml(self.layer(0.15)) if r.random() < 0.5 else None,
            "env": self.env(),
        }


def to_toml(tree):
    """A tiny TOML writer for the generator's trees (strings, numbers, bools,
    homogeneous arrays, tables)."""
    def scalar(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (int, float)):
            return repr(v)
        if isinstance(v, str):
            return json.dumps(v, ensure_ascii=False)  # JSON escapes are valid TOML
        return "[" + ", ".join(scalar(x) for x in v) + "]"

    lines = []

    def table(node, prefix):
        subs = []
        for k, v in node.items():
            if isinstance(v, dict):
                subs.append((k, v))
            else:
                lines.append("%s = %s" % (k, scalar(v)))
        for k, v in subs:
            name = prefix + [k]
            lines.append("\n[%s]" % ".".join(name))
            table(v, name)

    table(tree, [])
    return "\n".join(lines) + "\n"


def run_ours(binary, case, tmp):
    args = [binary, "view", "--format", "json"]
    for flag, key, fname in (("--defaults", "defaults_toml", "defaults.toml"),
                             ("--user", "user_toml", "user.toml"),
                             ("--backend", "backend_toml", "backend.toml")):
        if case[key] is not None:
            path = os.path.join(tmp, fname)
            with open(path, "w", encoding="utf-8") as f:
                f.write(case[key])
            args += [flag, path]
    proc = subprocess.run(args, env=case["env"], capture_output=True, text=True)
    if proc.returncode != 0:
        return {"error": proc.stderr.strip() or "exit %d" % proc.returncode}
    try:
        return {"tree": json.loads(proc.stdout, object_pairs_hook=list)}
    except ValueError as e:
        return {"error": "bad JSON from binary: %s" % e}


def as_pairs(value):
    """Turn plain JSON data into the object_pairs_hook=list shape."""
    return json.loads(json.dumps(value), object_pairs_hook=list)


def differences(want, got, path="$"):
    """Strict structural diff; objects are lists of (key, value) pairs."""
    out = []
    if type(want) is not type(got):
        return ["%s: %s %r != %s %r" % (path, type(want).__name__, want,
                                         type(got).__name__, got)]
    if isinstance(want, list) and want and isinstance(want[0], tuple) or \
            isinstance(got, list) and got and isinstance(got[0], tuple):
        wk, gk = [k for k, _ in want], [k for k, _ in got]
        if wk != gk:
            out.append("%s: keys %s != %s" % (path, wk, gk))
        gd = dict(got)
        for k, v in want:
            if k in gd:
                out += differences(v, gd[k], "%s.%s" % (path, k))
        return out
    if isinstance(want, list):
        if len(want) != len(got):
            return ["%s: %r != %r" % (path, want, got)]
        for i, (a, b) in enumerate(zip(want, got)):
            out += differences(a, b, "%s[%d]" % (path, i))
        return out
    if want != got:
        out.append("%s: %r != %r" % (path, want, got))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", required=True, help="path to the prefect-config binary")
    ap.add_argument("--seeds", type=int, default=200)
    ap.add_argument("--first", type=int, default=0)
    ap.add_argument("--keep", default="target/prefect-compare")
    opts = ap.parse_args()
    binary = os.path.abspath(opts.bin)

    failed = 0
    for seed in range(opts.first, opts.first + opts.seeds):
        case = Gen(seed).case()
        want = oracle.run_load_case(dict(case, task_defaults=True))
        case_dir = os.path.join(opts.keep, "seed-%d" % seed)
        shutil.rmtree(case_dir, ignore_errors=True)
        os.makedirs(case_dir)
        got = run_ours(binary, case, case_dir)

        if "expected_error" in want:
            problems = [] if "error" in got else ["Prefect raised %s, ours succeeded"
                                                  % want["expected_error"]]
        elif "error" in got:
            problems = ["ours failed: %s" % got["error"]]
        else:
            problems = differences(as_pairs(want["expected"]), got["tree"])

        if problems:
            failed += 1
            with open(os.path.join(case_dir, "case.json"), "w", encoding="utf-8") as f:
                json.dump(dict(case, prefect=want, ours=got, problems=problems), f,
                          indent=2, ensure_ascii=False)
            print("seed %d: %d difference(s), saved in %s" % (seed, len(problems), case_dir))
            for line in problems[:5]:
                print("    " + line)
        else:
            shutil.rmtree(case_dir)

    print("%d of %d seeds differ" % (failed, opts.seeds))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
