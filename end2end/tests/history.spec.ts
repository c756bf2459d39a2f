import { test, expect, Page } from '@playwright/test';
import { roomOfTwo, send } from './helpers';

/** Sends `count` messages from this page's user over a WebSocket of its own, and waits for all to be stored. */
async function flood(page: Page, roomId: number, count: number): Promise<void> {
  await page.evaluate(async ({ roomId, count }) => {
    const ws = new WebSocket(`ws://${location.host}/live`);
    await new Promise((ok) => (ws.onopen = ok));
    const topic = `room:${roomId}`;
    let stored = 0;
    const done = new Promise<void>((ok) => {
      ws.onmessage = (e) => {
        const event = JSON.parse(e.data);
        if (event.type === 'message' && event.message.body.startsWith('old ') && ++stored === count) ok();
      };
    });
    ws.send(JSON.stringify({ type: 'subscribe', topic, after_id: 0 }));
    for (let i = 0; i < count; i++) {
      ws.send(JSON.stringify({ type: 'send', topic, client_id: `flood-${i}`, body: `old ${i}` }));
    }
    await done;
    ws.close();
  }, { roomId, count });
}

test('a long room opens at the newest, pages back to the first message, and shows new ones on a button', async ({ browser }) => {
  const { ana, bruno } = await roomOfTwo(browser, 'Archive');
  const roomId = Number(new URL(ana.page.url()).pathname.split('/').pop());
  await flood(ana.page, roomId, 500);

  const page = bruno.page;
  await page.reload();
  const timeline = page.getByRole('list', { name: 'Messages' });
  const bodies = timeline.locator('li.message .body');
  await expect(bodies).toHaveCount(50);
  await expect(bodies.last()).toHaveText('old 499');

  // Scroll to the top again and again: each time the page before loads.
  // As a person does, keep scrolling up until it comes: a scroll to the top
  // that lands while the last page is being put in place (before the page
  // moves the view back to where the reader was) is no scroll at all to the
  // browser (the view was at the top already) and asks for nothing. Setting
  // scrollTop once per page made this test wait forever on a busy machine.
  // One count per round: read twice, a page landing in between made the
  // round wait for a page after the last one.
  for (let i = 0; i < 20; i++) {
    const before = await bodies.count();
    if (before >= 500) break;
    await expect
      .poll(async () => {
        await timeline.evaluate((el) => (el.scrollTop = 0));
        return bodies.count();
      })
      .toBeGreaterThan(before);
  }
  const texts = await bodies.allTextContents();
  expect(texts.length).toBe(500);
  expect(texts).toEqual(Array.from({ length: 500 }, (_, i) => `old ${i}`));
  const ids = await timeline.locator('li.message').evaluateAll((els) => els.map((el) => el.getAttribute('data-id')));
  expect(new Set(ids).size).toBe(500);

  // Scrolled up, a new message from Ana does not move the view: a button offers it.
  await timeline.evaluate((el) => (el.scrollTop = el.scrollHeight / 2));
  const top = await timeline.evaluate((el) => el.scrollTop);
  await send(ana.page, 'fresh news');
  const button = page.getByRole('button', { name: /1 new message/ });
  await expect(button).toBeVisible();
  expect(await timeline.evaluate((el) => el.scrollTop)).toBe(top);
  await button.click();
  await expect(button).toBeHidden();
  await expect(bodies.last()).toBeInViewport();
});
