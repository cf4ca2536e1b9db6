'use strict';
// A real SMTP server for tests: tests/smtp_server.py (Debian's python3-aiosmtpd), writing each
// message to a directory. Loopback only.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

async function startSmtp() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-smtp-'));
  const script = path.join(__dirname, '..', '..', 'smtp_server.py');
  const proc = spawn('/usr/bin/python3', [script, '--port', '0', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr.on('data', (c) => { err += c; });
  const port = await new Promise((resolve, reject) => {
    let out = '';
    const t = setTimeout(() => reject(new Error('SMTP server did not start: ' + err)), 15000);
    proc.stdout.on('data', (c) => {
      out += c;
      const m = /READY (\d+)/.exec(out);
      if (m) { clearTimeout(t); resolve(Number(m[1])); }
    });
    proc.on('exit', (code) => { clearTimeout(t); reject(new Error(`SMTP server exited ${code}: ${err}`)); });
  });
  return {
    port, dir,
    messages: () => fs.readdirSync(dir).filter((f) => f.endsWith('.eml')).sort((a, b) => parseInt(a) - parseInt(b))
      .map((f) => fs.readFileSync(path.join(dir, f), 'utf8')),
    async waitFor(n, timeoutMs = 20000) {
      const t0 = Date.now();
      while (this.messages().length < n) {
        if (Date.now() - t0 > timeoutMs) throw new Error(`expected ${n} message(s), have ${this.messages().length}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return this.messages();
    },
    stop() { proc.kill('SIGTERM'); },
  };
}

module.exports = { startSmtp };
