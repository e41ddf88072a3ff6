"""The benchmark driver behind `make bench`: starts nginx, runs every client in its own
process, prints the tables and writes bench/RESULTS.md.

Run by mk/bench.mk with the bench venv's python, after the release builds. Environment:
BENCH_N (requests per sequential run, default 20000), BENCH_SECONDS (per thread-scaling
point, default 2), BENCH_REPEAT (interleaved rounds, default 5), BENCH_FANOUT (concurrent
creates per fan-out, default 1000), BENCH_DELAY_MS (the delaying server's answer time,
default 200), BENCH_FANOUT_REPEAT (default 3), BENCH_BATCH_LINES (default 10000),
BENCH_BATCH_REPEAT (default 3),
BENCH_SECTIONS (comma-separated subset of seq,threads,c,uploads,cold,fanout,batch; the
other sections keep their figures from the last run's bench/.run/results.json).

Every verdict uses the median of the rounds (for a ratio: the median of the per-round
ratios, each round running the clients back to back); the best and worst rounds are printed
beside it. The sequential per-call comparisons (Python and C) run with the client and nginx
pinned to one CPU (`taskset -c 0` for both): on this VM a round trip between two cores costs
more than the differences being measured.
"""
import datetime
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
RUN = os.path.join(BENCH, ".run")
PY = sys.executable
CLI = os.path.join(ROOT, "target", "release", "commbox")
MOCK = os.path.join(ROOT, "target", "release", "commbox-mock")
RUST_UPLOAD = os.path.join(ROOT, "target", "release", "commbox-bench-upload")
RUST_FANOUT = os.path.join(ROOT, "target", "release", "commbox-bench-fanout")
C_BENCH = os.path.join(RUN, "c_bench")
LIBSO = os.path.join(RUN, "prefix", "lib", "libcommbox.so")
N = int(os.environ.get("BENCH_N", "20000"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "2"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "5"))
MIB = 1024 * 1024
UPLOAD_SIZE = 100 * MIB
PY_PEERS = ["commbox", "pycurl", "urllib3", "httpx", "requests"]
FANOUT = int(os.environ.get("BENCH_FANOUT", "1000"))
DELAY_MS = int(os.environ.get("BENCH_DELAY_MS", "200"))
BATCH_LINES = int(os.environ.get("BENCH_BATCH_LINES", "10000"))
BATCH_CONCURRENCY = 32
BATCH_REPEAT = int(os.environ.get("BENCH_BATCH_REPEAT", "3"))
FANOUT_REPEAT = int(os.environ.get("BENCH_FANOUT_REPEAT", "3"))
SECTIONS = ("seq", "threads", "c", "uploads", "cold", "fanout", "batch")
PIN = ["taskset", "-c", "0"]  # the sequential comparisons: client and server on CPU 0
PY_ASYNC_PEERS = ["commbox", "aiohttp", "httpx", "commbox-threadpool"]
RUST_ASYNC = [("commbox", "current"), ("reqwest", "current"), ("commbox", "multi"), ("reqwest", "multi")]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def run_json(cmd, **kw):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)
    return json.loads(out.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- servers

class Nginx:
    """The peer-comparison server. `cpus` (a taskset list) pins the master and its worker."""

    def __init__(self, cpus=None):
        self.port, self.sink = free_port(), free_port()
        for d in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            os.makedirs(os.path.join(RUN, d), exist_ok=True)
        conf = open(os.path.join(BENCH, "nginx.conf.in")).read()
        conf = conf.replace("@RUN@", RUN).replace("@PORT@", str(self.port)).replace("@SINK@", str(self.sink))
        self.conf = os.path.join(RUN, "nginx.conf")
        with open(self.conf, "w") as f:
            f.write(conf)
        for name in ("upload.log", "sink.log"):
            open(os.path.join(RUN, name), "w").close()
        pin = ["taskset", "-c", cpus] if cpus else []
        subprocess.run([*pin, nginx_binary(), "-c", self.conf, "-p", RUN], check=True)
        wait_port(self.port)
        self.url = f"http://127.0.0.1:{self.port}"

    def stop(self):
        pid = int(open(os.path.join(RUN, "nginx.pid")).read())
        os.kill(pid, signal.SIGQUIT)  # the master we started; it ends its worker
        for _ in range(100):
            if not os.path.exists(os.path.join(RUN, "nginx.pid")):
                break
            time.sleep(0.05)

    def upload_lengths(self, count):
        """(front $content_length, sink $content_length, front status, sink status) of upload
        number `count`; nginx writes its log line just after answering, so wait for it."""
        def lines(name):
            return [l.split() for l in open(os.path.join(RUN, name)).read().splitlines() if l.strip()]
        for _ in range(100):
            front, sink = lines("upload.log"), lines("sink.log")
            if len(front) >= count and len(sink) >= count:
                f, k = front[count - 1], sink[count - 1]
                return int(f[3]), int(k[3]), f[1], k[1]
            time.sleep(0.05)
        return None


def nginx_binary():
    return shutil.which("nginx") or "/usr/sbin/nginx"


def wait_port(port):
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"nothing listens on {port}")


def capture_commbox_body():
    """The exact JSON commbox sends for the benchmark's SMS conversation: the peers send it too."""
    got = {}

    class H(BaseHTTPRequestHandler):
        def do_POST(self):
            got["body"] = self.rfile.read(int(self.headers["Content-Length"]))
            got["headers"] = dict(self.headers)
            out = b'{"status":200,"description":"OK","data":{"id":12345}}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        def log_message(self, *a):
            pass

    srv = HTTPServer(("127.0.0.1", 0), H)
    t = threading.Thread(target=srv.handle_request)
    t.start()
    code = (
        "import commbox;"
        f"c=commbox.Client(api_key='bench-key', base_url='http://127.0.0.1:{srv.server_port}', max_retries=0);"
        "print(c.create_sms_conversation('bench-stream', '+972544444444', 'Your code is 1234'))"
    )
    subprocess.run([PY, "-c", code], check=True, capture_output=True)
    t.join()
    srv.server_close()
    path = os.path.join(RUN, "body.json")
    with open(path, "wb") as f:
        f.write(got["body"])
    return path, got


# ---------------------------------------------------------------- measurements

def median_run(cmd, repeat=REPEAT):
    runs = [run_json(cmd) for _ in range(repeat)]
    return {k: statistics.median(r[k] for r in runs) for k in ("cpu_us", "wall_us")}


def interleaved(cmds, ref):
    """Runs every client once per round, REPEAT rounds, so that the machine's drift (a VM's
    steal time moves all figures together) hits every client alike. Per client: the median
    CPU and wall time, the best and worst CPU of the rounds, and `median_ratio`, the median
    over the rounds of its CPU over `ref`'s in the same round: the verdicts use that (the
    earlier verdicts from each client's best round flattered whichever client had one lucky
    round; `ratio`, best over best, is kept only to show that)."""
    rounds = []
    for i in range(REPEAT):
        got = {}
        for name, cmd in cmds.items():
            log(f"    round {i + 1}: {name}")
            got[name] = run_json(cmd)
        rounds.append(got)
    res = {}
    for name in cmds:
        res[name] = {k: statistics.median(r[name][k] for r in rounds) for k in ("cpu_us", "wall_us")}
        res[name]["best"] = min(r[name]["cpu_us"] for r in rounds)
        res[name]["median_ratio"] = statistics.median(r[name]["cpu_us"] / r[ref]["cpu_us"] for r in rounds)
        res[name]["spread"] = (res[name]["best"], max(r[name]["cpu_us"] for r in rounds))
    for name in cmds:
        res[name]["ratio"] = res[name]["best"] / res[ref]["best"]
    return res


def python_sequential(url, body):
    log("  python sequential")
    return interleaved({name: [*PIN, PY, os.path.join(BENCH, "py_clients.py"), "seq", name, str(N), url, body] for name in PY_PEERS},
                       "commbox")


def python_threads(url, body):
    """REPEAT rounds of 1, 2, 4, 8 threads per client; medians, the best round per point,
    and the scaling from the best rounds (the median per-round ratio beside it)."""
    res = {}
    for name in ("commbox", "requests"):
        rounds = []
        for i in range(REPEAT):
            got = {}
            for t in (1, 2, 4, 8):
                log(f"  python threads: {name} x{t}, round {i + 1}")
                got[t] = run_json([PY, os.path.join(BENCH, "py_clients.py"), "threads", name, str(t), str(SECONDS), url, body])
            rounds.append(got)
        res[name] = {t: {k: statistics.median(r[t][k] for r in rounds) for k in ("rps", "cpu_us")} for t in (1, 2, 4, 8)}
        for t in (1, 2, 4, 8):
            res[name][t]["best_rps"] = max(r[t]["rps"] for r in rounds)
        res[name]["scale4"] = res[name][4]["best_rps"] / res[name][1]["best_rps"]
        res[name]["scale4_median"] = statistics.median(r[4]["rps"] / r[1]["rps"] for r in rounds)
    return res


def c_sequential(port, body):
    log("  C sequential")
    return interleaved({name: [*PIN, C_BENCH, "seq", name, str(N), str(port), body] for name in ("commbox", "curl", "raw")}, "curl")


def instructions_per_request(port, body):
    """valgrind --tool=callgrind: user-space instructions per request (stable, unlike time;
    hardware counters are often missing in VMs), by difference of two run lengths so that
    start-up cancels out. None when valgrind is unavailable."""
    vg = shutil.which("valgrind")
    if not vg:
        return None
    out = {}
    small, big = 500, 2500
    for name in ("commbox", "curl", "raw"):
        counts = []
        for n in (small, big):
            p = subprocess.run([vg, "--tool=callgrind", "--callgrind-out-file=/dev/null", C_BENCH, "seq", name, str(n), str(port), body],
                               capture_output=True, text=True)
            got = [l for l in p.stderr.splitlines() if "Collected :" in l]
            if p.returncode or not got:
                return None
            counts.append(int(got[-1].split(":")[-1]))
        out[name] = (counts[1] - counts[0]) / ((big - small) * 1.1)  # each run also warms up n/10
    return out


def uploads(nginx):
    path = os.path.join(RUN, "upload-100MiB.bin")
    if not os.path.exists(path) or os.path.getsize(path) != UPLOAD_SIZE:
        with open(path, "wb") as f:
            for _ in range(100):
                f.write(os.urandom(MIB))
    tiny = os.path.join(RUN, "upload-tiny.bin")
    with open(tiny, "wb") as f:
        f.write(b"x")
    port = str(nginx.port)
    res = {}

    uploads_done = [0]

    def check(name, big=True):
        uploads_done[0] += 1
        lengths = nginx.upload_lengths(uploads_done[0])
        if not big:
            return
        ok = bool(lengths) and lengths[0] > UPLOAD_SIZE and lengths[0] == lengths[1] and lengths[2] == lengths[3] == "200"
        res[name]["received"] = lengths[0] if lengths else None
        res[name]["complete"] = ok

    faces = [
        ("Rust (core)", [RUST_UPLOAD, path, port]),
        ("C ABI", [C_BENCH, "upload", path, port]),
        ("Python commbox", [PY, os.path.join(BENCH, "py_clients.py"), "upload", "commbox", path, nginx.url]),
        ("Python requests", [PY, os.path.join(BENCH, "py_clients.py"), "upload", "requests", path, nginx.url]),
        ("Python httpx", [PY, os.path.join(BENCH, "py_clients.py"), "upload", "httpx", path, nginx.url]),
    ]
    for name, cmd in faces:
        log(f"  upload: {name}")
        r = run_json(cmd)
        res[name] = {"growth_kib": r["peak_kib"] - r["baseline_kib"], "baseline_kib": r["baseline_kib"]}
        check(name)

    # The CLI: peak RSS of the whole process (time -v), minus the same command with a 1-byte file.
    def cli_peak(file):
        env = dict(os.environ, COMMBOX_API_KEY="bench-key", COMMBOX_BASE_URL=nginx.url, COMMBOX_MAX_RETRIES="0", COMMBOX_TIMEOUT="600")
        p = subprocess.run(["/usr/bin/time", "-v", CLI, "email", "--stream", "upload", "--identity", "customer@example.com",
                            "--subject", "file", "-m", "attached", "--attach", file], capture_output=True, text=True, env=env)
        if p.returncode:
            raise SystemExit(f"commbox email failed: {p.stderr}")
        return int(next(l for l in p.stderr.splitlines() if "Maximum resident" in l).split()[-1])

    log("  upload: CLI")
    base = cli_peak(tiny)
    check("CLI (1-byte file)", big=False)
    peak = cli_peak(path)
    res["CLI"] = {"growth_kib": peak - base, "baseline_kib": base}
    check("CLI")
    return res


def cold_start():
    def median_wall(cmd, runs=15):
        ts = []
        for _ in range(runs):
            t0 = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True)
            ts.append(time.perf_counter() - t0)
        return statistics.median(ts) * 1000

    res = {
        "python -c pass": median_wall([PY, "-c", "pass"]),
        "import commbox": median_wall([PY, "-c", "import commbox"]),
        "import requests": median_wall([PY, "-c", "import requests"]),
        "import httpx": median_wall([PY, "-c", "import httpx"]),
        "import pycurl": median_wall([PY, "-c", "import pycurl"]),
        "commbox --version": median_wall([CLI, "--version"]),
        "curl --version": median_wall(["curl", "--version"]) if shutil.which("curl") else None,
    }
    stripped = os.path.join(RUN, "libcommbox.stripped.so")
    subprocess.run(["strip", "-o", stripped, os.path.realpath(LIBSO)], check=True)
    sizes = {"libcommbox.so (stripped)": os.path.getsize(stripped)}
    cli_stripped = os.path.join(RUN, "commbox.stripped")
    subprocess.run(["strip", "-o", cli_stripped, CLI], check=True)
    sizes["commbox CLI (stripped)"] = os.path.getsize(cli_stripped)
    for lib in ("libcurl.so.4",):
        p = subprocess.run(["sh", "-c", f"ldconfig -p | grep -m1 '{lib} ' | sed 's/.*=> //'"], capture_output=True, text=True)
        if p.stdout.strip():
            sizes[f"{lib} (system, stripped, without its deps)"] = os.path.getsize(os.path.realpath(p.stdout.strip()))
    return res, sizes


def watch(cmd, env=None, stdout=subprocess.PIPE):
    """Runs cmd, sampling its thread count (/proc/PID/status) every 5 ms while it runs; its
    peak RSS comes from the kernel at exit (wait4's ru_maxrss). The same for every client,
    whatever its language. Returns (stdout text or None, wall s, peak threads, peak RSS KiB)."""
    errf = open(os.path.join(RUN, "watch.stderr"), "w+b")  # a file: a chatty stderr cannot block it
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=stdout, stderr=errf, env=env)
    peak = [0]
    done = threading.Event()

    def sample():
        path = f"/proc/{proc.pid}/status"
        while not done.is_set():
            try:
                with open(path) as f:
                    for line in f:
                        if line.startswith("Threads:"):
                            peak[0] = max(peak[0], int(line.split()[1]))
                            break
            except (OSError, ValueError):
                pass
            done.wait(0.005)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out = proc.stdout.read() if stdout == subprocess.PIPE else None
    _, status, ru = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    errf.seek(0)
    err = errf.read().decode(errors="replace")
    errf.close()
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {err[-2000:]}")
    return (out.decode() if out is not None else None), wall, peak[0], ru.ru_maxrss


class DelayMock:
    """commbox-mock answering every API request after DELAY_MS (its chaos mode with only the
    `delay` kind at rate 1): the slow server of the fan-out and batch benchmarks. A Rust
    server on its own, so it keeps up with 1 000 connections at once (a Python server would
    be the bottleneck)."""

    def __init__(self):
        import urllib.request

        self.port = free_port()
        env = dict(os.environ, COMMBOX_MOCK_API_KEY="bench-key")
        self.proc = subprocess.Popen([MOCK, "--port", str(self.port)], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, env=env)
        wait_port(self.port)
        self.url = f"http://127.0.0.1:{self.port}"
        chaos = json.dumps({"rate": 1.0, "kinds": ["delay"], "delay_ms": DELAY_MS}).encode()
        req = urllib.request.Request(self.url + "/__mock/chaos", data=chaos, method="POST",
                                     headers={"Content-Type": "application/json"})
        urllib.request.urlopen(req).read()

    def reset(self):
        """Forgets stored objects and recorded requests (chaos is set again)."""
        import urllib.request

        urllib.request.urlopen(urllib.request.Request(self.url + "/__mock/reset", data=b"", method="POST")).read()
        chaos = json.dumps({"rate": 1.0, "kinds": ["delay"], "delay_ms": DELAY_MS}).encode()
        urllib.request.urlopen(urllib.request.Request(self.url + "/__mock/chaos", data=chaos, method="POST",
                                                      headers={"Content-Type": "application/json"})).read()

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


def fanout(body):
    """FANOUT concurrent creates against the delaying mock, REPEAT interleaved rounds: the
    Python async clients from one asyncio program each, and the Rust async clients."""
    cmds = {f"py:{name}": [PY, os.path.join(BENCH, "py_clients.py"), "fanout", name, str(FANOUT), "URL", body]
            for name in PY_ASYNC_PEERS}
    if os.path.exists(RUST_FANOUT):
        cmds.update({f"rs:{name}:{flavour}": [RUST_FANOUT, name, flavour, str(FANOUT), "URL", body]
                     for name, flavour in RUST_ASYNC})
    rounds = []
    mock = DelayMock()
    try:
        for i in range(FANOUT_REPEAT):
            got = {}
            for name, cmd in cmds.items():
                log(f"  fan-out round {i + 1}: {name}")
                mock.reset()
                out, _, threads, rss = watch([mock.url if a == "URL" else a for a in cmd])
                r = json.loads(out.strip().splitlines()[-1])
                got[name] = dict(r, threads=threads, rss_kib=rss)
            rounds.append(got)
    finally:
        mock.stop()
    res = {"cores": os.cpu_count(), "n": FANOUT, "delay_ms": DELAY_MS, "rounds": rounds, "clients": {}}
    for name in cmds:
        res["clients"][name] = {k: statistics.median(r[name][k] for r in rounds) for k in ("cold_s", "warm_s", "cpu_s", "rss_kib")}
        res["clients"][name]["threads"] = max(r[name]["threads"] for r in rounds)
        res["clients"][name]["spread"] = (min(r[name]["cold_s"] for r in rounds), max(r[name]["cold_s"] for r in rounds))
    for name in cmds:  # commbox's cold wall time over aiohttp's (Python) / reqwest's (Rust), per round
        lang, client, *flavour = name.split(":")
        peer = "py:aiohttp" if lang == "py" else ":".join(["rs", "reqwest", *flavour])
        for k in ("cold_s", "warm_s"):
            res["clients"][name][f"{k}_vs_peer"] = statistics.median(r[name][k] / r[peer][k] for r in rounds)
    return res


def batch_lines(path):
    """BATCH_LINES SMS conversations as `commbox batch` lines (docs/schemas/BatchLine.json)."""
    with open(path, "w") as f:
        for i in range(BATCH_LINES):
            f.write(json.dumps({"op": "commbox.conversation", "stream": "bench-stream",
                                "request": {"channel": "sms", "identity": "+972544444444",
                                            "message": f"Your code is {i:04d}"}}) + "\n")


def batch():
    """BATCH_LINES lines through `commbox batch --concurrency 32` against the delaying mock,
    BATCH_REPEAT rounds; None when this CLI has no batch command."""
    probe = subprocess.run([CLI, "batch", "--help"], capture_output=True, text=True)
    if probe.returncode:
        log("  batch: this commbox has no batch command; skipped")
        return None
    path = os.path.join(RUN, "batch.jsonl")
    batch_lines(path)
    out_path = os.path.join(RUN, "batch-out.jsonl")
    runs = []
    mock = DelayMock()
    try:
        env = dict(os.environ, COMMBOX_API_KEY="bench-key", COMMBOX_BASE_URL=mock.url, COMMBOX_MAX_RETRIES="0")
        for i in range(BATCH_REPEAT):
            log(f"  batch round {i + 1}: {BATCH_LINES} lines, --concurrency {BATCH_CONCURRENCY}")
            mock.reset()
            with open(out_path, "wb") as out:
                _, wall, threads, rss = watch([CLI, "batch", "--concurrency", str(BATCH_CONCURRENCY), path], env=env, stdout=out)
            ok = failed = 0
            for line in open(out_path):
                if not line.strip():
                    continue
                r = json.loads(line)
                if r.get("error") is None and r.get("id") is not None:
                    ok += 1
                else:
                    failed += 1
            runs.append({"wall_s": wall, "threads": threads, "rss_kib": rss, "ok": ok, "failed": failed})
    finally:
        mock.stop()
    ideal = BATCH_LINES * DELAY_MS / 1000 / BATCH_CONCURRENCY
    med = {k: statistics.median(r[k] for r in runs) for k in ("wall_s", "rss_kib")}
    return {"lines": BATCH_LINES, "concurrency": BATCH_CONCURRENCY, "ideal_s": ideal, "runs": runs,
            "wall_s": med["wall_s"], "rss_kib": med["rss_kib"], "threads": max(r["threads"] for r in runs),
            "ok": min(r["ok"] for r in runs), "failed": max(r["failed"] for r in runs)}


def mock_sequential():
    """commbox against its own mock (reported apart: the mock is not the peer server)."""
    port = free_port()
    env = dict(os.environ, COMMBOX_MOCK_API_KEY="bench-key")
    proc = subprocess.Popen([MOCK, "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        wait_port(port)
        return median_run([PY, os.path.join(BENCH, "py_clients.py"), "seq", "commbox", str(N), f"http://127.0.0.1:{port}",
                           os.path.join(RUN, "body.json")], repeat=1)
    finally:
        proc.terminate()
        proc.wait()


# ---------------------------------------------------------------- report

def cpu_times():
    f = [int(x) for x in open("/proc/stat").readline().split()[1:]]
    return sum(f), f[7]  # total jiffies, steal


def machine():
    cpu = "unknown CPU"
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = int(next(l for l in open("/proc/meminfo") if l.startswith("MemTotal")).split()[1]) // (1024 * 1024)
    return f"{cpu}, {os.cpu_count()} cores, {mem} GiB, Linux {platform.release()}, Python {platform.python_version()}"


def versions():
    code = ("import importlib.metadata as m;"
            "print(', '.join(f'{p} {m.version(p)}' for p in ('requests','httpx','urllib3','pycurl')));"
            "import pycurl; print(' (pycurl links its own', pycurl.version.split()[1].replace('/', ' ') + ')')")
    peers = subprocess.run([PY, "-c", code], capture_output=True, text=True).stdout.strip().replace("\n", "")
    ng = subprocess.run([nginx_binary(), "-v"], capture_output=True, text=True).stderr.strip().replace("nginx version: ", "")
    cv = subprocess.run(["curl-config", "--version"], capture_output=True, text=True).stdout.strip() if shutil.which("curl-config") else "?"
    return f"{peers}; {cv}; {ng}"


def source_state():
    """The commit the measured builds come from, and whether the sources had local changes
    (other work in progress in the same tree is built into them)."""
    git = lambda *a: subprocess.run(["git", "-C", ROOT, *a], capture_output=True, text=True).stdout.strip()
    rev = git("rev-parse", "--short", "HEAD") or "?"
    dirty = git("status", "--porcelain", "--", "crates", "bindings", "include", "Cargo.toml", "Cargo.lock")
    return rev + (" with uncommitted changes in crates/ or bindings/" if dirty else "")


def yes(ok):
    if isinstance(ok, str):
        return ok
    return "**met**" if ok else "**NOT met**"


def section(w, title, intro):
    """A section's heading and its first paragraph (when and how it ran)."""
    w(title)
    w("")
    w(intro)
    w("")


def section_date(r, name):
    return r.get("dates", {}).get(name) or r.get("date", "?")


def report(r):
    L = []
    w = L.append
    summary = []
    w(f"Machine: {r['machine']}. Peers: {r['versions']}. "
      f"commbox built from {r.get('source', '?')} (release builds of mk/bench.mk).  ")
    w("Every verdict uses the **median of the rounds** (for a ratio, the median of the per-round ratios: "
      "each round runs the clients back to back); the best and worst rounds are printed beside it. "
      "The machine is a shared, noisy 2-core VM (other builds ran during these runs): "
      "compare ratios of one run, not µs across runs. Each section gives the time (UTC) it ran"
      + (f"; CPU time stolen by the hypervisor during the nginx sections: {r['steal']:.1f}%." if r.get("steal") else "."))
    w("")
    py, c = r.get("py_seq"), r.get("c_seq")
    if py:
        w("### 1. Python, sequential create-conversation (one connection, same JSON body, answer parsed)")
        w("")
        w(f"Run {section_date(r, 'seq')}. N = {r.get('n', N)} requests per round, {r.get('repeat', REPEAT)} interleaved rounds, "
          "client and nginx both pinned to CPU 0 (`taskset -c 0`).")
        w("")
        w("| client | CPU µs/request, median | best | worst | wall µs/request (median) | CPU vs commbox (median of per-round ratios) |")
        w("|---|---:|---:|---:|---:|---:|")
        for name in PY_PEERS:
            lo, hi = py[name]["spread"]
            w(f"| {name} | {py[name]['cpu_us']:.1f} | {lo:.1f} | {hi:.1f} | {py[name]['wall_us']:.1f} | {py[name]['median_ratio']:.2f}× |")
        cm = py["commbox"]["cpu_us"]
        t1 = cm <= 55
        t1p = py["pycurl"]["median_ratio"] >= 1
        t1b = py["requests"]["median_ratio"] >= 6
        w("")
        w(f"Target ≤ 55 µs CPU: {cm:.1f} µs (median), {yes(t1)}; at or below pycurl: commbox costs "
          f"{1 / py['pycurl']['median_ratio']:.2f}× pycurl's CPU, {yes(t1p)}. "
          f"At least 6× less than requests.Session: {py['requests']['median_ratio']:.2f}×, {yes(t1b)}.")
        if r.get("mock"):
            w(f"For reference, commbox against its own mock (`commbox-mock`, not a peer comparison, not pinned): "
              f"{r['mock']['cpu_us']:.1f} µs CPU, {r['mock']['wall_us']:.1f} µs wall per request.")
        w("")
        summary += [("1. Python CPU ≤ 55 µs/request", t1), ("1. Python CPU at or below pycurl's", t1p),
                    ("1. Python CPU ≥ 6× less than requests.Session", t1b)]
    th = r.get("threads")
    if th:
        section(w, "### 2. Python threads: one shared commbox client vs one requests.Session per thread (requests/s)",
                f"Run {section_date(r, 'threads')}. {SECONDS:g} s per point, {r.get('repeat', REPEAT)} rounds, "
                "not pinned (this one is about using both cores).")
        w("| threads | commbox req/s, median (best) | commbox CPU µs/req | requests req/s, median (best) | requests CPU µs/req | commbox / requests (medians) |")
        w("|---:|---:|---:|---:|---:|---:|")
        for t in (1, 2, 4, 8):
            a, b = th["commbox"][t], th["requests"][t]
            w(f"| {t} | {a['rps']:.0f} ({a['best_rps']:.0f}) | {a['cpu_us']:.1f} | {b['rps']:.0f} ({b['best_rps']:.0f}) | {b['cpu_us']:.1f} | "
              f"{a['rps'] / b['rps']:.2f}× |")
        s4 = th["commbox"]["scale4_median"]
        w("")
        w(f"Target: commbox at 4 threads ≥ 3× its 1-thread rate: {s4:.2f}× (median of per-round ratios; "
          f"one requests.Session per thread: {th['requests']['scale4_median']:.2f}×), {yes(s4 >= 3)}.")
        w("")
        summary.append(("2. 4 threads ≥ 3× 1 thread", s4 >= 3))
    if c:
        w("### 3. C, sequential (one connection, same JSON body)")
        w("")
        w(f"Run {section_date(r, 'c')}. N = {r.get('n', N)} requests per round, {r.get('repeat', REPEAT)} interleaved rounds, "
          "client and nginx both pinned to CPU 0.")
        w("")
        ipr = r.get("instructions")
        w("| client | CPU µs/request, median | best | worst | wall µs/request (median) | CPU vs libcurl (median of per-round ratios) |"
          + (" user-space instructions/request (callgrind) |" if ipr else ""))
        w("|---|---:|---:|---:|---:|---:|" + ("---:|" if ipr else ""))
        label = {"commbox": "commbox C ABI", "curl": "libcurl easy handle", "raw": "raw socket loop (floor)"}
        for name in ("commbox", "curl", "raw"):
            extra = f" {ipr[name]:,.0f} |" if ipr else ""
            lo, hi = c[name]["spread"]
            w(f"| {label[name]} | {c[name]['cpu_us']:.1f} | {lo:.1f} | {hi:.1f} | {c[name]['wall_us']:.1f} | "
              f"{c[name]['median_ratio']:.2f}× |{extra}")
        rc = c["commbox"]["median_ratio"]
        w("")
        w(f"Target ≤ 1.2× libcurl: {rc:.2f}× (median), {yes(rc <= 1.2)}."
          + (f" In user-space instructions alone: {ipr['commbox'] / ipr['curl']:.2f}×." if ipr else ""))
        w("")
        summary.append(("3. C ABI ≤ 1.2× libcurl CPU", rc <= 1.2))
    up = r.get("uploads")
    if up:
        section(w, "### 4. A 100 MiB attachment: peak RSS growth over the idle baseline",
                f"Run {section_date(r, 'uploads')}.")
        w("| face | growth MiB | idle RSS MiB | body bytes nginx received | complete |")
        w("|---|---:|---:|---:|---|")
        ok4 = True
        for name, v in up.items():
            w(f"| {name} | {v['growth_kib'] / 1024:.1f} | {v['baseline_kib'] / 1024:.1f} | {v['received']} | {'yes' if v['complete'] else 'NO'} |")
            if not name.startswith("Python ") or name == "Python commbox":
                ok4 = ok4 and v["growth_kib"] <= 4 * 1024 and v["complete"]
        w("")
        w(f"Target ≤ 4 MiB through the Rust, C, Python and CLI faces: {yes(ok4)}. "
          "(\"complete\": nginx read the whole multipart body, larger than 100 MiB, and the sink behind it "
          "received the same length.) The CLI's baseline is the same command with a 1-byte file.")
        w("")
        summary.append(("4. 100 MiB upload ≤ 4 MiB RSS growth (Rust, C, Python, CLI)", ok4))
    if r.get("cold"):
        cs, sizes = r["cold"]
        section(w, "### 5. Cold start and size", f"Run {section_date(r, 'cold')}.")
        w("| what | median wall ms |")
        w("|---|---:|")
        for k, v in cs.items():
            if v is not None:
                w(f"| `{k}` | {v:.1f} |")
        w("")
        w("| file | bytes |")
        w("|---|---:|")
        for k, v in sizes.items():
            w(f"| {k} | {v:,} |")
        w("")
    fo = r.get("fanout")
    if fo:
        cores = fo["cores"]
        cl = fo["clients"]
        w(f"### 6. Fan-out: {fo['n']:,} concurrent creates against a server that answers each after {fo['delay_ms']} ms")
        w("")
        w(f"Run {section_date(r, 'fanout')}. The server is `commbox-mock` in chaos mode with only the `delay` kind at rate 1 "
          f"(every request answered after {fo['delay_ms']} ms; a separate process, not counted). Each client makes "
          f"{fo['n']:,} creates at once (`asyncio.gather`, or one tokio task each), twice: *cold* opens the connections, "
          f"*warm* reuses them. Every client may open as many connections as it has calls in flight. "
          f"{len(fo['rounds'])} interleaved rounds; medians, the cold range beside. Threads: the most the process ever had "
          f"(/proc sampled every 5 ms, the whole process: interpreter, runtime, pools); RSS: the process's peak (wait4). "
          f"The ideal wall time is {fo['delay_ms']} ms.")
        w("")
        w("| client | cold wall s (range) | warm wall s | vs peer, cold / warm | CPU s (both fan-outs) | peak threads | peak RSS MiB |")
        w("|---|---:|---:|---:|---:|---:|---:|")
        names = {"py:commbox": "Python commbox.AsyncClient", "py:aiohttp": "Python aiohttp", "py:httpx": "Python httpx.AsyncClient",
                 "py:commbox-threadpool": "Python, before: the blocking commbox.Client on 16 threads (0894829's AsyncClient)",
                 "rs:commbox:current": "Rust commbox::Client, current-thread runtime",
                 "rs:reqwest:current": "Rust reqwest::Client, current-thread runtime",
                 "rs:commbox:multi": f"Rust commbox::Client, multi-thread runtime ({cores} workers)",
                 "rs:reqwest:multi": f"Rust reqwest::Client, multi-thread runtime ({cores} workers)"}
        for k, v in cl.items():
            lo, hi = v["spread"]
            w(f"| {names.get(k, k)} | {v['cold_s']:.3f} ({lo:.3f}–{hi:.3f}) | {v['warm_s']:.3f} | "
              f"{v['cold_s_vs_peer']:.2f}× / {v['warm_s_vs_peer']:.2f}× | {v['cpu_s']:.2f} | {v['threads']} | {v['rss_kib'] / 1024:.1f} |")
        w("")
        w("\"vs peer\": the median per-round ratio of the wall time to aiohttp's (Python rows) or to reqwest's on the same "
          "runtime (Rust rows).")
        pc = cl["py:commbox"]
        ok_wall = pc["cold_s_vs_peer"] <= 1 and pc["warm_s_vs_peer"] <= 1
        ok_thr = pc["threads"] <= cores + 2
        w("")
        w(f"Goal, Python: commbox at or below aiohttp's wall time: {pc['cold_s_vs_peer']:.2f}× cold, "
          f"{pc['warm_s_vs_peer']:.2f}× warm, {yes(ok_wall)}; at most cores + 2 = {cores + 2} threads: {pc['threads']}, {yes(ok_thr)}.")
        summary += [(f"6. Fan-out, Python: commbox wall time ≤ aiohttp's", ok_wall),
                    (f"6. Fan-out, Python: commbox threads ≤ cores + 2 ({cores + 2})", ok_thr)]
        if "rs:commbox:current" in cl:
            per = {fl: (cl[f"rs:commbox:{fl}"]["cold_s_vs_peer"], cl[f"rs:commbox:{fl}"]["warm_s_vs_peer"])
                   for fl in ("current", "multi") if f"rs:commbox:{fl}" in cl}
            rthr = max(cl[k]["threads"] for k in cl if k.startswith("rs:commbox"))
            text = ", ".join(f"{fl}-thread runtime {c:.2f}× cold / {wm:.2f}× warm" for fl, (c, wm) in per.items())
            w(f"Rust (no goal of its own; the issue asks for the comparison): commbox::Client's wall time over reqwest's "
              f"async client on the same runtime: {text}; at most {rthr} threads.")
            summary.append(("6. Fan-out, Rust: commbox::Client's wall time over reqwest's (no goal of its own)", text))
        w("")
    if "batch" in r:
        b = r["batch"]
        w(f"### 7. Batch: {BATCH_LINES:,} lines through `commbox batch --concurrency {BATCH_CONCURRENCY}`, same server")
        w("")
        if not b:
            w(f"Run {section_date(r, 'batch')}: **not measured** — the `commbox` built for this run has no `batch` command yet "
              "(issue 12, item 4, not landed). The harness is ready: `BENCH_SECTIONS=batch make bench` fills this table.")
        else:
            w(f"Run {section_date(r, 'batch')}. {len(b['runs'])} rounds; the mock forgets its objects between rounds. "
              f"Ideal: lines × {DELAY_MS} ms / {b['concurrency']} = {b['ideal_s']:.1f} s.")
            w("")
            w("| | wall s | vs ideal | peak threads | peak RSS MiB | lines stored (id) | lines failed |")
            w("|---|---:|---:|---:|---:|---:|---:|")
            for i, run in enumerate(b["runs"], 1):
                w(f"| round {i} | {run['wall_s']:.1f} | {run['wall_s'] / b['ideal_s']:.3f}× | {run['threads']} | {run['rss_kib'] / 1024:.1f} | {run['ok']} | {run['failed']} |")
            w(f"| **median** | **{b['wall_s']:.1f}** | **{b['wall_s'] / b['ideal_s']:.3f}×** | {b['threads']} | {b['rss_kib'] / 1024:.1f} | | |")
            w("")
            w("The wall time is the whole process (start, reading the file, writing the JSON-lines results). No numeric goal is set; "
              "the overhead over the ideal is what batching costs.")
            summary.append(("7. Batch wall time vs the ideal (no numeric goal)",
                            f"{b['wall_s'] / b['ideal_s']:.2f}× the ideal; {b['ok']} of {b['lines']} lines stored"))
        if not b:
            summary.append(("7. Batch wall time vs the ideal (no numeric goal)", "not measured: no `commbox batch` yet"))
        w("")
    return "\n".join(L), summary


def write_report(results):
    text, summary = report(results)
    notes_path = os.path.join(BENCH, "NOTES.md")
    notes = open(notes_path).read() if os.path.exists(notes_path) else ""
    out = ["# Benchmark results", "", "Written by `make bench` (bench/run.py); the analysis at the end is bench/NOTES.md.", "",
           "## Targets", "", "| target | status |", "|---|---|"]
    out += [f"| {k} | {yes(v)} |" for k, v in summary]
    out += ["", "## Figures", "", text, "", notes]
    with open(os.path.join(BENCH, "RESULTS.md"), "w") as f:
        f.write("\n".join(out).rstrip() + "\n")
    print(text)
    print()
    for k, v in summary:
        print(f"{v if isinstance(v, str) else ('met    ' if v else 'NOT met')}  {k}")
    print("\nwritten: bench/RESULTS.md")


def load_results():
    path = os.path.join(RUN, "results.json")
    if not os.path.exists(path):
        return {}
    results = json.load(open(path))
    for name in results.get("threads") or {}:
        results["threads"][name] = {(int(k) if k.isdigit() else k): v for k, v in results["threads"][name].items()}
    return results


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def main():
    if sys.argv[1:] == ["--report-only"]:  # re-render the last run (after editing NOTES.md)
        write_report(load_results())
        return
    wanted = [x for x in os.environ.get("BENCH_SECTIONS", ",".join(SECTIONS)).split(",") if x]
    unknown = set(wanted) - set(SECTIONS)
    if unknown:
        raise SystemExit(f"BENCH_SECTIONS: unknown {sorted(unknown)}; known: {','.join(SECTIONS)}")
    os.makedirs(RUN, exist_ok=True)
    # Sections not run keep their figures (and dates) from the last run.
    results = load_results() if set(wanted) != set(SECTIONS) else {}
    results.update({"machine": machine(), "versions": versions(), "n": N, "repeat": REPEAT, "source": source_state()})
    dates = results.setdefault("dates", {})
    body, _ = capture_commbox_body()
    log(f"commbox sends {os.path.getsize(body)} bytes of JSON; the peers send the same")
    if {"seq", "c"} & set(wanted):
        nginx = Nginx(cpus="0")  # the sequential comparisons: nginx and the client on CPU 0
        t0, st0 = cpu_times()
        try:
            if "seq" in wanted:
                dates["seq"] = now()
                results["py_seq"] = python_sequential(nginx.url, body)
            if "c" in wanted:
                dates["c"] = now()
                results["c_seq"] = c_sequential(nginx.port, body)
                log("  callgrind: instructions per request")
                results["instructions"] = instructions_per_request(nginx.port, body)
        finally:
            nginx.stop()
        t1, st1 = cpu_times()
        results["steal"] = 100.0 * (st1 - st0) / max(1, t1 - t0)
        if "seq" in wanted:
            log("  mock")
            results["mock"] = mock_sequential()
    if {"threads", "uploads"} & set(wanted):
        nginx = Nginx()
        try:
            if "threads" in wanted:
                dates["threads"] = now()
                results["threads"] = python_threads(nginx.url, body)
            if "uploads" in wanted:
                dates["uploads"] = now()
                results["uploads"] = uploads(nginx)
        finally:
            nginx.stop()
    if "cold" in wanted:
        log("  cold start")
        dates["cold"] = now()
        results["cold"] = cold_start()
    if "fanout" in wanted:
        dates["fanout"] = now()
        results["fanout"] = fanout(body)
    if "batch" in wanted:
        dates["batch"] = now()
        results["batch"] = batch()
    with open(os.path.join(RUN, "results.json"), "w") as f:
        json.dump(results, f, indent=1, default=str)
    write_report(results)


if __name__ == "__main__":
    main()
