"""Run DIDKit (``openedx-didkit``) calls in a process of their own.

    .venv/bin/python interop/didkit_peer.py < request.json > reply.json

Why a separate process: the binding runs a tokio runtime whose worker threads still
hold Python thread states when the interpreter shuts down, and in about a third of runs
that ends in ``Fatal Python error: PyGILState_Release`` or a segmentation fault *after*
all the work succeeded. Inside pytest that would turn a green run red at exit. Here the
reply is written and flushed, then the process leaves with ``os._exit`` without
finalizing the interpreter.

Request::

    {"calls": [
        {"fn": "issue_credential", "args": ["<credential JSON>", "<options JSON>", "<jwk JSON>"]},
        {"fn": "verify_credential", "args": ["<credential or JWT>", "<options JSON>"]},
        {"fn": "key_to_verification_method", "args": ["key", "<jwk JSON>"]},
        {"fn": "verify_credential", "batch": [[...args], ...], "warmup": 1, "cpu": 0}
    ]}

Reply: ``{"version": ..., "results": [...]}``, one entry per call, in order: ``{"value":
...}`` or ``{"error": "...", "type": "DIDKitException"}``; a ``batch`` call gives
``{"values": [...], "seconds": ...}`` where ``seconds`` is the wall time of the batch
loop (after ``warmup`` untimed calls, awaited one at a time, with every thread of the
process confined to ``cpu`` when given).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
import time
from typing import Any

import didkit

FUNCTIONS = {
    "issue_credential": didkit.issue_credential,
    "verify_credential": didkit.verify_credential,
    "key_to_verification_method": didkit.key_to_verification_method,
    "key_to_did": didkit.key_to_did,
}


def _pin(cpu: int) -> None:
    for tid in os.listdir("/proc/self/task"):
        with contextlib.suppress(OSError):  # a thread may have ended meanwhile
            os.sched_setaffinity(int(tid), {cpu})


async def _call(name: str, args: list[Any]) -> Any:
    result = FUNCTIONS[name](*args)
    if asyncio.iscoroutine(result) or asyncio.isfuture(result):
        return await result
    return result


async def _one(call: dict[str, Any]) -> dict[str, Any]:
    name = call["fn"]
    if name not in FUNCTIONS:
        return {"error": f"unknown function {name!r}", "type": "ValueError"}
    if "batch" not in call:
        try:
            return {"value": await _call(name, call["args"])}
        except Exception as err:  # reported to the caller, who decides
            return {"error": str(err), "type": type(err).__name__}
    batch = call["batch"]
    if call.get("cpu") is not None and hasattr(os, "sched_setaffinity"):
        _pin(int(call["cpu"]))
    for args in batch[: int(call.get("warmup", 0))]:
        await _call(name, args)
    values = []
    start = time.perf_counter()
    for args in batch:
        try:
            values.append(await _call(name, args))
        except Exception as err:
            values.append({"error": str(err), "type": type(err).__name__})
    return {"values": values, "seconds": time.perf_counter() - start}


async def _main(request: dict[str, Any]) -> dict[str, Any]:
    results = [await _one(call) for call in request["calls"]]
    return {"version": didkit.get_version(), "results": results}


def main() -> None:
    reply = asyncio.run(_main(json.load(sys.stdin)))
    sys.stdout.write(json.dumps(reply))
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)  # skip interpreter finalization: see the module docstring


if __name__ == "__main__":
    main()
