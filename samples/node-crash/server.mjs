// The ws + pino server of samples/ws-pino, logging to stdout as a container runs it, with one
// more route whose message listener nothing guards: a message without a `user` makes it throw,
// `ws` does not catch it, and Node's default handler prints the crash on stderr and exits 1.
// Run by crash.mjs as a child process; it sends its port over the IPC channel.
import { startServer } from '../ws-pino/server.mjs';

const server = await startServer({ logFile: 1, base: process.env.SAMPLE_PINO_BASE === 'null' ? null : undefined });
server.wss.on('connection', (ws, req) => {
  if (new URL(req.url, 'http://localhost').pathname !== '/profile') return;
  ws.on('message', (data) => {
    const msg = JSON.parse(data.toString());
    ws.send(JSON.stringify({ name: msg.user.name }));
  });
});
process.send({ port: server.port });
