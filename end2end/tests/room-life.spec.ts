import { test, expect } from '@playwright/test';
import { roomOfTwo } from './helpers';

test('the owner renames the room and the member\'s open page follows without a reload', async ({ browser }) => {
  const { ana, bruno } = await roomOfTwo(browser, 'Old name');
  await ana.page.getByRole('button', { name: 'Room settings' }).click();
  const name = ana.page.getByRole('textbox', { name: 'Room name' });
  await expect(name).toHaveValue('Old name');
  await name.fill('New name');
  await ana.page.getByRole('button', { name: 'Rename' }).click();

  for (const page of [ana.page, bruno.page]) {
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('New name');
    await expect(page).toHaveTitle('New name · Roomlink');
    await expect(page.getByRole('list', { name: 'Messages' })).toContainText(`${ana.name} renamed the room to “New name”`);
  }

  // A bad name is refused with the reason, and the name stays.
  await name.fill('   ');
  await ana.page.getByRole('button', { name: 'Rename' }).click();
  await expect(ana.page.locator('form.rename-room').getByRole('alert')).not.toBeEmpty();
  await expect(bruno.page.getByRole('heading', { level: 1 })).toHaveText('New name');
});

test('the owner hands the room over and leaves; the new owner deletes it and the other tab is told', async ({ browser }) => {
  const { ana, bruno } = await roomOfTwo(browser, 'Passing on');
  await ana.page.getByRole('button', { name: 'Room settings' }).click();
  await ana.page.getByRole('combobox', { name: 'New owner' }).selectOption({ label: bruno.name });
  ana.page.once('dialog', (dialog) => dialog.accept());
  await ana.page.getByRole('button', { name: 'Hand over', exact: true }).click();

  // Both pages follow the new roles at once: Bruno gets the owner's tools, Ana may leave.
  await expect(bruno.page.getByRole('button', { name: 'Room settings' })).toBeVisible();
  await expect(ana.page.getByRole('button', { name: 'Room settings' })).toHaveCount(0);
  await expect(ana.page.getByRole('button', { name: 'Leave room' })).toBeVisible();
  await expect(bruno.page.getByRole('button', { name: 'Leave room' })).toHaveCount(0);

  // Deleting needs the name typed again.
  await bruno.page.getByRole('button', { name: 'Room settings' }).click();
  const remove = bruno.page.getByRole('button', { name: 'Delete room' });
  await expect(remove).toBeDisabled();
  await bruno.page.getByRole('textbox', { name: "Type the room's name to confirm" }).fill('Passing on');
  await remove.click();
  await expect(bruno.page.getByRole('heading', { name: 'Your rooms' })).toBeVisible();
  await expect(bruno.page.getByRole('link', { name: 'Passing on' })).toHaveCount(0);
  await expect(ana.page.getByRole('alert').filter({ hasText: `${bruno.name} deleted this room.` })).toBeVisible();
  await ana.page.reload();
  await expect(ana.page.getByRole('heading', { name: 'Passing on' })).toHaveCount(0);
});
