// Journey of the public site on a phone: without logging in, a resident browses from the provinces
// down to their community and finds its projects, their stages, vote results and verdicts.
import { BASE, run, expect } from './lib.mjs';

async function click(page, selector) {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}

await run('public', async (desktop, shot) => {
  const page = await desktop.context().browser().newPage({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
  await page.goto(`${BASE}/login`);
  await click(page, '#public-site');
  for (const name of ['安徽省', '黄山市', '屯溪区', '昱中街道', '柏树街']) {
    await click(page, `#children >> text=${name}`);
  }
  const projects = await page.textContent('#public-projects');
  expect(projects.includes('表决通过') && projects.includes('验收通过'), 'the community\'s projects with votes and verdicts');
  expect((await page.textContent('#public-needs')).includes('人附议'), 'the needs board');
  await shot(page, 'community-on-phone');
  await click(page, '#public-projects >> text=柏树街邻里节项目');
  expect((await page.textContent('#public-stage')).includes('已结项'), 'a closed project\'s public page');
  expect((await page.textContent('#public-tranches')).includes('已支付'), 'its payments');
  await shot(page, 'project-on-phone');
  await page.close();
});
