#!/usr/bin/env python3
"""Load and abuse a live onemap server, from outside, and say what it survived.

Python 3 standard library only. It starts its own servers from the release binary
(`target/release/onemap`, or `$ONEMAP_BIN`) on 127.0.0.1, each on a copy of one demo-city
store in a temporary folder, one server at a time, and kills every server it started when it
ends (also on Ctrl-C or an exception; the servers also exit when this script's pipe to their
standard input closes, so even `kill -9` of the script leaves none behind).

Cases (`--only N`, repeatable or comma-separated):
  1 heavy     several huge POST /v1/intersects at once beside /health and locate
  2 slow      slowloris header, idle connections, one address holding many connections
  3 flood     anonymous floods: 200s vs 429s, Retry-After, a dispatcher still served
  4 body      60 MB anonymous bodies: refused quickly, without being read
  5 kill      kill -9 during PUTs and a replace-import, restart, nothing acknowledged lost
  6 writes    4 planners writing at once: writes/s, latency, no lost update
  7 disk      a full disk (tmpfs; root only): degraded health, 503 writes, reads go on

Exit status: 0 when nothing was lost and the server behaved as documented; 1 when something
acknowledged was LOST, a light request took more than 2 s (unresponsive), a 5xx other than
the documented 503s (busy, time_limit, cancelled, store_unavailable) appeared, the server
panicked or did not start again; 2 when only a protection misbehaved (for example a slow
client was never cut off, a 429 without Retry-After); 3 when the run could not be set up.
"""

import argparse
import http.client
import json
import math
import os
import random
import re
import resource
import select
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

PLANNER = "abuse-planner-secret-1"
DISPATCHER = "abuse-dispatcher-secret-1"
TOKENS = f"plan:planner:{PLANNER};desk:dispatcher:{DISPATCHER}"
AUTH_PLANNER = {"Authorization": f"Bearer {PLANNER}"}
AUTH_DISPATCHER = {"Authorization": f"Bearer {DISPATCHER}"}
DOCUMENTED_503 = {"busy", "time_limit", "cancelled", "store_unavailable"}
LIGHT_LIMIT_S = 2.0  # a light request slower than this means the server became unresponsive
CASES = {1: "heavy", 2: "slow", 3: "flood", 4: "body", 5: "kill", 6: "writes", 7: "disk"}


def now():
    return time.monotonic()


def ms(seconds):
    return f"{seconds * 1e3:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


def pct(values, p):
    """The p-th percentile (nearest rank) of values."""
    if not values:
        return float("nan")
    v = sorted(values)
    return v[min(len(v) - 1, max(0, math.ceil(p / 100 * len(v)) - 1))]


def say(*lines):
    for line in lines:
        print(line, flush=True)


# ---------------------------------------------------------------------------------------------
# What the whole run found


class Run:
    """Findings shared by every case (appending to lists is atomic in CPython)."""

    def __init__(self):
        self.unexpected_5xx = []  # "where: METHOD path -> status body"
        self.non_json_errors = []
        self.slow_light = []  # light requests slower than LIGHT_LIMIT_S
        self.documented_503 = 0
        self.results = []  # CaseResult
        self.setup_error = None


RUN = Run()


class CaseResult:
    def __init__(self, number, title):
        self.number, self.title = number, title
        self.tried = []
        self.figures = []
        self.refusals = []  # expected refusals: the server protecting itself as documented
        self.failures = []  # a protection or an answer that is not as documented
        self.lost = 0
        self.lost_lines = []
        self.fatal = []  # lost, unresponsive, undocumented 5xx, panic, does not start
        self.skipped = None
        self.unfinished = False
        self.summary = ""

    def verdict(self):
        if self.unfinished:
            return "INTERRUPTED"
        if self.skipped:
            return "SKIP"
        if self.lost:
            return "LOST"
        if self.fatal or self.failures:
            return "FAILED"
        return "ok"


# ---------------------------------------------------------------------------------------------
# HTTP


class Resp:
    def __init__(self, status, headers, body, elapsed):
        self.status, self.headers, self.body, self.elapsed = status, headers, body, elapsed
        self._json = False

    def json(self):
        if self._json is False:
            try:
                self._json = json.loads(self.body)
            except ValueError:
                self._json = None
        return self._json

    def code(self):
        j = self.json()
        return j.get("error") if isinstance(j, dict) else None

    def short(self, n=240):
        text = self.body[:n].decode("utf-8", "replace")
        return f"{self.status} {text}"


def audit(resp, method, path, where):
    """Every answer passes here: undocumented 5xx and non-JSON errors are findings."""
    if resp.status >= 500:
        if resp.status == 503 and resp.code() in DOCUMENTED_503:
            RUN.documented_503 += 1
        else:
            RUN.unexpected_5xx.append(f"{where}: {method} {path} -> {resp.short(400)}")
    if resp.status >= 400 and resp.code() is None:
        RUN.non_json_errors.append(f"{where}: {method} {path} -> {resp.short(200)}")


def request(port, method, path, body=None, headers=None, timeout=30.0, source=None, where="",
            light=False):
    """One request on a new connection; raises OSError/HTTPException when there is no answer."""
    conn = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=timeout, source_address=(source, 0) if source else None)
    start = now()
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        data = r.read()
        resp = Resp(r.status, {k.lower(): v for k, v in r.getheaders()}, data, now() - start)
    finally:
        conn.close()
    audit(resp, method, path, where)
    if light and resp.elapsed > LIGHT_LIMIT_S:
        RUN.slow_light.append(f"{where}: {method} {path} took {resp.elapsed:.2f} s")
    return resp


def light_get(port, path, where, headers=None, source=None):
    """A light read that must answer within LIGHT_LIMIT_S; None (and a finding) if it did not."""
    start = now()
    try:
        return request(port, "GET", path, headers=headers, timeout=LIGHT_LIMIT_S + 8,
                       source=source, where=where, light=True)
    except (OSError, http.client.HTTPException) as e:
        RUN.slow_light.append(f"{where}: GET {path} got no answer after "
                              f"{now() - start:.2f} s ({e.__class__.__name__}: {e})")
        return None


def connect(port, source=None, timeout=5.0):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if source:
        s.bind((source, 0))
    s.settimeout(timeout)
    s.connect(("127.0.0.1", port))
    return s


def closed_by_peer(s, wait):
    """Whether the peer closed s (EOF or reset) within `wait` seconds; drains what it sent."""
    deadline = now() + wait
    while True:
        left = max(0.0, deadline - now())
        try:
            readable, _, _ = select.select([s], [], [], left)
        except (OSError, ValueError):
            return True
        if not readable:
            return False
        try:
            data = s.recv(65536)
        except BlockingIOError:
            continue
        except OSError:
            return True
        if not data:
            return True
        if now() >= deadline:
            return False


def can_bind(address):
    try:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind((address, 0))
        s.close()
        return True
    except OSError:
        return False


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# ---------------------------------------------------------------------------------------------
# Servers


SERVERS = []  # every server process this script started


class Server:
    count = 0

    def __init__(self, binary, store, workdir, seed_flags, config=None, name="server"):
        Server.count += 1
        self.binary, self.store, self.workdir = binary, store, workdir
        self.seed_flags, self.config, self.name = list(seed_flags), config, name
        self.log_path = os.path.join(workdir, f"server-{Server.count:02d}-{name}.log")
        self.proc = None
        self.port = None

    def start(self, ready_within=300.0):
        self.port = free_port()
        args = [self.binary, "serve", "--listen", f"127.0.0.1:{self.port}", "--store", self.store,
                "--tokens", TOKENS] + self.seed_flags
        if self.config:
            path = os.path.join(self.workdir, f"{self.name}-{Server.count:02d}.toml")
            with open(path, "w") as f:
                f.write(self.config)
            args += ["--config", path]
        env = dict(os.environ, ONEMAP_EXIT_WITH_STDIN="1")
        env.setdefault("RUST_LOG", "info,tower_http=warn")
        log = open(self.log_path, "ab")
        started = now()
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=log, stderr=log, env=env,
                                     cwd=self.workdir)
        log.close()
        SERVERS.append(self)
        while now() - started < ready_within:
            if self.proc.poll() is not None:
                raise ServerDidNotStart(f"{self.name} exited with {self.proc.returncode} before "
                                        f"answering /health:\n{self.log_tail()}")
            try:
                r = request(self.port, "GET", "/health", timeout=2, where=f"{self.name} start")
                if r.status == 200:
                    self.started_in = now() - started
                    return self
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.1)
        self.kill9()
        raise ServerDidNotStart(f"{self.name} did not answer /health within {ready_within:.0f} s:"
                                f"\n{self.log_tail()}")

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def kill9(self):
        if self.alive():
            try:
                os.kill(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self.proc is not None:
            self.proc.wait()
            self._close_stdin()

    def stop(self, within=15.0):
        """SIGTERM, then SIGKILL after `within` seconds; seconds it took, or None if killed."""
        if not self.alive():
            return 0.0
        start = now()
        self.proc.terminate()
        try:
            self.proc.wait(within)
            self._close_stdin()
            return now() - start
        except subprocess.TimeoutExpired:
            self.kill9()
            return None

    def _close_stdin(self):
        try:
            if self.proc.stdin:
                self.proc.stdin.close()
        except OSError:
            pass

    def log_text(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def log_tail(self, n=15):
        return "\n".join("    " + line for line in self.log_text().splitlines()[-n:])


class ServerDidNotStart(Exception):
    pass


def kill_all_servers():
    for server in SERVERS:
        try:
            server.kill9()
        except Exception:  # noqa: BLE001 - cleanup must go on
            pass


def copy_store(src, dst_dir):
    os.makedirs(dst_dir, exist_ok=True)
    dst = os.path.join(dst_dir, "city.gpkg")
    for suffix in ("", "-wal", "-shm", "-journal"):
        if os.path.exists(src + suffix):
            shutil.copyfile(src + suffix, dst + suffix)
    return dst


# ---------------------------------------------------------------------------------------------
# The demo city


class City:
    """What the cases need to know about the demo city, read from the server's own exports."""

    def __init__(self, store, counts, grids, started_in, seeded_in):
        self.store = store  # a pristine copy, closed cleanly
        self.counts = counts  # layer -> feature count
        self.grids = grids  # exported grid features
        self.started_in, self.seeded_in = started_in, seeded_in
        xs, ys = [], []
        for g in grids:
            for ring in rings(g["geometry"]):
                for x, y in ring:
                    xs.append(x)
                    ys.append(y)
        self.bbox = (min(xs), min(ys), max(xs), max(ys))
        self.center = ((self.bbox[0] + self.bbox[2]) / 2, (self.bbox[1] + self.bbox[3]) / 2)
        self.points = []  # points inside grids, checked with locate
        self.level3 = [g for g in grids if g["properties"].get("level") == 3
                       and g["geometry"]["type"] in ("Polygon", "MultiPolygon")]

    def inner_box(self, margin=0.1):
        w, s, e, n = self.bbox
        dx, dy = (e - w) * margin, (n - s) * margin
        return (w + dx, s + dy, e - dx, n - dy)


def outer_ring(geometry):
    """The outer ring of a Polygon, or of a MultiPolygon's first polygon."""
    c = geometry["coordinates"]
    return c[0] if geometry["type"] == "Polygon" else c[0][0]


def with_outer_ring(geometry, ring):
    c = json.loads(json.dumps(geometry["coordinates"]))
    if geometry["type"] == "Polygon":
        c[0] = ring
    else:
        c[0][0] = ring
    return {"type": geometry["type"], "coordinates": c}


def rings(geometry):
    if geometry["type"] == "Polygon":
        return geometry["coordinates"]
    if geometry["type"] == "MultiPolygon":
        return [r for poly in geometry["coordinates"] for r in poly]
    return []


def prepare_city(ctx):
    """Seeds the demo city into a new store once, reads what the cases need, stops cleanly."""
    folder = os.path.join(ctx.tmp, "pristine")
    os.makedirs(folder)
    store = os.path.join(folder, "city.gpkg")
    say(f"Seeding the demo city into {store} ...")
    server = Server(ctx.binary, store, folder, ctx.demo_flags, name="seed")
    started = now()
    server.start(ready_within=600)
    seeded_in = now() - started
    port = server.port
    layers = request(port, "GET", "/v1/layers", where="prepare").json()
    counts = {l["id"]: l["count"] for l in layers["layers"]}
    grids = request(port, "GET", "/v1/layers/grid.geojson", timeout=120,
                    where="prepare").json()["features"]
    city = City(store, counts, grids, None, seeded_in)
    rng = random.Random(ctx.seed)
    for g in rng.sample(city.level3, min(200, len(city.level3))):
        ring = outer_ring(g["geometry"])[:-1]
        x = sum(p[0] for p in ring) / len(ring)
        y = sum(p[1] for p in ring) / len(ring)
        r = request(port, "GET", f"/v1/locate?lng={x:.7f}&lat={y:.7f}", where="prepare")
        if r.status == 200:
            city.points.append((x, y))
        if len(city.points) >= 20:
            break
    took = server.stop()
    if took is None:
        ctx.notes.append("the seeding server did not stop within 15 s of SIGTERM (killed)")
    # How long a server takes to load this store, without seeding.
    probe = Server(ctx.binary, copy_store(store, os.path.join(ctx.tmp, "load-probe")),
                   os.path.join(ctx.tmp, "load-probe"), ctx.demo_flags, name="load")
    probe.start()
    city.started_in = probe.started_in
    probe.stop()
    shutil.rmtree(os.path.join(ctx.tmp, "load-probe"), ignore_errors=True)
    say(f"  demo city: {counts}, bbox {tuple(round(v, 3) for v in city.bbox)}",
        f"  first start with seeding {seeded_in:.1f} s; start on the seeded store "
        f"{city.started_in:.1f} s; {len(city.points)} probe points inside grids", "")
    if not city.points:
        raise RuntimeError("no locate point inside the city answered 200")
    return city


def fresh_server(ctx, name, config=None, seed_flags=None):
    folder = os.path.join(ctx.tmp, name)
    store = copy_store(ctx.city.store, folder)
    server = Server(ctx.binary, store, folder,
                    ctx.demo_flags if seed_flags is None else seed_flags, config=config, name=name)
    return server.start()


def tile_path(z, lng, lat):
    n = 2 ** z
    x = int((lng + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return f"/tiles/{z}/{x}/{y}.mvt"


def locate_path(point):
    return f"/v1/locate?lng={point[0]:.7f}&lat={point[1]:.7f}"


def square(x, y, size):
    return [[[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]]


def as_multi(coords):
    """Polygon coordinates as MultiPolygon coordinates (the server stores every area as one)."""
    return [coords] if isinstance(coords[0][0][0], (int, float)) else coords


def same_area(a, b, tol=1e-9):
    return same_coords(as_multi(a), as_multi(b), tol)


def same_coords(a, b, tol=1e-9):
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(a - b) <= tol
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return all(same_coords(x, y, tol) for x, y in zip(a, b))
    return False


# ---------------------------------------------------------------------------------------------
# Case 1: heavy polygon queries beside light reads


def heavy_ring(center, radius, n):
    cx, cy = center
    k = math.cos(math.radians(cy))
    parts = []
    for i in range(n + 1):
        a = 2 * math.pi * (i % n) / n
        # A slightly wavy circle, so no vertex is redundant.
        r = radius * (1 + 0.02 * math.sin(a * 97))
        parts.append(f"[{cx + r * math.cos(a) / k:.7f},{cy + r * math.sin(a):.7f}]")
    return ('{"type":"Polygon","coordinates":[[' + ",".join(parts) + "]]}").encode()


def case_heavy(ctx, res):
    sizes = [200_000] * 3 if ctx.quick else [400_000, 200_000] * 3
    heavy_n = len(sizes)
    vertices = "/".join(f"{v:,}" for v in sorted(set(sizes), reverse=True))
    radius = ctx.ring_radius
    config = "[limits]\nmax_vertices = 1000000\n"
    res.tried.append(
        f"{heavy_n} POST /v1/intersects at once (dispatcher token), each a {vertices}-vertex ring "
        f"of radius {radius}° around the city centre ({len_mb(max(sizes))} MB of JSON for the "
        f"largest), beside a "
        f"loop of GET /health and GET /v1/locate. Server limits: defaults except "
        f"max_vertices = 1,000,000 (the default 100,000 refuses such a ring with 422 at once)")
    server = fresh_server(ctx, "heavy", config=config)
    port = server.port
    bodies = {n: heavy_ring(ctx.city.center, radius, n) for n in set(sizes)}
    points = ctx.city.points

    # Light latencies before any heavy work, for comparison.
    quiet = []
    for i in range(30):
        path = "/health" if i % 2 == 0 else locate_path(points[i % len(points)])
        r = light_get(port, path, "case 1 baseline")
        if r is not None and r.status == 200:
            quiet.append(r.elapsed)

    if not ctx.quick:
        # One heavy query alone first: what it costs when nothing else competes.
        n = min(sizes)
        try:
            r = request(port, "POST", "/v1/intersects", body=bodies[n], timeout=180,
                        headers=dict(AUTH_DISPATCHER, **{"Content-Type": "application/json"}),
                        where="case 1 heavy alone")
            what = (f"200 in {r.elapsed:.1f} s, {len(r.json()['layers']['grid'])} grids touched"
                    if r.status == 200 else f"{r.status} {r.code()} after {r.elapsed:.1f} s")
        except (OSError, http.client.HTTPException) as e:
            what = f"no answer ({e})"
        res.figures.append(f"one {n:,}-vertex query alone: {what}")

    done = threading.Event()
    light = {"health": [], "locate": [], "bad": []}

    def light_loop():
        i = 0
        while not done.is_set():
            for kind, path in (("health", "/health"), ("locate", locate_path(points[i % len(points)]))):
                r = light_get(port, path, "case 1 light during heavy")
                if r is None:
                    light["bad"].append(f"{path}: no answer")
                elif r.status != 200:
                    light["bad"].append(f"{path}: {r.short()}")
                else:
                    light[kind].append(r.elapsed)
            i += 1
            time.sleep(0.02)

    answers = [None] * heavy_n

    def heavy(i):
        try:
            r = request(port, "POST", "/v1/intersects", body=bodies[sizes[i]], timeout=180,
                        headers=dict(AUTH_DISPATCHER, **{"Content-Type": "application/json"}),
                        where="case 1 heavy")
            grids = None
            if r.status == 200:
                grids = len(r.json()["layers"]["grid"])
            answers[i] = (sizes[i], r.status, r.code(), r.elapsed, grids, r.short(160))
        except (OSError, http.client.HTTPException) as e:
            answers[i] = (sizes[i], None, f"no answer: {e}", None, None, "")

    prober = threading.Thread(target=light_loop, daemon=True)
    prober.start()
    time.sleep(0.3)
    started = now()
    workers = [threading.Thread(target=heavy, args=(i,), daemon=True) for i in range(heavy_n)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(240)
    heavy_took = now() - started
    done.set()
    prober.join(10)
    server.stop()

    res.figures.append(f"light requests before heavy work: median {ms(statistics.median(quiet))}, "
                       f"slowest {ms(max(quiet))} ({len(quiet)} requests)")
    for kind in ("health", "locate"):
        v = light[kind]
        if v:
            res.figures.append(
                f"GET {'/health' if kind == 'health' else '/v1/locate'} while heavy work ran: "
                f"{len(v)} answered, median {ms(statistics.median(v))}, p95 {ms(pct(v, 95))}, "
                f"slowest {ms(max(v))}")
    res.figures.append(f"heavy batch took {heavy_took:.1f} s in all")
    outcome = {}
    for answer in answers:
        if answer is None:
            res.fatal.append("a heavy query was still unanswered after 240 s")
            continue
        n, status, code, elapsed, grids, text = answer
        if status == 200:
            key = "200"
            res.figures.append(f"  heavy {n:,} vertices: 200 in {elapsed:.1f} s, {grids} grids touched")
        elif status == 503 and code in ("busy", "time_limit", "cancelled"):
            key = f"503 {code}"
            res.figures.append(f"  heavy {n:,} vertices: 503 {code} after {elapsed:.1f} s")
        else:
            key = f"{status} {code}"
            res.failures.append(f"heavy query got {text or code}")
        outcome[key] = outcome.get(key, 0) + 1
    res.figures.append("heavy answers: " + ", ".join(f"{v}× {k}" for k, v in sorted(outcome.items())))
    for key, v in sorted(outcome.items()):
        if key.startswith("503"):
            res.refusals.append(f"{v} heavy queries refused with {key} (documented)")
    for bad in light["bad"][:10]:
        res.fatal.append(f"a light request failed while heavy work ran: {bad}")
    slowest = max(light["health"] + light["locate"] + [0.0])
    if slowest > LIGHT_LIMIT_S:
        res.fatal.append(f"a light request took {slowest:.2f} s while heavy work ran")
    if not light["health"] or not light["locate"]:
        res.failures.append("no light request completed while heavy work ran")
    res.summary = (f"light median {ms(statistics.median(light['health'] + light['locate'] or [0]))}, "
                   f"slowest {ms(slowest)}; heavy: "
                   + ", ".join(f"{v}×{k}" for k, v in sorted(outcome.items())))


def len_mb(vertices):
    return f"{vertices * 26 / 1e6:.0f}"


# ---------------------------------------------------------------------------------------------
# Case 2: slow and idle clients, many connections from one address


def case_slow(ctx, res):
    per_address = 256  # max_connections_per_address default
    header_timeout = 10.0  # header_timeout_s default
    extra = 8 if ctx.quick else 44
    many = per_address + extra
    sources_ok = all(can_bind(a) for a in ("127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"))
    src = (lambda a: a) if sources_ok else (lambda a: None)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < many + 200:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, many + 1024), hard))
        except (ValueError, OSError):
            many = max(per_address + 1, soft - 200)
    res.tried.append(
        f"default limits (header_timeout_s = {header_timeout:g}, max_connections_per_address = "
        f"{per_address}): a slowloris header at 1 byte/s, an idle connection, {many} connections "
        f"at once from one address, and GET /health every 0.5 s from another address throughout"
        + ("" if sources_ok else " (127.0.0.2-5 not bindable: all from 127.0.0.1)"))
    server = fresh_server(ctx, "slow")
    port = server.port
    out = {}
    stop = threading.Event()

    def slowloris():
        header = b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 200
        s = connect(port, src("127.0.0.3"))
        start, sent = now(), 0
        cut = None
        for byte in header:
            try:
                s.send(bytes([byte]))
                sent += 1
            except OSError:
                cut = now() - start
                break
            if closed_by_peer(s, 1.0):
                cut = now() - start
                break
            if now() - start > header_timeout + 25:
                break
        s.close()
        out["slowloris"] = (cut, sent)

    def idle():
        s = connect(port, src("127.0.0.4"))
        start = now()
        cut = now() - start if closed_by_peer(s, header_timeout + 25) else None
        s.close()
        out["idle"] = cut

    def crowd():
        socks, refused_connect = [], 0
        start = now()
        for _ in range(many):
            try:
                socks.append((connect(port, src("127.0.0.5"), timeout=3), now()))
            except OSError:
                refused_connect += 1
        time.sleep(0.5)
        open_socks, closed_at_once = [], 0
        for s, t in socks:
            if closed_by_peer(s, 0.0):
                closed_at_once += 1
                s.close()
            else:
                open_socks.append((s, t))
        # While they are held: the same address is refused, another is served.
        same = "answered"
        try:
            s = connect(port, src("127.0.0.5"))
            s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            s.settimeout(3)
            data = s.recv(100)
            same = "answered " + data[:12].decode("latin1") if data else "closed unanswered"
            s.close()
        except OSError as e:
            same = f"closed unanswered ({e.__class__.__name__})"
        other = light_get(port, "/health", "case 2 other address while one is full",
                          source=src("127.0.0.2")) if sources_ok else None
        # How long until the held (idle) ones are cut off.
        cut_times = []
        deadline = now() + header_timeout + 25
        pending = list(open_socks)
        while pending and now() < deadline:
            still = []
            for s, t in pending:
                if closed_by_peer(s, 0.0):
                    cut_times.append(now() - t)
                    s.close()
                else:
                    still.append((s, t))
            pending = still
            time.sleep(0.1)
        for s, _ in pending:
            s.close()
        # Once they are gone, the address is served again.
        again, t0 = None, now()
        while now() - t0 < 10:
            try:
                r = request(port, "GET", "/health", timeout=2, source=src("127.0.0.5"),
                            where="case 2 address served again")
                if r.status == 200:
                    again = now() - t0
                    break
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.2)
        out["crowd"] = dict(opened=len(socks), refused_connect=refused_connect,
                            closed_at_once=closed_at_once, held=len(open_socks), same=same,
                            other=other, cut_times=cut_times, never_cut=len(pending), again=again,
                            took=now() - start)

    health = []

    def prober():
        while not stop.is_set():
            r = light_get(port, "/health", "case 2 health beside slow clients",
                          source=src("127.0.0.2"))
            health.append(r.elapsed if r is not None and r.status == 200 else None)
            stop.wait(0.5)

    # With other loopback addresses all run at once; without, the crowd (which takes every
    # slot of 127.0.0.1) runs alone after the others.
    together = (slowloris, idle, crowd) if sources_ok else (slowloris, idle)
    threads = [threading.Thread(target=f, daemon=True) for f in together]
    probe = threading.Thread(target=prober, daemon=True)
    probe.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join(header_timeout + 60)
    stop.set()
    probe.join(5)
    if not sources_ok:
        crowd()
    server.stop()

    cut, sent = out.get("slowloris", (None, 0))
    if cut is None:
        res.failures.append(f"the slowloris connection was never cut off ({sent} bytes sent)")
    else:
        res.figures.append(f"slowloris (1 byte/s) cut off after {cut:.1f} s, {sent} header bytes sent")
        res.refusals.append("slowloris closed at the header deadline")
        if cut > header_timeout + 5:
            res.failures.append(f"slowloris cut off only after {cut:.1f} s (header_timeout_s "
                                f"{header_timeout:g})")
    idle_cut = out.get("idle")
    if idle_cut is None:
        res.failures.append("the idle connection was never cut off")
    else:
        res.figures.append(f"idle connection (sent nothing) cut off after {idle_cut:.1f} s")
        res.refusals.append("idle connection closed")
    c = out.get("crowd")
    if c is None:
        res.failures.append("the many-connections test did not finish")
    else:
        res.figures.append(
            f"{c['opened']} connections from one address: {c['held']} held, "
            f"{c['closed_at_once']} closed at once unanswered"
            + (f", {c['refused_connect']} could not connect" if c["refused_connect"] else ""))
        if c["closed_at_once"]:
            res.refusals.append(f"{c['closed_at_once']} connections over the per-address cap closed")
        if c["held"] > per_address:
            res.failures.append(f"{c['held']} connections held from one address, over the cap of "
                                f"{per_address}")
        res.figures.append(f"a new request from that address while they were held: {c['same']}")
        other = c["other"]
        if sources_ok:
            res.figures.append(
                "GET /health from another address meanwhile: "
                + (f"{other.status} in {ms(other.elapsed)}" if other is not None else "NO ANSWER"))
        if c["cut_times"]:
            res.figures.append(f"held idle connections cut off after {min(c['cut_times']):.1f}–"
                               f"{max(c['cut_times']):.1f} s")
        if c["never_cut"]:
            res.failures.append(f"{c['never_cut']} held connections were never cut off")
        if c["again"] is None:
            res.fatal.append("the crowded address was not served again within 10 s")
        else:
            res.figures.append(f"the address was served again {c['again']:.1f} s after they went")
    ok = [h for h in health if h is not None]
    res.figures.append(f"GET /health from another address throughout: {len(ok)}/{len(health)} "
                       f"answered 200, slowest {ms(max(ok or [0]))}")
    if len(ok) != len(health) or not ok:
        res.fatal.append(f"/health did not always answer beside the slow clients "
                         f"({len(health) - len(ok)} of {len(health)} failed)")
    res.summary = (f"slowloris cut {('%.1f s' % cut) if cut else 'NEVER'}, idle cut "
                   f"{('%.1f s' % idle_cut) if idle_cut else 'NEVER'}, "
                   + (f"{c['closed_at_once']}/{c['opened']} over the cap refused, " if c else "")
                   + f"health slowest {ms(max(ok or [0]))}")


# ---------------------------------------------------------------------------------------------
# Case 3: floods


def case_flood(ctx, res):
    threads_n = 3 if ctx.quick else 4
    seconds = 3.0 if ctx.quick else 5.0
    res.tried.append(
        f"{threads_n} threads sending anonymous GET /health and GET /v1/locate back to back on "
        f"keep-alive connections for {seconds:g} s (default public_requests_per_s = 200, burst "
        f"400), and a dispatcher-token locate every 0.1 s beside them")
    server = fresh_server(ctx, "flood")
    port = server.port
    points = ctx.city.points
    stop = threading.Event()
    lock = threading.Lock()
    tally = {"200": 0, "429": 0, "other": 0, "bad429": [], "others": [], "errors": 0,
             "retry_after": set()}

    def flooder(k):
        conn = None
        i = 0
        while not stop.is_set():
            path = "/health" if i % 2 == 0 else locate_path(points[(i + k) % len(points)])
            i += 1
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                start = now()
                conn.request("GET", path)
                r = conn.getresponse()
                data = r.read()
                resp = Resp(r.status, {a.lower(): b for a, b in r.getheaders()}, data, now() - start)
                if r.getheader("connection", "").lower() == "close":
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException):
                with lock:
                    tally["errors"] += 1
                if conn:
                    conn.close()
                conn = None
                continue
            audit(resp, "GET", path, "case 3 flood")
            with lock:
                if resp.status == 200:
                    tally["200"] += 1
                elif resp.status == 429:
                    tally["429"] += 1
                    ra = resp.headers.get("retry-after")
                    tally["retry_after"].add(ra)
                    if ra is None or not ra.isdigit() or resp.code() != "rate_limited":
                        tally["bad429"].append(f"Retry-After {ra!r}, body {resp.short(120)}")
                else:
                    tally["other"] += 1
                    tally["others"].append(resp.short(120))
        if conn:
            conn.close()

    desk = []

    def dispatcher():
        i = 0
        while not stop.is_set():
            r = light_get(port, locate_path(points[i % len(points)]), "case 3 dispatcher in flood",
                          headers=AUTH_DISPATCHER)
            desk.append((r.status, r.elapsed) if r is not None else (None, None))
            i += 1
            stop.wait(0.1)

    workers = [threading.Thread(target=flooder, args=(k,), daemon=True) for k in range(threads_n)]
    desk_t = threading.Thread(target=dispatcher, daemon=True)
    start = now()
    for w in workers:
        w.start()
    desk_t.start()
    time.sleep(seconds)
    stop.set()
    for w in workers:
        w.join(15)
    desk_t.join(15)
    took = now() - start
    # The anonymous caller is served again once its budget refills.
    again = None
    t0 = now()
    while now() - t0 < 10:
        r = light_get(port, "/health", "case 3 after the flood")
        if r is not None and r.status == 200:
            again = now() - t0
            break
        time.sleep(0.25)
    server.stop()

    total = tally["200"] + tally["429"] + tally["other"]
    res.figures.append(f"{total:,} anonymous requests in {took:.1f} s ({total / took:,.0f}/s): "
                       f"{tally['200']:,}× 200 ({tally['200'] / took:,.0f}/s), {tally['429']:,}× 429, "
                       f"{tally['other']}× other, {tally['errors']} connection errors")
    res.figures.append("Retry-After values seen: " + ", ".join(sorted(str(v) for v in tally["retry_after"])))
    if tally["429"]:
        res.refusals.append(f"{tally['429']:,} anonymous requests refused with 429 rate_limited")
    else:
        res.failures.append("the flood never got a 429: the public rate limit did not bite")
    for bad in tally["bad429"][:5]:
        res.failures.append(f"a 429 without Retry-After or a JSON rate_limited body: {bad}")
    if len(tally["bad429"]) > 5:
        res.failures.append(f"... {len(tally['bad429']) - 5} more such 429s")
    for other in tally["others"][:5]:
        res.failures.append(f"flood request got {other}")
    ok = [e for s, e in desk if s == 200]
    res.figures.append(f"dispatcher locates during the flood: {len(ok)}/{len(desk)} answered 200, "
                       f"median {ms(statistics.median(ok or [0]))}, slowest {ms(max(ok or [0]))}")
    if len(ok) != len(desk) or not desk:
        bad = [s for s, _ in desk if s != 200]
        res.fatal.append(f"dispatcher locates failed during the flood: {bad[:10]}")
    res.figures.append("anonymous /health after the flood: "
                       + (f"200 after {again:.1f} s" if again is not None else "NOT served within 10 s"))
    if again is None:
        res.failures.append("the flooding address was not served again within 10 s")
    res.summary = (f"{total / took:,.0f} req/s: {tally['200']:,}×200, {tally['429']:,}×429 "
                   f"({len(tally['bad429'])} malformed); dispatcher {len(ok)}/{len(desk)} ok, "
                   f"slowest {ms(max(ok or [0]))}")


# ---------------------------------------------------------------------------------------------
# Case 4: big anonymous bodies


def send_big(port, method, path, total, headers="", chunked=False, limit_s=60.0):
    """Streams a body of `total` bytes while watching for an early answer. Returns
    (status, error code, seconds to the answer or None, body bytes sent by then, note)."""
    s = connect(port, timeout=10)
    head = (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"{headers}"
            + ("Transfer-Encoding: chunked\r\n" if chunked else f"Content-Length: {total}\r\n")
            + "\r\n")
    s.sendall(head.encode())
    s.setblocking(False)
    piece = b"[" + b" " * (256 * 1024 - 1)
    start = now()
    sent = 0  # body bytes handed to the kernel
    out = b""  # framed bytes waiting to go
    trailer = not chunked  # whether the chunked terminator is queued (or not needed)
    done_sending = False
    answer, answered_at, note = b"", None, ""

    def read_some():
        nonlocal answer, answered_at, note
        try:
            data = s.recv(65536)
        except BlockingIOError:
            return True
        except OSError as e:
            note = f"reset ({e.__class__.__name__})"
            return False
        if not data:
            note = note or "closed by the server"
            return False
        if answered_at is None:
            answered_at = now() - start
        answer += data
        return b"\r\n\r\n" not in answer

    while now() - start < limit_s:
        readable, writable, _ = select.select([s], [] if done_sending else [s], [], 0.5)
        if readable and not read_some():
            break
        if not writable:
            continue
        if not out:
            if sent < total:
                n = min(len(piece), total - sent)
                out = (f"{n:x}\r\n".encode() + piece[:n] + b"\r\n") if chunked else piece[:n]
                sent += n
            elif not trailer:
                out, trailer = b"0\r\n\r\n", True
            else:
                done_sending = True
                continue
        try:
            out = out[s.send(out):]
        except BlockingIOError:
            pass
        except OSError as e:
            note = f"sending stopped: {e.__class__.__name__}"
            s.setblocking(True)
            s.settimeout(2)
            try:
                data = s.recv(65536)
                if data:
                    answered_at = answered_at if answered_at is not None else now() - start
                    answer += data
            except OSError:
                pass
            break
    # The rest of the answer: headers and a small JSON body.
    s.setblocking(True)
    s.settimeout(2)
    try:
        while len(answer) < 65536:
            head_end = answer.find(b"\r\n\r\n")
            if head_end >= 0:
                length = 0
                for line in answer[:head_end].split(b"\r\n")[1:]:
                    k, _, v = line.partition(b":")
                    if k.strip().lower() == b"content-length":
                        length = int(v.strip() or 0)
                if len(answer) >= head_end + 4 + length:
                    break
            data = s.recv(65536)
            if not data:
                break
            answer += data
    except OSError:
        pass
    s.close()
    status, code = None, None
    if answer.startswith(b"HTTP/"):
        status = int(answer.split(b" ", 2)[1])
        body = answer.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in answer else b""
        try:
            code = json.loads(body).get("error")
        except (ValueError, AttributeError):
            code = None
        if status >= 500 and not (status == 503 and code in DOCUMENTED_503):
            RUN.unexpected_5xx.append(f"case 4: {method} {path} -> {answer[:300]!r}")
        if status >= 400 and code is None:
            RUN.non_json_errors.append(f"case 4: {method} {path} -> {answer[:200]!r}")
    return status, code, answered_at, sent, note


def case_body(ctx, res):
    total = (20 if ctx.quick else 60) << 20
    res.tried.append(
        f"{total >> 20} MB bodies streamed by clients that watch for an early answer: anonymous "
        f"to write routes, with an unknown token, and anonymous to a read route that takes a "
        f"body (public_max_body_mb = 8), with Content-Length and chunked")
    server = fresh_server(ctx, "body")
    port = server.port
    tries = [
        ("POST", "/v1/layers/grid/import", "", False, {401, 403}, "anonymous import"),
        ("PUT", "/v1/layers/grid/features/abuse-big", "", False, {401, 403}, "anonymous PUT"),
        ("POST", "/v1/layers/grid/import?mode=replace", "", True, {401, 403},
         "anonymous replace-import, chunked"),
        ("POST", "/v1/layers/grid/import", "Authorization: Bearer not-a-known-token-123\r\n",
         False, {401}, "import with an unknown token"),
        ("POST", "/v1/intersects", "", False, {413}, "anonymous /v1/intersects, Content-Length"),
        ("POST", "/v1/locate", "", True, {413}, "anonymous batch locate, chunked"),
    ]
    worst = 0.0
    for method, path, headers, chunked, expect, label in tries:
        status, code, at, sent, note = send_big(port, method, path, total, headers, chunked)
        line = (f"{label}: {status} {code} after {ms(at) if at is not None else '-'}, "
                f"{sent / 2**20:.1f} of {total >> 20} MB sent by then" + (f" ({note})" if note else ""))
        res.figures.append(line)
        if status in {401, 403, 413}:
            res.refusals.append(f"{label}: {status} {code}")
            if status not in expect:
                res.failures.append(f"{label}: {status} {code}, documented is {sorted(expect)}")
        else:
            res.failures.append(f"{label}: not refused as documented ({status} {code}, {note})")
        if at is None or at > 5:
            res.failures.append(f"{label}: no quick answer ({at})")
        if sent >= total and at is not None:
            res.failures.append(f"{label}: the server let the client send the whole body first")
        worst = max(worst, at or 99)
    r = light_get(port, "/health", "case 4 after big bodies")
    res.figures.append(f"GET /health afterwards: {r.status if r else 'NO ANSWER'}")
    if r is None or r.status != 200:
        res.fatal.append("the server did not answer /health after the big bodies")
    server.stop()
    res.summary = f"all refused, slowest answer {ms(worst)}" if not res.failures else \
        f"{len(res.failures)} problem(s), slowest answer {ms(worst)}"


# ---------------------------------------------------------------------------------------------
# Case 5: kill -9 during writes and imports


OUR_CAMERA = re.compile(r"^r\d+i\d+-\d+$")


def camera_collection(prefix, count, box, rng):
    w, s, e, n = box
    parts = []
    for i in range(count):
        x, y = rng.uniform(w, e), rng.uniform(s, n)
        parts.append('{"type":"Feature","id":"%s-%d","properties":{"name":"abuse cam %d",'
                     '"kind":"abuse"},"geometry":{"type":"Point","coordinates":[%.7f,%.7f]}}'
                     % (prefix, i, i, x, y))
    return ('{"type":"FeatureCollection","features":[' + ",".join(parts) + "]}").encode()


def case_kill(ctx, res):
    rounds = ctx.rounds or (3 if ctx.quick else 8)
    writers = 2 if ctx.quick else 4
    cams = 10_000 if ctx.quick else 20_000
    rng = random.Random(ctx.seed + 5)
    box = ctx.city.inner_box()
    res.tried.append(
        f"{rounds} rounds: {writers} planners PUT new small grid squares back to back while a "
        f"loop replace-imports the camera layer ({cams:,}–{cams + 4 * 500:,} cameras each), then "
        f"kill -9 at a random moment (seed {ctx.seed}), restart on the same store and check "
        f"every acknowledged write and the camera layer")
    folder = os.path.join(ctx.tmp, "kill")
    store = copy_store(ctx.city.store, folder)
    server = Server(ctx.binary, store, folder, ctx.demo_flags, name="kill-0").start()
    base_grids = ctx.city.counts["grid"]
    # Camera layer states: prefix -> size; None is the demo city's own cameras.
    camera_sizes = {None: ctx.city.counts["camera"]}
    state = None  # the camera set the store holds, as far as acknowledged
    acked = {}  # id -> coordinates of every acknowledged PUT, all rounds
    settled = {}  # unanswered at a kill, found stored after the restart: must stay
    vanished = set()  # unanswered at a kill, found absent after the restart
    totals = {"acked": 0, "inflight": 0, "inflight_present": 0, "refused": 0, "imports_acked": 0,
              "imports_inflight": 0, "lost": 0, "half": 0, "restart": []}
    for k in range(1, rounds + 1):
        port = server.port
        stop = threading.Event()
        lock = threading.Lock()
        inflight = {}  # id -> coordinates, sent but not answered
        refused = []
        imports = {"acked": [], "inflight": None, "count": 0, "times": []}
        seq = [0]

        def writer(w):
            while not stop.is_set():
                with lock:
                    seq[0] += 1
                    fid = f"k{k}w{w}n{seq[0]}"
                x, y = rng.uniform(box[0], box[2]), rng.uniform(box[1], box[3])
                coords = square(round(x, 6), round(y, 6), 0.002)
                body = json.dumps({"type": "Feature", "id": fid,
                                   "properties": {"name": f"abuse {fid}", "level": 4},
                                   "geometry": {"type": "Polygon", "coordinates": coords}})
                with lock:
                    inflight[fid] = coords
                try:
                    r = request(port, "PUT", f"/v1/layers/grid/features/{fid}", body=body,
                                headers=dict(AUTH_PLANNER, **{"Content-Type": "application/json"}),
                                timeout=60, where="case 5 PUT")
                except (OSError, http.client.HTTPException):
                    return  # the server is gone: this one stays in flight
                with lock:
                    del inflight[fid]
                    if r.status in (200, 201):
                        acked[fid] = coords
                        totals["acked"] += 1
                    else:
                        refused.append(r.short(160))

        def importer():
            j = 0
            # Pauses before and between imports let PUTs commit on their own too, so kills
            # also fall between imports.
            while not stop.wait(rng.uniform(0.2, 1.2)):
                j += 1
                prefix = f"r{k}i{j}"
                size = cams + 500 * (j % 5)
                body = camera_collection(prefix, size, box, rng)
                camera_sizes[prefix] = size
                imports["inflight"] = prefix
                start = now()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                try:
                    conn.putrequest("POST", "/v1/layers/camera/import?mode=replace")
                    conn.putheader("Authorization", f"Bearer {PLANNER}")
                    conn.putheader("Content-Type", "application/json")
                    conn.putheader("Content-Length", str(len(body)))
                    conn.endheaders()
                    conn.send(body)
                    imports["count"] += 1
                    r = conn.getresponse()
                    data = r.read()
                    resp = Resp(r.status, {}, data, now() - start)
                    audit(resp, "POST", "/v1/layers/camera/import?mode=replace", "case 5 import")
                except (OSError, http.client.HTTPException):
                    return
                finally:
                    conn.close()
                imports["inflight"] = None
                if resp.status == 200:
                    imports["acked"].append(prefix)
                    imports["times"].append(resp.elapsed)
                else:
                    refused.append("import: " + resp.short(160))

        threads = [threading.Thread(target=writer, args=(w,), daemon=True) for w in range(writers)]
        threads.append(threading.Thread(target=importer, daemon=True))
        for t in threads:
            t.start()
        # Kill at a random moment: either some time into the load, or just after an import body
        # went in (so the kill falls while the server parses, commits or applies it).
        if k % 2 == 1:
            target = rng.choice((1, 2))
            t0 = now()
            while imports["count"] < target and now() - t0 < 30:
                time.sleep(0.005)
            avg = statistics.mean(ctx.import_times) if ctx.import_times else 1.5
            delay = rng.uniform(0.0, avg * 1.2)
            how = f"{ms(delay)} after import {imports['count']}'s body was sent"
            time.sleep(delay)
        else:
            delay = rng.uniform(1.0, 8.0)
            how = f"{ms(delay)} into the load"
            time.sleep(delay)
        server.kill9()
        stop.set()
        for t in threads:
            t.join(10)
        ctx.import_times.extend(imports["times"])
        in_flight_import = imports["inflight"]
        # Restart on the same store.
        try:
            server = Server(ctx.binary, store, folder, ctx.demo_flags, name=f"kill-{k}").start(
                ready_within=300)
        except ServerDidNotStart as e:
            res.fatal.append(f"round {k}: the server did not start again after kill -9: {e}")
            break
        totals["restart"].append(server.started_in)
        port = server.port
        health = request(port, "GET", "/health", where="case 5 after restart").json()
        if health.get("status") != "ok":
            res.failures.append(f"round {k}: /health after restart says {health}")
        grids = request(port, "GET", "/v1/layers/grid.geojson", timeout=120,
                        where="case 5 check").json()["features"]
        ours = {g["id"]: g["geometry"]["coordinates"] for g in grids
                if str(g["id"]).startswith("k")}
        lost_now = []
        for fid, coords in acked.items():
            got = ours.get(fid)
            if got is None:
                lost_now.append(f"{fid}: acknowledged, missing after the restart")
            elif not same_area(got, coords):
                lost_now.append(f"{fid}: acknowledged with {coords}, holds {got}")
        # Writes unanswered at an earlier kill but found stored then must stay stored.
        for fid, coords in settled.items():
            got = ours.get(fid)
            if got is None or not same_area(got, coords):
                lost_now.append(f"{fid}: stored after an earlier restart, now "
                                f"{'missing' if got is None else 'changed'}")
        present = 0
        for fid, coords in inflight.items():
            if fid in ours:
                present += 1
                settled[fid] = coords
                if not same_area(ours[fid], coords):
                    res.fatal.append(f"round {k}: {fid} (in flight at the kill) is stored with "
                                     f"other coordinates: {ours[fid]}")
            else:
                vanished.add(fid)
        # Everything of ours present was acknowledged or in flight at a kill, and nothing found
        # absent after one restart comes back after another.
        unknown = set(ours) - set(acked) - set(settled)
        for fid in sorted(unknown)[:5]:
            res.fatal.append(f"round {k}: {fid} is stored but was never acknowledged or in flight"
                             + (" (it was absent after an earlier restart)" if fid in vanished else ""))
        expected_grids = base_grids + len(ours)
        if len(grids) != expected_grids:
            res.failures.append(f"round {k}: {len(grids)} grids, expected {expected_grids}")
        # The camera layer: exactly one whole set, no older than the last acknowledged import.
        cameras = request(port, "GET", "/v1/layers/camera.geojson", timeout=120,
                          where="case 5 check").json()["features"]
        prefixes = {}
        for c in cameras:
            cid = str(c["id"])
            p = cid.rsplit("-", 1)[0] if OUR_CAMERA.match(cid) else None
            prefixes[p] = prefixes.get(p, 0) + 1
        half = None
        if len(prefixes) != 1:
            half = f"cameras from {len(prefixes)} imports at once: {dict(list(prefixes.items())[:4])}"
        else:
            (found, n), = prefixes.items()
            if n != camera_sizes.get(found):
                half = f"{n} cameras of set {found}, which has {camera_sizes.get(found)}"
        if half:
            totals["half"] += 1
            res.fatal.append(f"round {k}: import HALF-APPLIED: {half}")
            found = None
        else:
            (found, _), = prefixes.items()
        last_acked = imports["acked"][-1] if imports["acked"] else None
        import_note = f"camera layer is {'the demo set' if found is None else found}"
        if not half:
            order = [state] + imports["acked"] + ([in_flight_import] if in_flight_import else [])
            if found not in order:
                res.fatal.append(f"round {k}: camera layer holds {found}, expected one of {order}")
            elif last_acked and order.index(found) < order.index(last_acked):
                lost_now.append(f"acknowledged import {last_acked} rolled back to {found}")
            state = found
        totals["imports_acked"] += len(imports["acked"])
        totals["imports_inflight"] += 1 if in_flight_import else 0
        totals["inflight"] += len(inflight)
        totals["inflight_present"] += present
        totals["refused"] += len(refused)
        unexpected = [r for r in refused if not r.startswith(("503", "429", "import: 503"))]
        for line in unexpected[:3]:
            res.failures.append(f"round {k}: a write was refused: {line}")
        if len(unexpected) > 3:
            res.failures.append(f"round {k}: ... and {len(unexpected) - 3} more refused writes")
        totals["lost"] += len(lost_now)
        res.lost_lines += [f"round {k}: {line}" for line in lost_now]
        res.figures.append(
            f"round {k}: killed {how}; {sum(1 for f in acked if f.startswith(f'k{k}w'))} PUTs "
            f"acknowledged, {len(inflight)} in flight ({present} of them stored), "
            f"{len(imports['acked'])} imports acknowledged, "
            f"{'one in flight (' + in_flight_import + ')' if in_flight_import else 'none in flight'}; "
            f"{import_note}; restarted in {server.started_in:.1f} s; lost {len(lost_now)}")
    server.stop()
    res.lost = totals["lost"]
    res.figures.append(
        f"in all: {totals['acked']} PUTs acknowledged, {totals['lost']} lost; "
        f"{totals['inflight']} unanswered at the kill ({totals['inflight_present']} stored, "
        f"{totals['inflight'] - totals['inflight_present']} not: both are allowed); "
        f"{totals['imports_acked']} imports acknowledged, {totals['imports_inflight']} killed in "
        f"flight, {totals['half']} half-applied; restart "
        + (f"{min(totals['restart']):.1f}–{max(totals['restart']):.1f} s" if totals["restart"] else "-"))
    if ctx.import_times:
        res.figures.append(f"a {cams:,}-camera replace-import took {ms(min(ctx.import_times))}–"
                           f"{ms(max(ctx.import_times))} when not killed")
    res.summary = (f"{len(totals['restart'])} kills; {totals['acked']} PUTs acked, "
                   f"{totals['lost']} lost; {totals['imports_acked']} imports acked, "
                   f"{totals['half']} half-applied")


# ---------------------------------------------------------------------------------------------
# Case 6: concurrent planners


def reshaped(ring, n):
    """Vertex 1 pulled towards the middle of vertices 0 and 2 by 1 % per edit (cycling)."""
    t = 0.01 * (n % 50)
    ring = [list(p) for p in ring]
    a, b = ring[0], ring[2]
    mid = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2]
    ring[1] = [ring[1][0] + (mid[0] - ring[1][0]) * t, ring[1][1] + (mid[1] - ring[1][1]) * t]
    return ring


def case_writes(ctx, res):
    planners = 4
    seconds = 5.0 if ctx.quick else 10.0
    level3 = ctx.city.level3
    step = max(1, len(level3) // planners)
    chosen = [level3[i * step] for i in range(planners)]
    res.tried.append(
        f"{planners} planners, each reshaping its own grid ({', '.join(g['id'] for g in chosen)}) "
        f"with PUT + If-Match back to back for {seconds:g} s; then each grid's ETag and geometry "
        f"against its last acknowledged write")
    server = fresh_server(ctx, "writes")
    port = server.port
    stop = threading.Event()
    results = [None] * planners

    def planner(i):
        g = chosen[i]
        path = f"/v1/layers/grid/features/{g['id']}"
        r = request(port, "GET", path, where="case 6")
        feature = r.json()
        etag = r.headers.get("etag")
        ring0 = outer_ring(feature["geometry"])
        latencies, busy, conflicts, other = [], 0, [], []
        last = None
        n = 0
        while not stop.is_set():
            n += 1
            ring = reshaped(ring0, n)
            body = dict(feature)
            body["geometry"] = with_outer_ring(feature["geometry"], ring)
            try:
                r = request(port, "PUT", path, body=json.dumps(body), timeout=60,
                            headers=dict(AUTH_PLANNER, **{"If-Match": etag,
                                                          "Content-Type": "application/json"}),
                            where="case 6 PUT")
            except (OSError, http.client.HTTPException) as e:
                other.append(f"no answer: {e}")
                break
            if r.status == 200:
                latencies.append(r.elapsed)
                etag = r.headers.get("etag")
                last = (etag, ring)
            elif r.status == 503 and r.code() == "busy":
                busy += 1
                time.sleep(0.05)
            elif r.status == 412:
                conflicts.append(r.short(200))
                g2 = request(port, "GET", path, where="case 6 resync")
                etag = g2.headers.get("etag")
            else:
                other.append(r.short(200))
                time.sleep(0.05)
        results[i] = dict(latencies=latencies, busy=busy, conflicts=conflicts, other=other,
                          last=last, path=path)

    # One planner alone first, on a grid of its own: what a PUT costs without company.
    alone = []
    solo = level3[min(len(level3) - 1, planners * step + step // 2)]
    spath = f"/v1/layers/grid/features/{solo['id']}"
    r = request(port, "GET", spath, where="case 6 alone")
    sfeature, setag = r.json(), r.headers.get("etag")
    for n in range(1, 6):
        body = dict(sfeature)
        body["geometry"] = with_outer_ring(sfeature["geometry"], reshaped(outer_ring(sfeature["geometry"]), n))
        r = request(port, "PUT", spath, body=json.dumps(body), timeout=60,
                    headers=dict(AUTH_PLANNER, **{"If-Match": setag, "Content-Type": "application/json"}),
                    where="case 6 alone")
        if r.status != 200:
            res.failures.append(f"a PUT by one planner alone got {r.short()}")
            break
        setag = r.headers.get("etag")
        alone.append(r.elapsed)
    if alone:
        res.figures.append(f"one planner alone, {len(alone)} PUTs in turn: median "
                           f"{ms(statistics.median(alone))}, slowest {ms(max(alone))} "
                           f"({1 / statistics.mean(alone):.1f} writes/s)")

    threads = [threading.Thread(target=planner, args=(i,), daemon=True) for i in range(planners)]
    start = now()
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join(60)
    took = now() - start
    lost = []
    for i, r in enumerate(results):
        if r is None:
            res.fatal.append(f"planner {i} did not finish")
            continue
        if r["last"] is None:
            continue
        g = request(port, "GET", r["path"], where="case 6 check")
        etag, ring = r["last"]
        if g.status != 200:
            lost.append(f"{r['path']}: {g.short()}")
        elif g.headers.get("etag") != etag:
            lost.append(f"{r['path']}: ETag {g.headers.get('etag')}, last acknowledged {etag}")
        elif not same_coords(outer_ring(g.json()["geometry"]), ring):
            lost.append(f"{r['path']}: geometry differs from the last acknowledged write")
    server.stop()
    lat = [x for r in results if r for x in r["latencies"]]
    busy = sum(r["busy"] for r in results if r)
    conflicts = [c for r in results if r for c in r["conflicts"]]
    other = [c for r in results if r for c in r["other"]]
    rate = len(lat) / took
    res.figures.append(
        f"{len(lat)} acknowledged writes in {took:.1f} s: {rate:.1f} writes/s; PUT median "
        f"{ms(statistics.median(lat or [0]))}, p95 {ms(pct(lat, 95))}, slowest {ms(max(lat or [0]))}")
    res.figures.append("per planner: " + ", ".join(
        f"{len(r['latencies'])}" for r in results if r) + " writes")
    target = rate >= 20 and statistics.median(lat or [9]) <= 0.2
    res.figures.append(f"target (≥ 20 writes/s, median ≤ 200 ms): "
                       f"{'met' if target else 'NOT met'} (reported, not asserted)")
    if busy:
        res.refusals.append(f"{busy} PUTs refused with 503 busy (retried)")
    for c in conflicts[:5]:
        res.fatal.append(f"a planner alone on its grid got 412 (its acknowledged version was "
                         f"not the current one): {c}")
    for o in other[:5]:
        res.failures.append(f"PUT got {o}")
    res.lost = len(lost)
    res.lost_lines += lost
    res.summary = (f"{rate:.1f} writes/s, median {ms(statistics.median(lat or [0]))}, "
                   f"p95 {ms(pct(lat, 95))}; {len(lost)} lost updates")


# ---------------------------------------------------------------------------------------------
# Case 7: a full disk


def case_disk(ctx, res):
    if os.geteuid() != 0:
        res.skipped = "not root: mounting a small tmpfs needs root"
        return
    if not shutil.which("mount") or not shutil.which("umount"):
        res.skipped = "mount/umount not found"
        return
    disk = os.path.join(ctx.tmp, "disk")
    os.makedirs(disk)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", disk],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        res.skipped = f"mount -t tmpfs failed: {mounted.stderr.strip()}"
        return
    server = None
    try:
        res.tried.append("a 24 MB tmpfs holding a small store (25 grids; the demo city does not "
                         "fit), filled with a filler file; then health, a PUT and reads; then the "
                         "filler removed, a PUT, health; then a restart on that store")
        store = os.path.join(disk, "city.gpkg")
        server = Server(ctx.binary, store, ctx.tmp, ctx.empty_flags,
                        name="disk").start()
        port = server.port
        cx, cy = ctx.city.center
        feats = []
        for i in range(5):
            for j in range(5):
                feats.append({"type": "Feature", "id": f"d{i}{j}", "properties": {"name": f"盘{i}{j}"},
                              "geometry": {"type": "Polygon",
                                           "coordinates": square(cx + i * 0.01, cy + j * 0.01, 0.01)}})
        r = request(port, "POST", "/v1/layers/grid/import", timeout=60,
                    body=json.dumps({"type": "FeatureCollection", "features": feats}),
                    headers=dict(AUTH_PLANNER, **{"Content-Type": "application/json"}),
                    where="case 7 import")
        if r.status != 200:
            res.failures.append(f"importing the small city failed: {r.short()}")
            return
        h = request(port, "GET", "/health", where="case 7").json()
        res.figures.append(f"health before: {h.get('status')}/{h.get('store')}")

        def put(fid, x):
            body = json.dumps({"type": "Feature", "id": fid, "properties": {"name": "新网格"},
                               "geometry": {"type": "Polygon",
                                            "coordinates": square(x, cy - 0.02, 0.01)}})
            return request(port, "PUT", f"/v1/layers/grid/features/{fid}", body=body,
                           headers=dict(AUTH_PLANNER, **{"Content-Type": "application/json"}),
                           where="case 7 PUT", timeout=30)

        filler = os.path.join(disk, "filler")
        block = b"\7" * (64 << 10)
        with open(filler, "wb") as f:
            try:
                while True:
                    f.write(block)
                    f.flush()
            except OSError:
                pass
        st = os.statvfs(disk)
        res.figures.append(f"disk filled: {st.f_bavail * st.f_frsize >> 10} KB left")
        h = full_health = request(port, "GET", "/health", where="case 7 full").json()
        res.figures.append(f"health with the disk full: {h.get('status')}/{h.get('store')}"
                           + (f" ({h.get('reason')})" if h.get("reason") else ""))
        if (h.get("status"), h.get("store")) != ("degraded", "unwritable"):
            res.failures.append(f"/health on a full disk says {h}")
        r = put("dnew", cx)
        full_put = f"{r.status} {r.code() or ''}".strip()
        res.figures.append(f"PUT with the disk full: {r.short(120)}")
        if r.status == 503 and r.code() == "store_unavailable":
            res.refusals.append("PUT refused with 503 store_unavailable on a full disk")
        elif r.status in (200, 201):
            res.failures.append("a PUT succeeded on a full disk (it was stored anyway?)")
        else:
            res.failures.append(f"PUT on a full disk got {r.short()}")
        reads = [light_get(port, locate_path((cx + 0.005, cy + 0.005)), "case 7 read on full disk"),
                 light_get(port, "/v1/layers/grid/features/d00", "case 7 read on full disk"),
                 light_get(port, tile_path(14, cx + 0.005, cy + 0.005), "case 7 read on full disk")]
        codes = [r.status if r else None for r in reads]
        res.figures.append(f"reads with the disk full (locate, feature, tile): {codes}")
        if codes[0] != 200 or codes[1] != 200:
            res.fatal.append(f"reads failed on a full disk: {codes}")
        os.remove(filler)
        h = request(port, "GET", "/health", where="case 7 freed").json()
        res.figures.append(f"health after freeing, before any write: {h.get('status')}/{h.get('store')}")
        r = put("dnew", cx)
        freed_put = r.status
        res.figures.append(f"PUT after freeing: {r.status}")
        if r.status not in (200, 201):
            res.failures.append(f"PUT after freeing the disk got {r.short()}")
        h = request(port, "GET", "/health", where="case 7 after").json()
        res.figures.append(f"health after that PUT: {h.get('status')}/{h.get('store')}")
        if h.get("status") != "ok":
            res.failures.append(f"/health after a successful write says {h}")
        server.stop()
        server = Server(ctx.binary, store, ctx.tmp, ctx.empty_flags, name="disk-again").start()
        missing = []
        for fid in [f["id"] for f in feats] + ["dnew"]:
            g = request(server.port, "GET", f"/v1/layers/grid/features/{fid}", where="case 7 reopen")
            if g.status != 200:
                missing.append(fid)
        res.figures.append(f"after a restart: {26 - len(missing)}/26 grids there")
        res.lost = len(missing)
        res.lost_lines += [f"{fid} missing after the disk-full episode" for fid in missing]
        res.summary = (f"full: health {full_health.get('status')}, PUT {full_put}; freed: PUT "
                       f"{freed_put}, health {h.get('status')}; lost {len(missing)}")
    finally:
        if server is not None:
            server.kill9()
        for s in SERVERS:
            if s.store.startswith(disk):
                s.kill9()
        if subprocess.run(["umount", disk], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", disk], capture_output=True)


# ---------------------------------------------------------------------------------------------
# Running and reporting


RUNNERS = {1: ("heavy polygon queries beside light reads", case_heavy),
           2: ("slow clients, idle connections, one address's connection cap", case_slow),
           3: ("anonymous floods", case_flood),
           4: ("big anonymous bodies", case_body),
           5: ("kill -9 during writes and imports", case_kill),
           6: ("4 planners writing concurrently", case_writes),
           7: ("disk full", case_disk)}


def print_case(res):
    bar = "=" * 96
    say(bar, f"CASE {res.number} — {res.title}: {res.verdict()}", bar)
    if res.skipped:
        say(f"  skipped: {res.skipped}", "")
        return
    for line in res.tried:
        say(f"  tried:   {line}")
    for line in res.figures:
        say(f"  figure:  {line}")
    for line in res.refusals[:12]:
        say(f"  refused (expected): {line}")
    if len(res.refusals) > 12:
        say(f"  refused (expected): ... {len(res.refusals) - 12} more")
    for line in res.failures:
        say(f"  FAILED:  {line}")
    for line in res.fatal:
        say(f"  FAILED (serious): {line}")
    say(f"  lost:    {res.lost}" + ("" if not res.lost_lines else ""))
    for line in res.lost_lines[:20]:
        say(f"  LOST:    {line}")
    say("")


ANSI = re.compile(r"\x1b\[[0-9;]*m")


def scan_logs():
    """Panics and errors the servers logged."""
    panics, errors = [], []
    for s in SERVERS:
        for line in ANSI.sub("", s.log_text()).splitlines():
            low = line.lower()
            if "panic" in low:
                panics.append(f"{os.path.basename(s.log_path)}: {line.strip()}")
            elif " error " in low or low.startswith("error"):
                errors.append(f"{os.path.basename(s.log_path)}: {line.strip()}")
    return panics, errors


class Context:
    pass


def binary_stamp(path):
    st = os.stat(path)
    return (st.st_size, st.st_mtime_ns)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default_bin = os.environ.get("ONEMAP_BIN") or os.path.join(here, "..", "target", "release", "onemap")
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="\n\n".join(__doc__.split("\n\n")[1:]))
    ap.add_argument("--quick", action="store_true", help="smaller counts and shorter floods")
    ap.add_argument("--only", action="append", default=[],
                    help="run only these cases: numbers or names (1-7, heavy,slow,...)")
    ap.add_argument("--bin", default=default_bin, help="the onemap binary [$ONEMAP_BIN or "
                    "target/release/onemap]")
    ap.add_argument("--seed", type=int, default=2026, help="random seed (kill moments, squares)")
    ap.add_argument("--rounds", type=int, default=0, help="kill -9 rounds of case 5 [8; quick 3]")
    ap.add_argument("--ring-radius", type=float, default=0.02,
                    help="radius in degrees of case 1's heavy ring [0.02]")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = ap.parse_args()

    selected = []
    for item in args.only:
        for part in item.split(","):
            part = part.strip().lower()
            if not part:
                continue
            number = int(part) if part.isdigit() else next(
                (n for n, name in CASES.items() if name == part), None)
            if number not in CASES:
                ap.error(f"unknown case {part!r}: use 1-7 or {', '.join(CASES.values())}")
            selected.append(number)
    selected = sorted(set(selected)) or sorted(CASES)

    binary = os.path.abspath(args.bin)
    if not os.access(binary, os.X_OK):
        say(f"{binary} is missing or not executable: build it with "
            f"`cargo build --release --bin onemap`, or set ONEMAP_BIN")
        return 3
    help_text = subprocess.run([binary, "serve", "--help"], capture_output=True, text=True).stdout
    ctx = Context()
    ctx.binary, ctx.quick, ctx.seed = binary, args.quick, args.seed
    ctx.rounds, ctx.ring_radius = args.rounds, args.ring_radius
    ctx.notes, ctx.import_times = [], []
    # Older binaries seed a new store unless --empty; newer ones may seed only with --demo.
    ctx.demo_flags = ["--demo"] if "--demo" in help_text else []
    ctx.empty_flags = ["--empty"] if "--empty" in help_text else []
    stamp = binary_stamp(binary)
    ctx.tmp = tempfile.mkdtemp(prefix="onemap-abuse-")
    started = now()

    def on_term(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    # Also when started in the background, where SIGINT would otherwise be ignored.
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_term)
    say(f"onemap abuse run: {binary}", f"  {'quick' if ctx.quick else 'full'} mode, cases "
        f"{','.join(map(str, selected))}, seed {ctx.seed}, temp {ctx.tmp}, "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}, "
        f"{time.strftime('%Y-%m-%d %H:%M:%S')}",
        f"  seeding flags: {ctx.demo_flags or '(none: a new store is seeded)'}", "")
    interrupted = False
    try:
        try:
            ctx.city = prepare_city(ctx)
        except (ServerDidNotStart, RuntimeError, OSError, http.client.HTTPException) as e:
            RUN.setup_error = str(e)
            say(f"SETUP FAILED: {e}")
            return 3
        for number in selected:
            title, fn = RUNNERS[number]
            res = CaseResult(number, title)
            RUN.results.append(res)
            t0 = now()
            say(f"--- case {number}: {title} ...")
            res.unfinished = True
            try:
                fn(ctx, res)
                res.unfinished = False
            except ServerDidNotStart as e:
                res.unfinished = False
                res.fatal.append(f"a server did not start: {e}")
            except Exception as e:  # noqa: BLE001 - report and go on with the next case
                import traceback
                res.unfinished = False
                res.fatal.append(f"the case crashed: {e.__class__.__name__}: {e}")
                traceback.print_exc()
            finally:
                kill_all_servers()
            res.took = now() - t0
            print_case(res)
    except KeyboardInterrupt:
        interrupted = True
        say("", "Interrupted: stopping every server started.")
    finally:
        kill_all_servers()

    panics, errors = scan_logs()
    changed = os.path.exists(binary) and binary_stamp(binary) != stamp
    say("=" * 96, "SUMMARY", "=" * 96)
    say(f"{'case':<12} {'verdict':<11} {'lost':>5}  figures")
    for res in RUN.results:
        say(f"{str(res.number) + ' ' + CASES[res.number]:<12} {res.verdict():<11} "
            f"{res.lost if not res.skipped else '-':>5}  {res.skipped or res.summary}")
    say("")
    say(f"documented 503s seen: {RUN.documented_503}; undocumented 5xx: {len(RUN.unexpected_5xx)}; "
        f"light requests over {LIGHT_LIMIT_S:g} s or unanswered: {len(RUN.slow_light)}; "
        f"error answers that were not JSON: {len(RUN.non_json_errors)}; panics logged: {len(panics)}")
    for line in RUN.unexpected_5xx[:10]:
        say(f"  UNDOCUMENTED 5xx: {line}")
    for line in RUN.slow_light[:10]:
        say(f"  UNRESPONSIVE: {line}")
    for line in RUN.non_json_errors[:10]:
        say(f"  NOT JSON: {line}")
    for line in panics[:10]:
        say(f"  PANIC: {line}")
    for line in errors[:10]:
        say(f"  server log error: {line}")
    for note in ctx.notes:
        say(f"  note: {note}")
    if changed:
        say("  WARNING: the binary changed during the run: rerun for figures of one build")
    lost = sum(r.lost for r in RUN.results)
    fatal = any(r.fatal for r in RUN.results)
    failed = any(r.failures for r in RUN.results)
    say(f"total lost: {lost}; took {now() - started:.0f} s; load average at the end "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    keep = args.keep or lost or fatal or panics or RUN.unexpected_5xx
    if keep:
        say(f"server logs and stores kept in {ctx.tmp}")
    else:
        shutil.rmtree(ctx.tmp, ignore_errors=True)
    if interrupted:
        return 130
    if lost or fatal or RUN.unexpected_5xx or RUN.slow_light or panics:
        return 1
    if failed or RUN.non_json_errors:
        return 2
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    finally:
        kill_all_servers()
