import { test, expect } from '@playwright/test';
import { member, send, signUp, uniqueName, waitLive } from './helpers';

test('a teacher invites a student to German; both see the private space; a second German invite is refused', async ({ browser }) => {
  const teacher = await member(browser, 'teacher');
  const t = teacher.page;

  // Not a teacher yet: the dashboard points to the profile, where one becomes one.
  await t.getByRole('link', { name: /Dashboard/ }).click();
  const teaching = t.getByRole('region', { name: 'Teaching' });
  await expect(teaching).toContainText('Mark yourself as a teacher');
  await teaching.getByRole('link', { name: 'profile' }).click();
  await t.getByLabel('I am a teacher').check();
  await t.getByRole('button', { name: 'Save profile' }).click();
  await expect(t.getByText('Roles: teacher.')).toBeVisible();
  await t.getByRole('link', { name: 'Make language invites on your dashboard' }).click();

  // An empty language is refused by the server with a clear message (the browser check is bypassed).
  await t.getByLabel('Language', { exact: true }).evaluate((input: HTMLInputElement) => input.removeAttribute('required'));
  await t.getByLabel('Language', { exact: true }).fill('   ');
  await t.getByRole('button', { name: 'Create language invite' }).click();
  await expect(t.getByRole('alert').filter({ hasText: 'Write the language the invite is for' })).toBeVisible();

  await t.getByLabel('Language', { exact: true }).fill('German');
  await t.getByLabel('Expires after (days, optional)').fill('7');
  await t.getByRole('button', { name: 'Create language invite' }).click();
  const link = await t.getByLabel('German invite link', { exact: true }).inputValue();
  expect(link).toMatch(/\/join\/[A-Za-z0-9_-]{43}$/);
  await expect(t.getByText(/Works once, until/)).toBeVisible();
  const invite = teaching.locator('li.link-item[data-language="German"]');
  await expect(invite).toHaveAttribute('data-status', 'pending');
  // A second German invite (written differently), which the same student will try too.
  await t.getByLabel('Language', { exact: true }).fill('german');
  await t.getByLabel('Expires after (days, optional)').fill('');
  await t.getByRole('button', { name: 'Create language invite' }).click();
  const second = await t.getByLabel('german invite link', { exact: true }).inputValue();
  expect(second).not.toEqual(link);
  await expect(t.getByRole('link', { name: /Dashboard/ })).toContainText('2 pending invite links');

  // The student opens the first link at phone width, logged out, signs up; the second waits in another tab.
  const studentContext = await browser.newContext({ viewport: { width: 375, height: 740 } });
  const student = await studentContext.newPage();
  const studentName = uniqueName('student');
  await student.goto(link);
  await expect(student.getByRole('heading', { name: `German with ${teacher.name}` })).toBeVisible();
  await expect(student.getByText('This link works once.')).toBeVisible();
  await student.getByRole('link', { name: 'Sign up to join' }).click();
  await signUp(student, studentName);
  await expect(student.getByRole('button', { name: `Accept: German with ${teacher.name}` })).toBeVisible();
  const otherTab = await studentContext.newPage();
  await otherTab.goto(second);
  await expect(otherTab.getByRole('button', { name: `Accept: german with ${teacher.name}` })).toBeVisible();
  await student.getByRole('button', { name: `Accept: German with ${teacher.name}` }).click();
  await expect(student).toHaveURL(/\/rooms\/\d+$/);
  await waitLive(student);
  await expect(student.getByRole('heading', { name: `German with ${teacher.name}` })).toBeVisible();
  await expect(student.getByRole('button', { name: 'Share invite link' })).toHaveCount(0);

  // Accepting the second German invite from the same teacher is refused with the reason.
  await otherTab.getByRole('button', { name: `Accept: german with ${teacher.name}` }).click();
  await expect(otherTab.getByRole('alert').filter({ hasText: `You already have a German space with ${teacher.name}.` })).toBeVisible();
  await send(student, 'Hallo!');

  // The student's home lists the space under its language; their profile says student.
  await student.goto('/');
  const spaces = student.getByRole('region', { name: 'Your spaces' });
  await expect(spaces.getByRole('heading', { name: 'German' })).toBeVisible();
  await expect(spaces.getByRole('link', { name: `German with ${teacher.name}` })).toBeVisible();
  await expect(spaces).toContainText('your teacher');
  await student.goto('/profile');
  await expect(student.getByText('Roles: student.')).toBeVisible();

  // The teacher's dashboard: the invite is used by the student, and the space is there.
  await t.reload();
  await expect(invite).toHaveAttribute('data-status', 'used');
  await expect(invite).toContainText(`Used by ${studentName}`);
  await teaching.getByRole('link', { name: `German with ${studentName}` }).click();
  await waitLive(t);
  await expect(t.getByRole('list', { name: 'Messages' })).toContainText('Hallo!');
  await expect(t.getByRole('button', { name: 'Share invite link' })).toHaveCount(0);
  await expect(t.getByRole('button', { name: 'Room settings' })).toHaveCount(0);

  // Opened again, the second link says so at once and leads to the space.
  await student.goto(second);
  await expect(student.getByText(`You already have a German space with ${teacher.name}.`)).toBeVisible();
  await expect(student.getByRole('button', { name: /Accept/ })).toHaveCount(0);
  await student.getByRole('link', { name: 'Open your german space' }).click();
  await waitLive(student);
  await expect(student.getByRole('list', { name: 'Messages' })).toContainText('Hallo!');

  // The teacher opening their own link is told to send it on; they revoke it, and it is dead.
  await t.goto(second);
  await expect(t.getByText('This is your own language invite')).toBeVisible();
  await t.goto('/dashboard');
  const unused = teaching.locator('li.link-item[data-language="german"]');
  await unused.getByRole('button', { name: /Revoke/ }).click();
  await expect(unused).toHaveAttribute('data-status', 'revoked');
  await student.goto(second);
  await expect(student.getByRole('heading', { name: 'This invite link is invalid or has expired' })).toBeVisible();
});
