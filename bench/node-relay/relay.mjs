// The yardstick of `bench/run.sh --compare`: a plain Node `ws` relay that sends every text message
// of a streamer (/ws/frame?is_streamer=true) to every viewer of /ws/frame, unvalidated, nothing else.
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';

const server = createServer((_, response) => response.writeHead(404).end());
const sockets = new WebSocketServer({ server, path: '/ws/frame', maxPayload: 64 * 1024 * 1024 });
const viewers = new Set();
sockets.on('connection', (socket, request) => {
  const query = new URL(request.url, 'http://relay').searchParams;
  if (query.get('is_streamer') === 'true' || query.get('streamer') === 'true') {
    socket.on('message', (data, isBinary) => { if (!isBinary) for (const viewer of viewers) viewer.send(data, { binary: false }); });
  } else {
    viewers.add(socket);
    socket.on('close', () => viewers.delete(socket));
  }
  socket.on('error', () => socket.terminate());
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => console.log(`Now listening on: http://127.0.0.1:${server.address().port}`));
