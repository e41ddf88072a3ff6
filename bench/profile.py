"""`make bench-profile`: where one blocking create's time goes, in the C ABI's sequential loop.

Client and nginx pinned to CPU 0 (as the per-call comparisons in bench/run.py), against the
bench nginx. Writes bench/.run/profile.txt with:

- perf stat per request (task-clock, context switches, futex calls) for commbox, libcurl and
  the raw socket loop; strace -c system calls per request;
- callgrind: user-space instructions per request by component (the function's crate, or its
  shared object for C code), by difference of two run lengths so start-up cancels out, and
  the hottest functions (self cost);
- perf record (call graphs from DWARF) of the commbox loop, kept as bench/.run/perf.data for
  `perf report -i`.
"""
import collections
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run  # noqa: E402

N = 10000
CG_SMALL, CG_BIG = 500, 3000  # callgrind run lengths; each run also warms up n/10

# Component of a function: its crate (the first path segment of its demangled name; for
# `<T as Trait>::f` and drop_in_place<T>, T's), grouped; C functions by what they are.
CRATES = {
    "commbox_ffi": "commbox C ABI (commbox-ffi)",
    "commbox": "commbox core",
    "reqwest": "reqwest",
    **dict.fromkeys(["hyper", "hyper_util", "httparse", "hyper_rustls", "want", "try_lock"], "hyper (+ hyper-util, httparse)"),
    **dict.fromkeys(["http", "http_body", "http_body_util", "bytes"], "http, http-body, bytes"),
    **dict.fromkeys(["tokio", "mio", "atomic_waker", "parking_lot", "parking_lot_core"], "tokio (runtime, I/O driver, timers)"),
    **dict.fromkeys(["tower", "tower_http", "tower_service", "tower_layer", "sync_wrapper"], "tower (reqwest's layers)"),
    **dict.fromkeys(["url", "idna", "percent_encoding", "form_urlencoded", "idna_adapter", "icu_normalizer",
                     "icu_properties", "utf8_iter", "smallvec"], "url + idna (URL parsing)"),
    **dict.fromkeys(["serde", "serde_core", "serde_json", "itoa", "ryu", "serde_path_to_error"], "serde / serde_json"),
    **dict.fromkeys(["tracing", "tracing_core", "log"], "tracing / log"),
    **dict.fromkeys(["futures", "futures_util", "futures_core", "futures_channel", "pin_project_lite"], "futures-util"),
    **dict.fromkeys(["std", "core", "alloc", "hashbrown", "u8", "u16", "u32", "u64", "u128", "usize", "i64", "str",
                     "char", "bool"], "Rust std / core / alloc (hashing, formatting, collections)"),
}


def component(fn, obj):
    name = fn.strip()
    head = re.split(r"[:<>\s]", name.lstrip("_"), maxsplit=1)[0]
    if re.fullmatch(r"(__libc_|_int_|__)?(malloc|free|cfree|realloc|calloc|malloc_consolidate|unlink_chunk|tcache_\w+)", name) \
            or name.startswith("__rustc::") or name.startswith("__rust_alloc") or name.startswith("__rust_dealloc") \
            or name.startswith("__rust_realloc"):
        return "malloc / free (libc, via Rust's allocator)"
    if re.match(r"__(mem|str)\w*", name) or name in ("memcpy", "memmove", "memset", "memcmp", "bcmp"):
        return "memcpy / memmove / memcmp (libc)"
    m = re.match(r"core::ptr::drop_in_place<(.*)>$", name)
    if m:  # a destructor counts for the type it destroys
        name = m.group(1)
    name = name.lstrip("<&*( ")
    name = re.sub(r"^(dyn |mut |const )+", "", name)
    head = re.split(r"[:<>\s,()\[\]]", name, maxsplit=1)[0]
    if head.startswith("commbox_") and "::" not in fn:
        return CRATES["commbox_ffi"]
    if head in CRATES:
        return CRATES[head]
    lib = os.path.basename(obj or "")
    if lib.startswith("libc.so") or lib.startswith("libc-"):
        return "libc other (syscall wrappers, ...)"
    if lib.startswith("ld-linux"):
        return "dynamic loader"
    if lib == "c_bench":
        return "the bench loop (c_bench)"
    return f"other: {head}"


def callgrind(name, n, port, body, out, inclusive=False):
    if not os.path.exists(out):
        p = subprocess.run([shutil.which("valgrind"), "--tool=callgrind", f"--callgrind-out-file={out}", run.C_BENCH, "seq",
                            name, str(n), str(port), body], capture_output=True, text=True)
        if p.returncode:
            raise SystemExit(p.stderr[-2000:])
    ann = subprocess.run(["callgrind_annotate", f"--inclusive={'yes' if inclusive else 'no'}", "--threshold=100",
                          "--auto=no", out], capture_output=True, text=True).stdout
    per_fn = {}
    for line in ann.splitlines():
        m = re.match(r"^\s*([\d,]+)\s+(?:\([^)]*\)\s+)?(.*?[^:]):(?!:)(.*?)(?:\s+\[([^\]]*)\])?\s*$", line)
        if not m or "PROGRAM TOTALS" in line:
            continue
        count = int(m.group(1).replace(",", ""))
        fn, obj = m.group(3).strip(), m.group(4) if m.group(4) and m.group(4) != "?" else ""
        known = per_fn.get(fn, (0, ""))
        # One row per function, whatever source file its code came from: self costs add up;
        # inclusive ones would count a recursive or nested entry twice, so keep the largest.
        total = max(known[0], count) if inclusive else known[0] + count
        per_fn[fn] = (total, known[1] or obj)
    return {(fn, obj): count for fn, (count, obj) in per_fn.items()}


def per_request(inclusive=False, port=None, body=None):
    """Instructions per request per function: the difference of a long and a short run."""
    small = callgrind("commbox", CG_SMALL, port, body, os.path.join(run.RUN, "callgrind.small"), inclusive)
    big = callgrind("commbox", CG_BIG, port, body, os.path.join(run.RUN, "callgrind.big"), inclusive)
    reqs = (CG_BIG - CG_SMALL) * 1.1
    return {k: (big.get(k, 0) - small.get(k, 0)) / reqs for k in set(big) | set(small)}


def breakdown(port, body):
    for f in ("callgrind.small", "callgrind.big"):
        if os.path.exists(os.path.join(run.RUN, f)):
            os.remove(os.path.join(run.RUN, f))
    fns = per_request(False, port, body)
    groups = collections.Counter()
    for (fn, obj), v in fns.items():
        groups[component(fn, obj)] += v
    total = sum(groups.values())
    lines = [f"# callgrind: user-space instructions per blocking create (C ABI), by component; total {total:,.0f}"]
    for g, v in groups.most_common():
        if abs(v) >= 50:
            lines.append(f"{v:>10,.0f}  {100 * v / total:5.1f}%  {g}")
    lines += ["", "# hottest functions (self instructions per request)"]
    for (fn, obj), v in sorted(fns.items(), key=lambda kv: -kv[1])[:40]:
        lines.append(f"{v:>10,.0f}  {component(fn, obj)[:36]:<36}  {fn[:150]}")
    lines += ["", "# inclusive instructions per request (the function and all it calls), largest first"]
    inc = per_request(True)
    for (fn, obj), v in sorted(inc.items(), key=lambda kv: -kv[1])[:90]:
        if v >= 500:
            lines.append(f"{v:>10,.0f}  {fn[:170]}")
    return lines


def strace_counts(name, port, body, n=2000):
    out = os.path.join(run.RUN, f"strace.{name}")
    subprocess.run(["strace", "-f", "-c", "-o", out, *run.PIN, run.C_BENCH, "seq", name, str(n), str(port), body],
                   capture_output=True, text=True)
    calls = {}
    for line in open(out):
        f = line.split()
        if len(f) >= 5 and f[3].isdigit():
            calls[f[-1]] = int(f[3])
    total = calls.pop("total", sum(calls.values()))
    per = n * 1.1
    top = sorted(calls.items(), key=lambda kv: -kv[1])
    return f"{name}: {total / per:.2f} system calls per request: " + ", ".join(f"{k} {v / per:.2f}" for k, v in top if v / per >= 0.05)


def main():
    body = os.path.join(run.RUN, "body.json")
    if not os.path.exists(body):
        run.capture_commbox_body()
    ng = run.Nginx(cpus="0")
    out = []
    try:
        for name in ("commbox", "curl", "raw"):
            p = subprocess.run(["perf", "stat", "-x,", "-e", "task-clock,context-switches,syscalls:sys_enter_futex",
                                *run.PIN, run.C_BENCH, "seq", name, str(N), str(ng.port), body], capture_output=True, text=True)
            stats = {l.split(",")[2]: l.split(",")[0] for l in p.stderr.splitlines() if l.count(",") > 2}
            per = {k: float(v) / (N * 1.1) for k, v in stats.items() if v.replace(".", "").isdigit()}
            if "task-clock" in per:  # perf reports milliseconds
                per["task-clock µs"] = per.pop("task-clock") * 1000
            out.append(f"{name}: per request " + ", ".join(f"{k} {v:.2f}" for k, v in per.items()) + f"  {p.stdout.strip()}")
        sys_lines = [strace_counts(name, ng.port, body) for name in ("commbox", "curl", "raw")] if shutil.which("strace") else []
        cg = breakdown(ng.port, body) if shutil.which("valgrind") else ["(valgrind missing)"]
        data = os.path.join(run.RUN, "perf.data")
        subprocess.run(["perf", "record", "-q", "-F", "4000", "-g", "--call-graph", "dwarf,16384", "-o", data,
                        *run.PIN, run.C_BENCH, "seq", "commbox", str(N), str(ng.port), body], check=True, capture_output=True)
    finally:
        ng.stop()
    rep = lambda *a: subprocess.run(["perf", "report", "-i", data, "--stdio", "-g", "none", *a],
                                    capture_output=True, text=True).stdout
    by_dso = [l for l in rep("--no-children", "--sort", "dso").splitlines() if l.strip() and not l.startswith("#")]
    by_sym = [l for l in rep("--children", "--sort", "sym").splitlines() if l.strip() and not l.startswith("#")]
    by_sym = [l[:200] for l in by_sym if "inlined" not in l and "closure" not in l][:80]
    text = "\n".join(["# context switches and futex calls per request (perf stat; client and nginx on CPU 0)", *out, "",
                      "# system calls per request (strace -c -f)", *sys_lines, "",
                      *cg, "",
                      "# perf: samples by DSO (self)", *by_dso[:10], "", "# perf: symbols (children, i.e. inclusive)", *by_sym])
    with open(os.path.join(run.RUN, "profile.txt"), "w") as f:
        f.write(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
