"""Nothing fonder does opens a network socket.

The whole demo — writing an export, importing it, labelling, the report — runs in a child
process twice: once with a Python audit hook that records every Internet socket created,
connected or looked up (and refuses it), and once under strace, which also sees native code
(DuckDB, Polars). Both must record nothing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

HOOK = textwrap.dedent(
    """
    import socket, sys
    _LOG = {log!r}
    _NET = (socket.AF_INET, socket.AF_INET6)

    def _refuse(event, args):
        bad = False
        if event == "socket.__new__":
            bad = args[1] in _NET
        elif event in ("socket.connect", "socket.bind", "socket.sendto", "socket.sendmsg"):
            bad = args[0].family in _NET
        elif event in ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr",
                       "urllib.Request", "http.client.connect"):
            bad = True
        if bad:
            with open(_LOG, "a") as fh:
                fh.write(event + "\\n")
            raise OSError("fonder test: network access refused")

    sys.addaudithook(_refuse)
    """
)


def fonder_cmd(tmp: Path) -> list[str]:
    return [sys.executable, "-m", "fonder.cli", "demo", "--keep", str(tmp / "demo")]


def test_demo_opens_no_network_socket(tmp_path: Path) -> None:
    log = tmp_path / "network.log"
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(HOOK.format(log=str(log)))
    env = {**os.environ, "PYTHONPATH": str(site), "FONDER_DB": str(tmp_path / "unused.duckdb")}
    result = subprocess.run(fonder_cmd(tmp_path), capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "Who reaches out" in result.stdout  # the demo really ran to the end
    assert not log.exists(), f"network access attempted: {log.read_text()}"


@pytest.mark.skipif(shutil.which("strace") is None, reason="strace is not installed")
def test_no_native_code_touches_the_network_either(tmp_path: Path) -> None:
    trace = tmp_path / "trace.txt"
    result = subprocess.run(
        ["strace", "-f", "-qq", "-e", "trace=socket,connect,bind,sendto", "-o", str(trace), *fonder_cmd(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "FONDER_DB": str(tmp_path / "unused.duckdb")},
    )
    assert result.returncode == 0, result.stderr
    calls = trace.read_text()
    assert "demo.duckdb" not in calls  # sanity: the trace holds syscalls, not file names
    internet = [line for line in calls.splitlines() if re.search(r"AF_INET6?\b|PF_INET6?\b", line)]
    assert internet == []
