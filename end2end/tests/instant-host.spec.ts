import { test, expect } from '@playwright/test';
import { joinAs, stranger, waitLive } from './helpers';

test('the host removes a disruptive guest for good and locks the chat against newcomers', async ({ browser }) => {
  const host = await stranger(browser);
  await host.goto('/');
  await host.getByLabel('Your name (optional)').fill('Ana');
  await host.getByRole('button', { name: 'Start an instant chat' }).click();
  await waitLive(host);
  const link = await host.getByLabel('Chat link').inputValue();

  const troll = await stranger(browser);
  await joinAs(troll, link, 'Troll');
  await waitLive(troll);
  const members = host.getByRole('region', { name: 'Members' });
  await expect(members).toContainText('Troll');

  // Removed: their tab is told at once, everyone sees why they went, and that browser cannot come back.
  await members.getByRole('button', { name: 'Remove Troll' }).click();
  await expect(troll.getByRole('alert').filter({ hasText: 'The host removed you from this chat.' })).toBeVisible();
  await expect(troll.getByRole('textbox', { name: 'Message' })).toBeDisabled();
  await expect(host.locator('ol.timeline li.notice').last()).toContainText('Troll guest was removed by the host');
  await expect(members).not.toContainText('Troll');
  await joinAs(troll, link, 'Nice person');
  await expect(troll.getByRole('alert').filter({ hasText: 'The host removed you from this chat.' })).toBeVisible();

  // Locked: a newcomer is told before and when they try; unlocked, they get in.
  await host.getByRole('button', { name: 'Lock chat' }).click();
  await expect(host.getByRole('button', { name: 'Unlock chat' })).toBeVisible();
  const late = await stranger(browser);
  await late.goto(link);
  await expect(late.getByText('Locked by the host: nobody new can join.')).toBeVisible();
  await joinAs(late, link, 'Late');
  await expect(late.getByRole('alert').filter({ hasText: 'The host locked this chat' })).toBeVisible();
  await host.getByRole('button', { name: 'Unlock chat' }).click();
  await expect(host.getByRole('button', { name: 'Lock chat' })).toBeVisible();
  await joinAs(late, link, 'Late');
  await waitLive(late);
});
