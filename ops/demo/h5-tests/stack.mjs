// Starts the real demo stack (java -jar target/govgate-demo.jar) in a fresh data directory on free ports, waits
// until /health/ready answers 200 (departments registered, manifest written), and stops it with SIGTERM.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, rmSync, createWriteStream, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const demoDir = resolve(new URL('..', import.meta.url).pathname);
export const targetDir = join(demoDir, 'target');

export async function startDemo({ citizens = 40, timeoutMs = 240_000 } = {}) {
  const jar = join(targetDir, 'govgate-demo.jar');
  if (!existsSync(jar)) throw new Error('build the demo jar first (mvn package): ' + jar);
  const dataDir = mkdtempSync(join(tmpdir(), 'govgate-h5-'));
  mkdirSync(targetDir, { recursive: true });
  const log = createWriteStream(join(targetDir, 'h5-demo.log'));
  const env = Object.assign({}, process.env, {
    GOVGATE_DATA_DIR: dataDir, GOVGATE_HTTP_PORT: '0', GOVGATE_DEMO_CITIZENS: String(citizens),
    GOVGATE_LOG_LEVEL: 'WARN', GOVGATE_LOG_ACCESS_LEVEL: 'WARN'
  });
  const java = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
  const proc = spawn(java, ['-Xmx768m', '-jar', jar], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout.pipe(log);
  proc.stderr.pipe(log);
  let exited = null;
  proc.on('exit', code => { exited = code; });
  const manifestFile = join(dataDir, 'demo-manifest.json');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited !== null) throw new Error('the demo exited with ' + exited + ' (see target/h5-demo.log)');
    if (Date.now() > deadline) { proc.kill('SIGKILL'); throw new Error('the demo did not become ready in time'); }
    if (existsSync(manifestFile)) {
      try {
        const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
        const ready = await fetch(manifest.ops.ready).then(r => r.status).catch(() => 0);
        if (ready === 200) return { manifest, proc, dataDir, stop: () => stopDemo(proc, dataDir) };
      } catch (e) { /* written atomically; not there yet */ }
    }
    await new Promise(r => setTimeout(r, 500));
  }
}

async function stopDemo(proc, dataDir) {
  if (proc.exitCode === null) {
    const gone = new Promise(r => proc.once('exit', r));
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 60_000);
    await gone;
    clearTimeout(timer);
  }
  rmSync(dataDir, { recursive: true, force: true });
}
