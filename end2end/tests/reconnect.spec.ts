import { test, expect } from '@playwright/test';
import { spawn, ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bodies, send, signUp, uniqueName, waitLive } from './helpers';

// This test stops and restarts a server of its own, on its own port and database.
const port = 3197;
const base = `http://127.0.0.1:${port}`;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'roomlink-restart-'));

function startServer(): ChildProcess {
  return spawn('./target/release/roomlink', [], {
    cwd: path.join(__dirname, '..', '..'),
    stdio: 'ignore',
    env: {
      ...process.env,
      ROOMLINK_ADDRESS: `127.0.0.1:${port}`,
      ROOMLINK_DATABASE_URL: `sqlite://${dataDir}/restart.db`,
      ROOMLINK_DATA_DIR: dataDir,
      RUST_LOG: 'warn',
    },
  });
}

async function up(): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${base}/`)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the server did not start');
}

test('a server restart mid-conversation: Reconnecting…, then everything sent meanwhile arrives once, in order', async ({ browser }) => {
  let server = startServer();
  try {
    await up();
    const a = await (await browser.newContext({ baseURL: base })).newPage();
    await a.goto('/signup');
    await signUp(a, uniqueName('ana'));
    await a.getByLabel('Room name').fill('Restart');
    await a.getByRole('button', { name: 'Create room' }).click();
    await a.getByRole('button', { name: 'Share invite link' }).click();
    const link = await a.getByLabel('Invite link').inputValue();
    const b = await (await browser.newContext({ baseURL: base })).newPage();
    await b.goto(link);
    await b.getByRole('link', { name: 'Sign up to join' }).click();
    await signUp(b, uniqueName('bruno'));
    await b.getByRole('button', { name: 'Join Restart' }).click();
    await waitLive(a);
    await waitLive(b);
    await send(a, 'before the restart');
    await expect.poll(() => bodies(b)).toEqual(['before the restart']);

    server.kill('SIGKILL');
    await new Promise((r) => server.once('exit', r));
    for (const page of [a, b]) {
      await expect(page.locator('form.composer')).toHaveAttribute('data-link', 'reconnecting');
      await expect(page.getByText(/Reconnecting…/)).toBeVisible();
    }
    const meanwhile = Array.from({ length: 5 }, (_, i) => `while down ${i}`);
    for (const text of meanwhile) await send(a, text);
    await expect(a.locator('li.message.pending')).toHaveCount(5);

    server = startServer();
    const restartedAt = Date.now();
    await up();
    await waitLive(a);
    await waitLive(b);
    await expect.poll(() => bodies(b), { timeout: 40_000 }).toEqual(['before the restart', ...meanwhile]);
    console.log(`after the restart, the other tab had every queued message ${Date.now() - restartedAt} ms later`);
    await expect(a.locator('li.message.pending')).toHaveCount(0);
    expect(await bodies(a)).toEqual(['before the restart', ...meanwhile]);
  } finally {
    server.kill('SIGKILL');
  }
});
