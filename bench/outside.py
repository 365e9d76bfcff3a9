"""The same figures measured from outside, by wrk (a load generator in C), in the same run as
bench.http's own asyncio client: fileComplaint against the naive stack, and a cached timeline
against the plain endpoint. Each side's CPU is read from /proc around each run, so that the two
load generators can be compared on what they cost the machine, not only on what they measured:
on 2 cores a client that takes a core of its own caps the faster server more than the slower.

`bench.http` calls `measure` when wrk is installed (`tools/bench-deps.sh`, run by `make bench`).
"""

from __future__ import annotations

import math
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

#: wrk's own threads: one per core of the machine (2), each with its share of the connections.
THREADS = 2

#: Each request's body is `prefix` + a new order id + `suffix`; the order ids are those
#: `order_ids` names, recorded ahead: wrk<run>-<thread>-<i>, the run w (warm-up) or m (measured).
#: The response is checked as bench.http checks it (200, no "errors", no error "code"), and the
#: failures are counted.
FILING_SCRIPT = r"""
local counter = 0
local threads = {}
function setup(thread)
  thread:set("id", counter)
  table.insert(threads, thread)
  counter = counter + 1
end
function init(args)
  n = 0
  bad = 0
  label = args[2]
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  if args[1] ~= "-" then wrk.headers["Authorization"] = "Bearer " .. args[1] end
end
function request()
  local body = PREFIX .. "wrk" .. label .. "-" .. id .. "-" .. n .. SUFFIX
  n = n + 1
  return wrk.format(nil, "/graphql", nil, body)
end
function response(status, headers, body)
  if status ~= 200 or body:find('"errors"', 1, true) or body:find('"code"', 1, true) then
    bad = bad + 1
  end
end
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("bad") end
  io.write("BAD " .. total .. "\n")
end
"""

STATIC_SCRIPT = r"""
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args)
  bad = 0
  wrk.method = METHOD
  wrk.path = PATH
  wrk.body = BODY
  wrk.headers["Content-Type"] = "application/json"
  if args[1] ~= "-" then wrk.headers["Authorization"] = "Bearer " .. args[1] end
end
function response(status, headers, body)
  if status ~= 200 or body:find('"errors"', 1, true) then bad = bad + 1 end
end
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("bad") end
  io.write("BAD " .. total .. "\n")
end
"""


def available() -> bool:
    return shutil.which("wrk") is not None


def order_ids(connections: int, seconds: float, cap: int) -> list[str]:
    """The order ids the wrk filings name, one per request: more than `cap` per second."""
    ids = []
    for label, run in (("w", 1), ("m", duration(seconds))):
        per_thread = int((run + 1) * cap / THREADS) + 20
        ids += [f"wrk{label}-{t}-{i}" for t in range(THREADS) for i in range(per_thread)]
    return ids


def duration(seconds: float) -> int:
    """wrk's run in whole seconds (it takes no fractions)."""
    return max(1, math.ceil(seconds))


def _lua(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def filing_script(body_with_order: str, marker: str = "@ORDER@") -> str:
    """A script filing `body_with_order` with `marker` replaced by a new order id each time."""
    prefix, suffix = body_with_order.split(marker)
    return f"PREFIX = {_lua(prefix)}\nSUFFIX = {_lua(suffix)}\n{FILING_SCRIPT}"


def static_script(path: str, body: str, method: str = "POST") -> str:
    return f"METHOD = {_lua(method)}\nPATH = {_lua(path)}\nBODY = {_lua(body)}\n{STATIC_SCRIPT}"


def cpu_seconds(pid: int) -> float:
    """The user and system CPU a process (and its threads) has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Sample:
    """One load generator's run: requests per second, failures, and the CPU the client and
    the server used per request (ms)."""

    rate: float
    bad: int
    client_ms: float
    server_ms: float

    @property
    def text(self) -> str:
        cpu = f"client {self.client_ms:.2f} ms, server {self.server_ms:.2f} ms"
        return f"{self.rate:,.0f}/s ({cpu} CPU/req)"


def profile(
    server_pid: int, port: int, script: str, seconds: int
) -> subprocess.Popen[bytes] | None:
    """With BENCH_PROFILE=DIR, py-spy samples the server (the thread holding the GIL) while wrk
    measures, into DIR/<what>-<port>.txt (raw stacks: one per line with its count, as
    docs/performance.md's profiles are read). None without it, or without py-spy."""
    folder = os.environ.get("BENCH_PROFILE")
    # Installed with the dev dependencies, beside this interpreter.
    spy = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")
    if not folder or spy is None:
        return None
    Path(folder).mkdir(parents=True, exist_ok=True)
    what = "filing" if "PREFIX" in script else "static"
    output = Path(folder) / f"{what}-{port}.txt"
    args = [spy, "record", "-p", str(server_pid), "-d", str(seconds), "-f", "raw", "--gil"]
    args += ["--nonblocking", "-r", "100", "-o", str(output)]
    return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603


def wrk(
    port: int, script: str, bearer: str | None, connections: int, seconds: float, server_pid: int
) -> Sample:
    """wrk against 127.0.0.1:`port` with `script`, after a one-second warm-up run."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as file:
        file.write(script)
    try:

        def run(duration: str, label: str) -> str:
            threads = min(THREADS, connections)
            args = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}", "-s", file.name]
            args += [f"http://127.0.0.1:{port}", "--", bearer or "-", label]
            return subprocess.run(args, check=True, capture_output=True, text=True).stdout  # noqa: S603

        run("1s", "w")  # warm-up, not counted
        profiler = profile(server_pid, port, script, duration(seconds))
        before_client = resource.getrusage(resource.RUSAGE_CHILDREN)
        before_server = cpu_seconds(server_pid)
        out = run(f"{duration(seconds)}s", "m")
        after_client = resource.getrusage(resource.RUSAGE_CHILDREN)
        server = cpu_seconds(server_pid) - before_server
        if profiler is not None:
            profiler.wait(timeout=60)
    finally:
        os.unlink(file.name)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    total = re.search(r"(\d+) requests in", out).group(1)  # type: ignore[union-attr]
    bad = int(re.search(r"BAD (\d+)", out).group(1))  # type: ignore[union-attr]
    client = (after_client.ru_utime - before_client.ru_utime) + (
        after_client.ru_stime - before_client.ru_stime
    )
    requests = max(int(total), 1)
    return Sample(rate, bad, client * 1000 / requests, server * 1000 / requests)


def ours_inside(drive: Callable[[], float], server_pid: int, seconds: float) -> Sample:
    """bench.http's own client (`drive`, in this process), with the same CPU accounting."""
    before_client = time.process_time()
    before_server = cpu_seconds(server_pid)
    rate = drive()
    client = time.process_time() - before_client
    server = cpu_seconds(server_pid) - before_server
    # drive's warm-up (0.5 s) is in the CPU but not in the rate: count its requests too.
    requests = max(rate * (seconds + 0.5), 1)
    return Sample(rate, 0, client * 1000 / requests, server * 1000 / requests)
