"""Runs one of the documented Python examples, unchanged but for the server's port.

The examples in websocket-endpoints.md are fragments: they use asyncio without importing it and
define a coroutine without running it. This runner supplies exactly those two things.
Usage: run_example.py EXAMPLE_FILE COROUTINE_NAME PORT
"""
import asyncio
import sys

path, coroutine, port = sys.argv[1], sys.argv[2], sys.argv[3]
with open(path, encoding="utf-8") as source:
    code = source.read().replace("127.0.0.1:8000", f"127.0.0.1:{port}")

namespace = {"asyncio": asyncio, "__name__": "example"}
exec(compile(code, path, "exec"), namespace)
asyncio.run(namespace[coroutine]())
