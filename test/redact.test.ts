/**
 * What `redact` takes out of log text and what it leaves: credentials under their usual names,
 * tokens known by their shape, random blobs; and, as they were, the close reasons, messages,
 * stack frames and routes a report needs to be read.
 */
import { describe, expect, it } from 'vitest';
import { redact } from '../src/redact.js';

describe('redact', () => {
  it.each([
    // key=value, key: value, "key": "value" under common names, whole or ending an identifier
    ['login pw=Sup3rS3cret', 'login pw=[redacted]'],
    ['pwd=hunter2 pass=hunter3', 'pwd=[redacted] pass=[redacted]'],
    ['password: hunter2', 'password: [redacted]'],
    ['passwd=letmein', 'passwd=[redacted]'],
    ['db_password=letmein', 'db_password=[redacted]'],
    ['dbPassword=letmein', 'dbPassword=[redacted]'],
    ['client_secret=abc', 'client_secret=[redacted]'],
    ['AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI', 'AWS_SECRET_ACCESS_KEY=[redacted]'],
    ['accessToken=abc123', 'accessToken=[redacted]'],
    ['apiKey: k1', 'apiKey: [redacted]'],
    ['x-api-key: k1', 'x-api-key: [redacted]'],
    ['private_key=k1 secret_key=k2', 'private_key=[redacted] secret_key=[redacted]'],
    ['session=s1; sid=s2k9; sessionId=s3', 'session=[redacted]; sid=[redacted]; sessionId=[redacted]'],
    ['auth=u:p', 'auth=[redacted]'],
    // A random folder in a frame's path goes; the file's name stays.
    ['handle (/tmp/build-Q7mZ2xLk9PaR4tVw8YbN3cFh6JdS1gUe/a.js:3)', 'handle (/tmp/[redacted]/a.js:3)'],
    ['credentials=c1', 'credentials=[redacted]'],
    ["{'token': 'abc123'}", "{'token': '[redacted]'}"],
    // a bare key, when its value is long enough to be one
    ['key=4c7a0f0e9b1d2c3a', 'key=[redacted]'],
    // authorization schemes
    ['Authorization: Bearer abc.def-123', 'Authorization: [redacted] [redacted]'],
    ['upstream said Basic YWxpY2U6czNjcjN0', 'upstream said Basic [redacted]'],
    // tokens known by their shape, wherever they stand
    ['invalid key sk_live_51HXYZSECRETKEY', 'invalid key [redacted-token]'],
    ['sk_test_4eC39HqLyjWDarjtT1zdp7dc rk_live_51Habcdefghij', '[redacted-token] [redacted-token]'],
    ['bad credential ghp_16C7e42F292c6912E7710c838347Ae178B4a', 'bad credential [redacted-token]'],
    ['gho_16C7e42F292c6912E7710c838347Ae178B4a github_pat_11ABCDEFG0123456789_abcdefghij', '[redacted-token] [redacted-token]'],
    ['slack xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy', 'slack [redacted-token]'],
    ['keys AKIAIOSFODNN7EXAMPLE and ASIAY34FZKBOKMUTVV7A', 'keys [redacted-token] and [redacted-token]'],
    ['maps AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI', 'maps [redacted-token]'],
    // private keys, whole or cut short
    ['key follows\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\nq3Xb\n-----END RSA PRIVATE KEY-----\ndone', 'key follows\n[redacted-private-key]\ndone'],
    ['private_key: -----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC', 'private_key: [redacted]'],
    // long hex and random base64 blobs
    ['signature mismatch d41d8cd98f00b204e9800998ecf8427e', 'signature mismatch [redacted]'],
    ['req_4971bf4160c94d974fd0a79760487eb3 rejected', 'req_[redacted] rejected'],
    ['resumed with Z9wJRCvnrtNRtq3YW1FYQ+ATaMj9fRPA== ok', 'resumed with [redacted] ok'],
    ['nonce E-SkjXtWataG413ha1zmpKvO7aD5Y5KFA6eAcSL7Kig', 'nonce [redacted]'],
    // text after a stack frame
    ['handle (/srv/app/handler.js:10) {"password":"hunter2"}', 'handle (/srv/app/handler.js:10) {"[payload]":"[payload]"}'],
  ])('%j becomes %j', (text, expected) => {
    expect(redact(text)).toBe(expected);
    expect(redact(text, true)).toBe(text);
  });

  it.each([
    'going away',
    'idle timeout',
    'invalid frame header',
    'Server shutting down',
    'token expired',
    'invalid token',
    'auth: failed',
    'session: expired',
    'token: missing',
    'password too short',
    'policy violation: missing credentials',
    'binary frames are not accepted',
    'rate limit exceeded (120 msgs per 60s)',
    'bypass=true',
    'cache key=user:42',
    // A short name with a count or a status; a key that is a path, a name or part of a word.
    'auth=ok', 'auth: OK', 'sid: 42', 'pass: 3 of 5 retries',
    'duplicate key: room/general/messages/2026', 'Missing translation key: chat.errors.roomNotFound', 'sortKey=createdAt_desc_index', 'monkey=bananas_and_more_bananas_2',
    // camelCase names of 32+ characters with digits, in a frame; a hash folder's file kept by name.
    'processChatMessageForRoom42Handler (/app/src/processChatMessageForRoom42Handler.js:10:5)',
    'OAuth2WebSocketTokenRefresherImpl.refresh(OAuth2WebSocketTokenRefresherImpl.java:88)',
    'conn 550e8400-e29b-41d4-a716-446655440000 reset',
    'release 20240101120000 of build 1234567890123456789012345678901234',
    'ERR_WEBSOCKET_CONNECTION_CLOSED_BEFORE_HANDSHAKE_COMPLETE',
    'WebSocketConnectionClosedBeforeHandshakeCompleted2',
    '/chat/rooms/general/messages',
    'onChatMessage (file:///srv/chat/src/handlers/onChatMessage.js:47)',
    'handle (/home/runner/work/MyProject2/MyProject2/src/Handlers/WebSocket/chat.js:12)',
    'main.(*hub).handle (/srv/app/hub.go:42)',
    'com.example.chat.ChatEndpoint.onMessage(ChatEndpoint.java:57)',
    'echo (/nix/store/2ibp8l6y3hw0cxk6qzv2w5bmd3p3l5j2-app/server.py:18)',
    // A temporary folder's random suffix (mkdtemp), on a path of 32+ characters.
    'Timeout._onTimeout (file:///tmp/wsclose-node-crash-TXEZh4/crash1.mjs:3)',
    'handle (/var/folders/7x/Kq3v9ZbW8PL2nDYc0000gn/T/App-Xy7Qz2/app.js:12)',
  ])('%j is left as it is', (text) => {
    expect(redact(text)).toBe(text);
  });
});
