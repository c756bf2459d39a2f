import { chromium } from '@playwright/test';
const base = process.argv[2];
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const host = await (await browser.newContext()).newPage();
host.on('console', (m) => console.log('host console', m.type(), m.text()));
await host.goto(base);
await host.waitForSelector('html[data-hydrated]');
await host.getByLabel('Your name (optional)').fill('Ana');
await host.getByRole('button', { name: 'Start an instant chat' }).click();
await host.waitForURL(/\/instant-chat\//);
const chatUrl = host.url();
console.log('chat', chatUrl);
try { await host.waitForSelector('form.composer[data-link="live"]', { timeout: 15000 }); console.log('host live'); } catch (e) { console.log('host NOT live', await host.locator('main').innerHTML().catch(()=>'')); }
const guest = await (await browser.newContext()).newPage();
guest.on('console', (m) => console.log('guest console', m.type(), m.text()));
guest.on('pageerror', (e) => console.log('guest error', String(e)));
await guest.goto(chatUrl);
await guest.waitForSelector('html[data-hydrated]');
await guest.getByLabel('Your name').fill('Carla');
await guest.getByRole('button', { name: 'Join chat' }).click();
try { await guest.waitForSelector('form.composer[data-link="live"]', { timeout: 15000 }); console.log('guest live'); } catch (e) { console.log('guest NOT live', (await guest.locator('main').innerHTML()).slice(0, 1500)); }
const t0=Date.now(); guest.on('request', (r) => { if (r.url().includes('.wasm')) console.log('req', Date.now()-t0, new URL(r.url()).pathname.slice(5,60)); }); guest.on('requestfinished', (r) => { if (r.url().includes('chat')) console.log('done', Date.now()-t0, new URL(r.url()).pathname.slice(5,60)); }); guest.on('console', (m) => console.log('console at', Date.now()-t0, m.text().slice(0,120)));
await guest.reload();
try { await guest.waitForSelector('html[data-hydrated]', { timeout: 15000 }); console.log('guest hydrated after reload'); } catch (e) { console.log('guest NOT hydrated after reload'); }
try { await guest.waitForSelector('form.composer[data-link="live"]', { timeout: 15000 }); console.log('guest live after reload'); } catch (e) { console.log('guest NOT live after reload'); }
await browser.close();
