"""`make bench-profile`: where the C ABI's CPU goes in the sequential create loop.

perf record (call graphs from DWARF) of 10 000 creates against the bench nginx; writes
bench/.run/profile.txt (by DSO, then hottest symbols with their callers' share) and keeps
bench/.run/perf.data for `perf report -i`. Also `perf stat` of context switches per request
for commbox and libcurl, the figure that explains most of the gap.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run  # noqa: E402

N = 10000


def main():
    body = os.path.join(run.RUN, "body.json")
    if not os.path.exists(body):
        run.capture_commbox_body()
    ng = run.Nginx()
    out = []
    try:
        for name in ("commbox", "curl", "raw"):
            p = subprocess.run(["perf", "stat", "-x,", "-e", "task-clock,context-switches,syscalls:sys_enter_futex",
                                run.C_BENCH, "seq", name, str(N), str(ng.port), body], capture_output=True, text=True)
            stats = {l.split(",")[2]: l.split(",")[0] for l in p.stderr.splitlines() if l.count(",") > 2}
            per = {k: float(v) / (N * 1.1) for k, v in stats.items() if v.replace(".", "").isdigit()}
            if "task-clock" in per:  # perf reports milliseconds
                per["task-clock µs"] = per.pop("task-clock") * 1000
            out.append(f"{name}: per request " + ", ".join(f"{k} {v:.2f}" for k, v in per.items()) + f"  {p.stdout.strip()}")
        data = os.path.join(run.RUN, "perf.data")
        subprocess.run(["perf", "record", "-q", "-F", "4000", "-g", "--call-graph", "dwarf,16384", "-o", data,
                        run.C_BENCH, "seq", "commbox", str(N), str(ng.port), body], check=True, capture_output=True)
    finally:
        ng.stop()
    rep = lambda *a: subprocess.run(["perf", "report", "-i", data, "--stdio", "-g", "none", *a],
                                    capture_output=True, text=True).stdout
    by_dso = [l for l in rep("--no-children", "--sort", "dso").splitlines() if l.strip() and not l.startswith("#")]
    by_sym = [l for l in rep("--children", "--sort", "sym").splitlines() if l.strip() and not l.startswith("#")]
    by_sym = [l[:200] for l in by_sym if "inlined" not in l and "closure" not in l][:80]
    text = "\n".join(["# context switches and futex calls per request (perf stat)", *out, "",
                      "# samples by DSO (self)", *by_dso[:10], "", "# symbols (children, i.e. inclusive)", *by_sym])
    with open(os.path.join(run.RUN, "profile.txt"), "w") as f:
        f.write(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
