// Journey of volunteer service records: the demonstration volunteer records hours, issues a
// certificate of the verified hours, and anyone verifies it on the public page (name masked).
import { BASE, run, login, expect } from './lib.mjs';

await run('volunteer', async (page, shot) => {
  await login(page, 'volunteer');
  await page.click('nav >> text=志愿者');
  await page.waitForURL(`${BASE}/volunteers`);
  await Promise.all([page.waitForNavigation(), page.click('#volunteers >> text=吴昊')]);
  const before = parseFloat(await page.textContent('#total-hours'));
  await shot(page, 'profile');

  const today = new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
  await page.fill('#activity_name', '社区图书角整理');
  await page.fill('#activity_date', today);
  await page.fill('#place', '柏树街社区图书角');
  await page.fill('#content', '整理图书、登记借阅');
  await page.fill('#hours', '1.5');
  // The unit is picked from the registry, not typed.
  await page.selectOption('#unit', 'committee:341002002001');
  await page.fill('#person_in_charge', '刘敏');
  await Promise.all([page.waitForNavigation(), page.click('#save-record')]);
  const after = parseFloat(await page.textContent('#total-hours'));
  expect(Math.abs(after - before - 1.5) < 1e-9, `the total grows by 1.5 hours (${before} → ${after})`);
  expect((await page.textContent('#records')).includes('社区图书角整理'), 'the record is listed');
  expect((await page.textContent('#records')).includes('未核实'), 'hours entered alone wait for the unit');
  await shot(page, 'recorded');

  await Promise.all([page.waitForNavigation(), page.click('#issue-certificate')]);
  const code = (await page.textContent('#cert-code')).trim();
  expect(/^3410-[A-Z0-9]{4}-[A-Z0-9]{4}$/.test(code), `a verification code is printed (${code})`);
  // Only verified hours: the 1.5 hours entered alone stay off until the unit confirms them.
  expect((await page.textContent('#cert-hours')).trim() === String(before), 'the certificate states the verified hours');
  expect(/^[0-9a-f]{64}$/.test((await page.textContent('#cert-hash')).trim()), 'the content hash is printed');
  await shot(page, 'certificate');

  // The certificate is a bare printable page; log out from the list.
  await page.goto(`${BASE}/volunteers`);
  await Promise.all([page.waitForNavigation(), page.click('#logout')]);

  // Anyone, on a phone, without logging in.
  const phone = await page.context().browser().newPage({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
  await phone.goto(`${BASE}/verify`);
  await phone.fill('#code', code);
  await Promise.all([phone.waitForNavigation(), phone.click('#verify')]);
  const verified = await phone.textContent('#verified');
  expect(verified.includes('证明有效') && verified.includes('吴*'), 'the certificate verifies with the name masked');
  expect(!verified.includes('吴昊'), 'the full name is not shown publicly');
  await shot(phone, 'verified-on-phone');
  await phone.close();
});
