"""One Python client's measurement, run in its own process by bench/run.py.

    py_clients.py seq CLIENT N URL BODYFILE         -> {"cpu_us": .., "wall_us": ..}   per request
    py_clients.py threads CLIENT T SECONDS URL BODYFILE -> {"rps": ..}
    py_clients.py upload CLIENT FILE URL             -> {"baseline_kib": .., "peak_kib": ..}
    py_clients.py fanout CLIENT N URL BODYFILE       -> {"cold_s": .., "warm_s": .., "cpu_s": ..}

URL is the server's base (http://127.0.0.1:PORT). Every request is a create-conversation
POST with the same JSON body (what commbox itself sends, captured by run.py) and its answer
is parsed down to the conversation id.
"""
import json
import os
import resource
import sys
import threading
import time

STREAM = "bench-stream"
PHONE = "+972544444444"
TEXT = "Your code is 1234"
KEY = "bench-key"
HEADERS = {
    "Authorization": "Bearer " + KEY,
    "Content-Type": "application/json",
    "Accept": "application/json",
}


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def make_sender(name, base, body):
    """A function that sends one create and returns the id; the per-thread state is built here."""
    url = f"{base}/streams/{STREAM}/objects"
    if name == "commbox":
        import commbox

        client = commbox.Client(api_key=KEY, base_url=base, max_retries=0)
        return lambda: client.create_sms_conversation(STREAM, PHONE, TEXT)
    if name == "requests":
        import requests

        s = requests.Session()
        return lambda: s.post(url, data=body, headers=HEADERS).json()["data"]["id"]
    if name == "httpx":
        import httpx

        c = httpx.Client()
        return lambda: c.post(url, content=body, headers=HEADERS).json()["data"]["id"]
    if name == "urllib3":
        import urllib3

        pool = urllib3.HTTPConnectionPool("127.0.0.1", int(base.rsplit(":", 1)[1]), maxsize=1)
        path = f"/streams/{STREAM}/objects"
        return lambda: json.loads(pool.urlopen("POST", path, body=body, headers=HEADERS).data)["data"]["id"]
    if name == "pycurl":
        import io

        import pycurl

        c = pycurl.Curl()
        c.setopt(pycurl.URL, url)
        c.setopt(pycurl.HTTPHEADER, [f"{k}: {v}" for k, v in HEADERS.items()])
        c.setopt(pycurl.POSTFIELDS, body)

        def send():
            buf = io.BytesIO()
            c.setopt(pycurl.WRITEDATA, buf)
            c.perform()
            if c.getinfo(pycurl.RESPONSE_CODE) != 200:
                raise RuntimeError("HTTP status")
            return json.loads(buf.getvalue())["data"]["id"]

        return send
    raise SystemExit(f"unknown client {name}")


def seq(name, n, base, body):
    send = make_sender(name, base, body)
    for _ in range(min(1000, n // 10)):  # warm-up: connection, caches
        send()
    c0, w0 = cpu(), time.perf_counter()
    for _ in range(n):
        if not isinstance(send(), int):
            raise SystemExit("no id in the answer")
    c1, w1 = cpu(), time.perf_counter()
    return {"cpu_us": (c1 - c0) / n * 1e6, "wall_us": (w1 - w0) / n * 1e6, "n": n}


def threads(name, t, seconds, base, body):
    if name == "commbox":
        shared = make_sender(name, base, body)
        senders = [shared] * t
    else:  # one requests.Session (or peer client) per thread
        senders = [make_sender(name, base, body) for _ in range(t)]
    for s in senders:
        s()
    counts = [0] * t
    stop = threading.Event()
    start = threading.Barrier(t + 1)

    def run(i):
        send = senders[i]
        start.wait()
        k = 0
        while not stop.is_set():
            send()
            k += 1
        counts[i] = k

    ths = [threading.Thread(target=run, args=(i,)) for i in range(t)]
    for th in ths:
        th.start()
    start.wait()
    w0, c0 = time.perf_counter(), cpu()
    time.sleep(seconds)
    stop.set()
    for th in ths:
        th.join()
    w1, c1 = time.perf_counter(), cpu()
    total = sum(counts)
    return {"rps": total / (w1 - w0), "cpu_us": (c1 - c0) / total * 1e6}


def make_async_sender(name, base, body):
    """(send, close): an async function that sends one create and returns the id, and an async
    function that closes the client. Each client is allowed as many connections as there
    are calls in flight (aiohttp's default is 100, httpx's 100), and a 120 s timeout."""
    url = f"{base}/streams/{STREAM}/objects"
    if name == "commbox":
        import commbox

        client = commbox.AsyncClient(api_key=KEY, base_url=base, max_retries=0, timeout=120)

        async def send():
            return await client.create_sms_conversation(STREAM, PHONE, TEXT)

        return send, client.aclose
    if name == "aiohttp":
        import aiohttp

        session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=0), timeout=aiohttp.ClientTimeout(total=120)
        )

        async def send():
            async with session.post(url, data=body, headers=HEADERS) as r:
                if r.status != 200:
                    raise RuntimeError(f"HTTP {r.status}")
                return json.loads(await r.read())["data"]["id"]

        return send, session.close
    if name == "httpx":
        import httpx

        c = httpx.AsyncClient(
            limits=httpx.Limits(max_connections=None, max_keepalive_connections=None), timeout=120
        )

        async def send():
            r = await c.post(url, content=body, headers=HEADERS)
            if r.status_code != 200:
                raise RuntimeError(f"HTTP {r.status_code}")
            return r.json()["data"]["id"]

        return send, c.aclose
    if name == "commbox-threadpool":
        # The AsyncClient of commit 0894829 and before, as it was: every call runs the
        # blocking client in a pool of 16 threads (run_in_executor). The "before" row.
        import asyncio
        from concurrent.futures import ThreadPoolExecutor

        import commbox

        client = commbox.Client(api_key=KEY, base_url=base, max_retries=0, timeout=120)
        pool = ThreadPoolExecutor(max_workers=16, thread_name_prefix="commbox")

        async def send():
            return await asyncio.get_running_loop().run_in_executor(
                pool, client.create_sms_conversation, STREAM, PHONE, TEXT
            )

        async def close():
            pool.shutdown()
            client.close()

        return send, close
    raise SystemExit(f"unknown async client {name}")


def fanout(name, n, base, body):
    """N concurrent creates from one asyncio program, twice: the first fan-out opens the
    connections (cold), the second reuses them (warm). Threads and peak RSS are watched from
    outside by run.py (the same way for every client)."""
    import asyncio

    async def main():
        send, close = make_async_sender(name, base, body)

        async def once():
            t0 = time.perf_counter()
            ids = await asyncio.gather(*(send() for _ in range(n)))
            if not all(isinstance(i, int) for i in ids):
                raise SystemExit("no id in an answer")
            return time.perf_counter() - t0

        c0 = cpu()
        cold = await once()
        warm = await once()
        c1 = cpu()
        await close()
        return {"cold_s": cold, "warm_s": warm, "cpu_s": c1 - c0}

    return asyncio.run(main())


def rss_kib(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(field)


def upload(name, path, base):
    """Sends one e-mail conversation with the file attached; reports the RSS growth."""
    url = f"{base}/streams/upload/objects"
    data = json.dumps({"data": {"Type": 1, "Message": "attached", "Subject": "file"}})
    if name == "commbox":
        import commbox

        client = commbox.Client(api_key=KEY, base_url=base, max_retries=0, timeout=600)
        send = lambda: client.create_email_conversation(  # noqa: E731
            "upload", "customer@example.com", "file", "attached", attachments=[path]
        )
    elif name == "requests":
        import requests

        s = requests.Session()

        def send():
            with open(path, "rb") as f:
                r = s.post(url, data={"data": data}, files={"file": f}, headers={"Authorization": "Bearer " + KEY})
            return r.json()["data"]["id"]
    elif name == "httpx":
        import httpx

        c = httpx.Client(timeout=600)

        def send():
            with open(path, "rb") as f:
                r = c.post(url, data={"data": data}, files={"file": f}, headers={"Authorization": "Bearer " + KEY})
            return r.json()["data"]["id"]
    else:
        raise SystemExit(f"unknown client {name}")
    # Idle baseline: everything imported and built, the peak reset to the current RSS.
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    base_kib = rss_kib("VmRSS")
    ident = send()
    if ident != 67890:
        raise SystemExit(f"wrong id {ident}")
    return {"baseline_kib": base_kib, "peak_kib": rss_kib("VmHWM")}


def main():
    mode, name = sys.argv[1], sys.argv[2]
    if mode == "seq":
        body = open(sys.argv[5], "rb").read()
        out = seq(name, int(sys.argv[3]), sys.argv[4], body)
    elif mode == "threads":
        body = open(sys.argv[6], "rb").read()
        out = threads(name, int(sys.argv[3]), float(sys.argv[4]), sys.argv[5], body)
    elif mode == "upload":
        out = upload(name, sys.argv[3], sys.argv[4])
    elif mode == "fanout":
        body = open(sys.argv[5], "rb").read()
        out = fanout(name, int(sys.argv[3]), sys.argv[4], body)
    else:
        raise SystemExit(f"unknown mode {mode}")
    print(json.dumps(out))


if __name__ == "__main__":
    os.environ.pop("COMMBOX_BASE_URL", None)
    main()
