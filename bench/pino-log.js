/**
 * A seeded generator of pino-style service logs: WebSocket connections (opens, typed messages
 * in and out, exceptions with stacks, closes with a realistic code mix, a rare process crash)
 * interleaved with HTTP request logs, hundreds of connections open at once. The same seed
 * gives the same bytes. Used by the benchmark (hundreds of MB) and by the tests (a few KB)
 * that prove the fast path drops nothing.
 *
 * The line shapes are those of samples/ws-pino (a real ws + pino server) and of pino-http
 * with a request serializer that keeps method, url and remote address.
 */

/** mulberry32: small, fast, good enough for test data. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ROUTES = [
  { route: '/chat', type: 'text', weight: 6 },
  { route: '/upload', type: 'binary', weight: 2 },
  { route: '/feed', type: 'text', weight: 2 },
];

/** Scenario, weight: the close-code mix of a busy chat service. */
const SCENARIOS = [
  ['normal', 620], ['going-away', 120], ['abnormal', 80], ['handled-then-normal', 40],
  ['unhandled-error', 40], ['type-mismatch-1011', 25], ['type-mismatch-1003', 20],
  ['policy', 20], ['too-big', 10], ['invalid-utf8', 10], ['app-code', 15],
];

const HTTP_PATHS = ['/api/rooms', '/api/rooms/:id/messages', '/api/users/:id', '/api/session', '/healthz', '/api/uploads/:id', '/static/app.js'];
const AGENTS = [
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  'okhttp/4.12.0',
  'kube-probe/1.30',
];

function pickWeighted(rand, list) {
  let total = 0;
  for (const [, w] of list) total += w;
  let r = rand() * total;
  for (const [v, w] of list) if ((r -= w) < 0) return v;
  return list[list.length - 1][0];
}

function stack(type, message, fn, rand) {
  const line = 20 + Math.floor(rand() * 200);
  return `${type}: ${message}\n    at ${fn} (file:///srv/chat/src/handlers/${fn}.js:${line}:${5 + Math.floor(rand() * 30)})\n`
    + '    at WebSocket.<anonymous> (file:///srv/chat/src/server.js:88:11)\n'
    + '    at WebSocket.emit (node:events:519:28)\n'
    + '    at Receiver.receiverOnMessage (/srv/chat/node_modules/ws/lib/websocket.js:1220:20)\n'
    + '    at Receiver.emit (node:events:519:28)';
}

/**
 * @param {object} o
 * @param {number} o.seed
 * @param {number} [o.wsShare] the share of lines that are WebSocket lines (0 to 1)
 * @param {number} [o.concurrency] connections open at once
 * @param {number} [o.crashEvery] about one process crash per this many WebSocket lines (0: none)
 * @returns {{ next(): string, closes: Map<string, number> }} next() gives one line (no line break)
 */
export function pinoLog({ seed, wsShare = 0.05, concurrency = 300, crashEvery = 0 }) {
  const rand = rng(seed);
  const int = (n) => Math.floor(rand() * n);
  let time = Date.UTC(2026, 10, 24, 9, 0, 0);
  let pid = 4000 + int(1000);
  const hostname = 'chat-7f9c4d-x2k8p';
  let nextConn = 1;
  let nextReq = 1;
  const active = [];
  const head = () => `{"level":30,"time":${time},"pid":${pid},"hostname":"${hostname}"`;

  function newConn() {
    const r = pickWeighted(rand, ROUTES.map((x) => [x, x.weight]));
    const scenario = pickWeighted(rand, SCENARIOS);
    const c = {
      id: `c${nextConn++}`, route: r.route, type: r.type, scenario,
      remote: `10.${int(256)}.${int(256)}.${1 + int(254)}`, port: 1024 + int(64000), steps: [],
    };
    const ctx = `"connId":"${c.id}","route":"${c.route}","remoteAddress":"${c.remote}","remotePort":${c.port}`;
    const ws = (level, rest) => () => `{"level":${level},"time":${time},"pid":${pid},"hostname":"${hostname}",${ctx}${rest}}`;
    const frame = (isBinary, dir) => ws(30, `,"isBinary":${isBinary},"size":${1 + int(dir === 'in' ? 2000 : 8000)},"msg":"ws message ${dir === 'in' ? 'received' : 'sent'}"`);
    const close = (code, reason) => ws(30, `,"code":${code},"reason":"${reason}","msg":"ws connection closed"`);
    const err = (level, type, message, fn, extra = '') => ws(level, `,"err":{"type":"${type}","message":${JSON.stringify(message)},"stack":${JSON.stringify(stack(type, message, fn, rand))}${extra}},"msg":${JSON.stringify(level === 40 ? `handled: ${message}` : message)}`);
    const s = c.steps;
    s.push(ws(30, ',"msg":"ws connection opened"'));
    const own = c.type === 'binary';
    for (let i = 1 + int(12); i > 0; i--) {
      s.push(frame(own, 'in'));
      if (rand() < 0.6) s.push(frame(own, 'out'));
    }
    switch (scenario) {
      case 'normal': s.push(close(1000, '')); break;
      case 'going-away': s.push(close(1001, '')); break;
      case 'abnormal': s.push(close(1006, '')); break;
      case 'handled-then-normal':
        s.push(err(40, 'Error', `upstream timeout after ${100 + int(900)} ms`, 'loadHistory'));
        s.push(close(1000, ''));
        break;
      case 'unhandled-error':
        s.push(err(50, 'TypeError', "Cannot read properties of undefined (reading 'roomId')", 'onChatMessage'));
        s.push(close(1011, 'internal error'));
        break;
      case 'type-mismatch-1011':
        s.push(frame(!own, 'in'));
        s.push(own ? err(50, 'TypeError', 'The "data" argument must be of type Buffer', 'onUpload')
          : err(50, 'SyntaxError', 'Unexpected token \'\u0000\', "\u0000\u0001" is not valid JSON', 'onChatMessage'));
        s.push(close(1011, 'internal error'));
        break;
      case 'type-mismatch-1003':
        s.push(frame(!own, 'in'));
        s.push(close(1003, own ? 'binary frames only' : 'text frames only'));
        break;
      case 'policy':
        s.push(ws(40, `,"msg":"auth failed: token expired"`));
        s.push(close(1008, 'unauthorized'));
        break;
      case 'too-big':
        s.push(err(50, 'RangeError', 'Max payload size exceeded', 'haveLength', ',"code":"WS_ERR_UNSUPPORTED_MESSAGE_LENGTH"'));
        s.push(close(1006, ''));
        break;
      case 'invalid-utf8':
        s.push(err(50, 'Error', 'Invalid WebSocket frame: invalid UTF-8 sequence', 'dataMessage', ',"code":"WS_ERR_INVALID_UTF8"'));
        s.push(close(1006, ''));
        break;
      case 'app-code': s.push(close(4000 + int(20), 'room closed')); break;
    }
    c.steps.reverse(); // popped from the end
    return c;
  }

  function http() {
    const path = HTTP_PATHS[int(HTTP_PATHS.length)].replace(':id', String(int(100000)));
    const id = nextReq++;
    const addr = `10.${int(256)}.${int(256)}.${1 + int(254)}`;
    const ua = AGENTS[int(AGENTS.length)];
    if (rand() < 0.002) {
      const message = `connect ECONNREFUSED 10.0.9.${int(255)}:5432`;
      return `{"level":50,"time":${time},"pid":${pid},"hostname":"${hostname}","reqId":"req-${id.toString(36)}","req":{"method":"GET","url":"${path}","remoteAddress":"${addr}","userAgent":"${ua}"},"res":{"statusCode":500},"err":{"type":"Error","message":"${message}","stack":${JSON.stringify(`Error: ${message}\n    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1607:16)`)}},"responseTime":${int(3000)},"msg":"request errored"}`;
    }
    const method = rand() < 0.8 ? 'GET' : 'POST';
    const status = rand() < 0.95 ? 200 : [201, 204, 304, 400, 401, 404][int(6)];
    return `${head()},"reqId":"req-${id.toString(36)}","req":{"method":"${method}","url":"${path}?page=${int(20)}","remoteAddress":"${addr}","userAgent":"${ua}"},"res":{"statusCode":${status}},"responseTime":${(rand() * 250).toFixed(1)},"msg":"request completed"}`;
  }

  let wsLines = 0;
  function next() {
    time += int(3);
    if (rand() >= wsShare) return http();
    wsLines++;
    if (crashEvery > 0 && wsLines % crashEvery === 0) {
      // The process dies of an uncaught exception: every connection open in it ends unlogged.
      const message = "Cannot read properties of null (reading 'send')";
      const line = `{"level":60,"time":${time},"pid":${pid},"hostname":"${hostname}","err":{"type":"TypeError","message":"${message}","stack":${JSON.stringify(stack('TypeError', message, 'broadcast', rand))}},"msg":"uncaughtException"}`;
      active.length = 0;
      pid += 1 + int(50);
      return line;
    }
    while (active.length < concurrency) active.push(newConn());
    const i = int(active.length);
    const c = active[i];
    const line = c.steps.pop()();
    if (c.steps.length === 0) {
      active[i] = active[active.length - 1];
      active.pop();
    }
    return line;
  }
  return { next };
}

/** At least `bytes` bytes of log (whole lines), handed to `write` in chunks of about 1 MB. */
export function writeLog(opts, bytes, write) {
  return writeLines(pinoLog(opts), bytes, write);
}

/** At least `bytes` bytes of `log`'s lines, handed to `write` in chunks of about 1 MB. */
export function writeLines(log, bytes, write) {
  let total = 0;
  let parts = [];
  let size = 0;
  while (total < bytes) {
    const line = log.next() + '\n';
    parts.push(line);
    size += line.length;
    total += line.length;
    if (size >= 1 << 20) {
      write(parts.join(''));
      parts = [];
      size = 0;
    }
  }
  if (parts.length) write(parts.join(''));
  return total;
}
