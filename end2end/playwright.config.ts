import { defineConfig } from '@playwright/test';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// Each run gets a fresh SQLite file in a temporary folder and its own port.
const port = process.env.E2E_PORT ?? '3199';
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'roomlink-e2e-'));
// The SMTP server the app sends its mail to (aiosmtpd, which keeps each
// mail in this maildir: tests/helpers.ts `mailTo` reads it). The path is
// the same in the runner and its workers, which load this file too.
const smtpPort = process.env.E2E_SMTP_PORT ?? '3198';
const mailDir = path.join(os.tmpdir(), `roomlink-e2e-mail-${port}`);
process.env.E2E_MAILDIR = mailDir;

export default defineConfig({
  testDir: './tests',
  timeout: 90_000,
  expect: { timeout: 10_000 },
  workers: 1,
  reporter: 'list',
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    // The pages' language follows the browser's (issue 39): English unless a
    // test asks for another.
    locale: 'en-US',
    launchOptions: {
      // Debian's Chromium: Playwright's own browser download cannot work here.
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
        // A fake microphone, granted without asking, for recording voice messages.
        '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
      ],
    },
  },
  webServer: [{
    command: `rm -rf '${mailDir}' && exec python3 -m aiosmtpd -n -l 127.0.0.1:${smtpPort} -c aiosmtpd.handlers.Mailbox '${mailDir}'`,
    port: Number(smtpPort),
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'ignore',
    stderr: 'pipe',
  }, {
    command: './target/release/roomlink',
    cwd: '..',
    url: `http://127.0.0.1:${port}/`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'ignore',
    stderr: 'pipe',
    env: {
      ROOMLINK_ADDRESS: `127.0.0.1:${port}`,
      ROOMLINK_DATABASE_URL: `sqlite://${dataDir}/e2e.db`,
      ROOMLINK_DATA_DIR: dataDir,
      RUST_LOG: 'warn',
      // The sweeper deletes ended instant chats, after which their links
      // answer 404 instead of 410. Its first run comes this many seconds
      // after start-up (the most Leptos.toml allows): later than the
      // instant-chat test checks the ended chat's 410s, whose timing
      // otherwise met the default 30 s sweep in one run in CI.
      ROOMLINK_INSTANT_CHAT_SWEEP_SECS: '60',
      // The history test fills a room with 500 lines over one socket, and
      // the chat test sends 30 as fast as the page confirms them: no
      // per-socket line budget here (the Rust tests check that budget).
      ROOMLINK_LIVE_LINES_PER_SECOND: '0',
      // Every test signs its people up from this one address.
      ROOMLINK_SIGN_UPS_PER_ADDRESS_PER_HOUR: '0',
      // Recovery by email: mail goes to the aiosmtpd above.
      ROOMLINK_SMTP_HOST: '127.0.0.1',
      ROOMLINK_SMTP_PORT: smtpPort,
      ROOMLINK_SMTP_TLS: 'none',
      ROOMLINK_MAIL_FROM: 'Roomlink <no-reply@roomlink.test>',
      // scripts/test.sh fails the run when the server logs a panic here.
      ROOMLINK_PANIC_LOG: process.env.ROOMLINK_PANIC_LOG ?? '',
    },
  }],
});
