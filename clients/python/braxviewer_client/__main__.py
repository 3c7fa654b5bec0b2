"""Command line: ``python3 -m braxviewer_client stream FILE.jsonl`` and ``... watch``."""
from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import time
from typing import List, Optional

from ._endpoints import DEFAULT_URL, KEY_VARIABLE
from .errors import BraxViewerError
from .frames import iter_frames_jsonl
from .streamer import Streamer
from .viewer import viewer


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m braxviewer_client", description="Brax Viewer Hub client.")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--url", default=DEFAULT_URL, help=f"the server (default {DEFAULT_URL})")
    common.add_argument("--run", default=None, help="the run (default: default)")
    common.add_argument("--key", default=None, help=f"the access key (default: ${KEY_VARIABLE})")
    commands = parser.add_subparsers(dest="command", required=True)

    stream = commands.add_parser("stream", parents=[common], help="stream the frames of a JSONL file, one frame per line")
    stream.add_argument("file", help="frames, one JSON object per line ('-' reads standard input)")
    stream.add_argument("--fps", type=float, default=30.0, help="frames per second (0: as fast as possible; default 30)")
    stream.add_argument("--loop", action="store_true", help="start over at the end, until interrupted")
    stream.add_argument("--scene", default=None, help="upload this Brax system JSON first")
    stream.add_argument("--num-envs", type=int, default=None, help="environment count of a batched scene")

    watch = commands.add_parser("watch", parents=[common], help="print every frame of the run, one JSON line each")
    watch.add_argument("--count", type=int, default=None, help="stop after this many frames")

    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
    try:
        if args.command == "stream":
            return _stream(args)
        return asyncio.run(_watch(args))
    except BraxViewerError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _stream(args: argparse.Namespace) -> int:
    lines = sys.stdin.readlines() if args.file == "-" else open(args.file, encoding="utf-8").readlines()
    frames = list(iter_frames_jsonl(lines))
    if not frames:
        print("error: the file holds no frames", file=sys.stderr)
        return 1
    interval = 1.0 / args.fps if args.fps > 0 else 0.0
    streamer = Streamer(args.url, run=args.run, key=args.key, scene=args.scene, num_envs=args.num_envs)
    try:
        next_time = time.monotonic()
        while True:
            for frame in frames:
                streamer.send(frame)
                if interval:
                    next_time += interval
                    delay = next_time - time.monotonic()
                    if delay > 0:
                        time.sleep(delay)
            if not args.loop:
                break
        flushed = streamer.flush(timeout=10.0)
    finally:
        streamer.close()
    stats = streamer.stats()
    print(f"sent {stats['frames_sent']} frames, {stats['frames_coalesced']} replaced by newer ones, "
          f"{stats['frames_skipped_rendering_off']} skipped while rendering was off", file=sys.stderr)
    return 0 if flushed else 1


async def _watch(args: argparse.Namespace) -> int:
    seen = 0
    if args.count is not None and args.count <= 0:
        return 0
    async for frame in viewer(args.url, run=args.run, key=args.key, raw=True):
        print(frame, flush=True)
        seen += 1
        if args.count is not None and seen >= args.count:
            break
    return 0


if __name__ == "__main__":
    sys.exit(main())
