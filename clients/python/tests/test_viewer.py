"""``async for frame in viewer(url, run=...)`` yields each frame of its run as it arrives."""
import asyncio
import unittest

import websockets

from braxviewer_client import viewer
from tests.support import URL, diagnostics, unique_run, ws_url


class ViewerTests(unittest.TestCase):
    def test_frames_of_the_run_arrive_in_order_as_dicts_or_as_sent(self):
        run = unique_run("watch")
        sent = ['{"x":{"pos":[[%d,0,0.5]],"rot":[[1,0,0,0]]},"env_id":0}' % i for i in range(5)]

        async def scenario():
            received, texts = [], []

            async def watch(raw, into):
                async for item in viewer(URL, run=run, raw=raw):
                    into.append(item)
                    if len(into) == len(sent):
                        return

            before = diagnostics()["frame_viewers"]
            tasks = [asyncio.ensure_future(watch(False, received)), asyncio.ensure_future(watch(True, texts))]
            while diagnostics()["frame_viewers"] < before + 2:
                await asyncio.sleep(0.01)
            async with websockets.connect(ws_url(URL, f"/ws/frame?is_streamer=true&run={run}")) as streamer, \
                    websockets.connect(ws_url(URL, f"/ws/frame?is_streamer=true&run={unique_run('elsewhere')}")) as other:
                for text in sent:
                    await other.send('{"x":{"pos":[[-1,0,0]],"rot":[[1,0,0,0]]}}')
                    await streamer.send(text)
                await asyncio.wait_for(asyncio.gather(*tasks), 10)
            return received, texts

        received, texts = asyncio.run(scenario())
        self.assertEqual([f["x"]["pos"][0][0] for f in received], [0, 1, 2, 3, 4])
        self.assertEqual(texts, sent, "raw=True yields the text byte for byte")


if __name__ == "__main__":
    unittest.main()
