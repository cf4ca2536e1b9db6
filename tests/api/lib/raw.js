'use strict';
// Raw HTTP over a TCP socket, for requests fetch() would normalize or refuse (dot segments,
// %00, oversized headers, chunked bodies).
const net = require('node:net');

function rawRequest(port, text, { timeoutMs = 10000 } = {}) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    const chunks = [];
    const timer = setTimeout(() => { sock.destroy(); reject(new Error('raw request timed out')); }, timeoutMs);
    sock.on('connect', () => sock.end(text));
    sock.on('data', (c) => chunks.push(c));
    sock.on('error', (e) => { clearTimeout(timer); reject(e); });
    sock.on('close', () => {
      clearTimeout(timer);
      const all = Buffer.concat(chunks).toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(all);
      const [head, ...rest] = all.split('\r\n\r\n');
      resolve({ status: m ? Number(m[1]) : 0, head, body: rest.join('\r\n\r\n'), raw: all });
    });
  });
}

module.exports = { rawRequest };
