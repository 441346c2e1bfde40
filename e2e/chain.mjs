// Journey of the whole chain, each step by the right role: a resident raises a need on a phone;
// the township approves an
// eligibility; the organization writes an application, revises it and compares the versions,
// and submits it; the community holds the consultation and freezes the signed minutes; the
// representatives' meeting opens, representatives vote on a phone, the sealed result passes the
// application on to the township, which buys it from its fund and records the signed contract;
// the organization delivers and self-evaluates; the committee convenes a clean review group, whose
// chair records the meeting and signs the report; the verdict releases the final tranche, which
// closes the project.
import { BASE, run, login, expect } from './lib.mjs';

async function as(browser, who, phone = false) {
  const viewport = phone ? { width: 390, height: 844 } : { width: 1280, height: 900 };
  const page = await browser.newPage({ viewport, locale: 'zh-CN' });
  await login(page, who);
  return page;
}

async function click(page, selector) {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}

await run('chain', async (desktop, shot) => {
  const browser = desktop.context().browser();

  // 0. A resident raises a need on a phone.
  const resident = await as(browser, 'resident', true);
  await resident.goto(`${BASE}/needs`);
  await resident.fill('#title', '高龄老人需要上门助浴');
  await resident.selectOption('#priority_group', 'special_elderly');
  await resident.selectOption('#channel', 'online');
  await resident.fill('#description', '楼里好几位八十多岁的老人洗澡困难，希望有人定期上门帮忙。');
  await click(resident, '#raise');
  const need = resident.url().split('/needs/')[1];
  expect(/^3410-/.test(need), `the need has its page (${resident.url()})`);
  await shot(resident, 'need-raised-on-phone');
  await resident.close();

  // 1. The township approves the organization's eligibility (no social workers yet: a reason).
  const township = await as(browser, 'township');
  await township.goto(`${BASE}/catalogue`);
  await click(township, '#catalogue >> text=居家养老上门服务');
  const reason = await township.$('#eligibilities input[name=reason]');
  expect(reason !== null, 'the pending eligibility can be decided');
  await reason.fill('社工站派驻社工支持，先行通过');
  await click(township, '.approve-eligibility');
  expect((await township.textContent('#eligibilities')).includes('已具备承接资格'), 'the eligibility is approved');
  await shot(township, 'eligibility-approved');
  await township.close();

  // 2. The organization writes the application; a bad budget line is named and nothing is lost.
  const org = await as(browser, 'orgmanager');
  await org.goto(`${BASE}/projects`);
  await click(org, '#can-write >> text=居家养老上门服务');
  await org.fill('#title', '柏树街居家养老上门服务');
  await org.fill('#background', '入户走访 86 户高龄老人，其中 23 户需要助洁、助浴等上门服务，居民议事会提出由专业组织承接。');
  await org.fill('#goals', '为高龄老人提供上门服务|服务户数|≥ 20 户\n服务满意度|回访问卷|≥ 90%');
  await org.fill('#phases', '筹备|2027-01-01|2027-01-31|招募培训志愿者\n实施|2027-02-01|2027-11-30|每周上门');
  await org.fill('#budget', '上门服务补贴|24000\n耗材|三千');
  await org.check('input[name=social_workers] >> nth=0');
  await org.check(`input[name=needs][value="${need}"]`);
  await click(org, '#save-application');
  expect((await org.textContent('main')).includes('第 2 行'), 'the bad budget line is named');
  expect((await org.inputValue('#background')).includes('入户走访 86 户'), 'the background is kept');
  await shot(org, 'application-refused-kept');
  await org.fill('#budget', '上门服务补贴|24000\n耗材|3000');
  await click(org, '#save-application');
  expect(/\/projects\/3410-/.test(org.url()), `the project has its page (${org.url()})`);
  const project = org.url().split('/projects/')[1];
  expect((await org.textContent('#budget-total')).includes('27,000.00'), 'the budget is totalled');
  await shot(org, 'application-v1');
  await click(org, '#revise');
  await org.fill('#budget', '上门服务补贴|22000\n耗材|3000');
  await org.fill('#note', '按街道意见压缩补贴');
  await click(org, '#save-application');
  expect((await org.textContent('#version')).includes('第 2 版'), 'a second version');
  await click(org, '#compare');
  const changes = await org.textContent('#changes');
  expect(changes.includes('27,000.00 元') && changes.includes('25,000.00 元'), 'the versions side by side');
  await shot(org, 'versions-compared');
  await org.goto(`${BASE}/projects/${project}`);
  await click(org, '#submit-application');
  expect((await org.textContent('#stage')).includes('已提交'), 'submitted');
  await org.close();

  // 3. The community's consultation: attendance, a comment, signed and frozen minutes.
  const community = await as(browser, 'community');
  await community.goto(`${BASE}/consultations`);
  await community.fill('#title', '居家养老项目恳谈会');
  await community.fill('#held_on', '2026-12-10');
  await community.fill('#place', '柏树街社区议事厅');
  await community.check(`input[name=projects][value="${project}"]`);
  await click(community, '#convene');
  for (const [role, name] of [['supervisory_council', '议监会 王建国'], ['representative', '居民代表 冯师傅']]) {
    await community.selectOption('#att-role', role);
    await community.fill('#att-name', name);
    await click(community, '#add-attendee');
  }
  await community.selectOption('#c-project', project);
  await community.fill('#c-speaker', '王建国');
  await community.selectOption('#c-role', 'supervisory_council');
  await community.fill('#c-comment', '优先服务独居高龄老人。');
  await community.fill('#c-change', '目标中写明独居高龄老人优先。');
  await click(community, '#add-comment');
  await community.fill('textarea#summary', '与会人员同意项目，建议优先服务独居高龄老人。');
  await community.fill('#recorder', '刘敏');
  await community.fill('#chair', '张伟');
  await click(community, '#freeze');
  expect((await community.textContent('#minutes-status')).includes('已签字封存'), 'the minutes are frozen');
  expect(await community.$('#add-comment') === null, 'and nothing can be added');
  await shot(community, 'minutes-frozen');

  // 4. The representatives' meeting: roster fixed, attendance, votes, sealed result.
  await community.goto(`${BASE}/votes`);
  await community.fill('#title', '柏树街社区居民代表会议（居家养老）');
  await community.fill('#held_on', '2026-12-20');
  await community.check(`input[name=projects][value="${project}"]`);
  await click(community, '#open-vote');
  const vote = community.url().split('/votes/')[1];
  for (const box of await community.$$('#attendance-form input[name=present]')) await box.check();
  await click(community, '#save-attendance');
  expect((await community.textContent('#quorum')).includes('已达到法定人数'), 'quorum reached');
  await shot(community, 'vote-open');
  for (const [who, phone] of [['representative', true], ['daibiao2', false], ['daibiao3', false]]) {
    const rep = await as(browser, who, phone);
    await rep.goto(`${BASE}/votes/${vote}`);
    await click(rep, `#motion-${project} .vote-yes`);
    expect((await rep.textContent(`#motion-${project}`)).includes('您已对本项投过票'), `${who} voted once`);
    if (phone) await shot(rep, 'voted-on-phone');
    await rep.close();
  }
  await community.goto(`${BASE}/votes/${vote}`);
  await click(community, `#motion-${project} .seal`);
  const tally = await community.textContent(`#motion-${project} .tally`);
  expect(tally.includes('表决通过') && tally.includes('同意 3'), `sealed and announced (${tally})`);
  await shot(community, 'vote-sealed');
  await community.goto(`${BASE}/projects/${project}`);
  expect((await community.textContent('#stage')).includes('表决通过，待街道决定'), 'on to the township');
  expect((await community.textContent('#comments')).includes('独居高龄老人优先'), 'the minutes\' requested change is on the project');
  await shot(community, 'project-passed');
  await community.close();

  // 5. The township decides to buy, from its fund, with reasons.
  const town = await as(browser, 'township');
  // The balance of the township's fund before buying (the demonstration's calls drew on it too).
  const balance = async () => {
    await town.goto(`${BASE}/funds`);
    const cells = await town.$$eval('#funds tr:has-text("昱中街道社区服务专项资金") td', (tds) => tds.map((t) => t.textContent));
    return Number(cells[cells.length - 1].replace(/,/g, ''));
  };
  const before = await balance();
  await town.goto(`${BASE}/projects/${project}`);
  await town.fill('#p-reason', '居民代表会议表决通过，服务需求迫切');
  await town.fill('#p-amount', '25000');
  await click(town, '#buy');
  expect((await town.textContent('#stage')).includes('已决定购买'), 'purchased');
  expect((await town.textContent('#purchase')).includes('25,000.00'), 'the amount assigned is shown');
  // 6. The contract both parties signed, with tranches; the last waits for acceptance.
  await town.fill('#k-start', '2027-01-01');
  await town.fill('#k-end', '2027-12-31');
  await town.fill('#k-deliverables', '每周上门服务不少于 20 户，建立服务台账');
  await town.fill('#k-criteria', '服务户数、满意度达到申请书目标，第三方评估合格');
  await town.fill('#k-tranches', '签约|7500\n中期评估|7500\n验收|10000');
  await town.fill('#k-signed', '2026-12-28');
  await town.fill('#k-purchaser', '昱中街道 陈干事');
  await town.fill('#k-provider', '赵晴');
  await click(town, '#sign-contract');
  expect((await town.textContent('#stage')).includes('已签约'), 'contracted');
  expect((await town.textContent('#tranches')).includes('验收通过后'), 'the final tranche waits for acceptance');
  await shot(town, 'contract-signed');
  await click(town, '#pay-1');
  expect((await town.textContent('#tranches')).includes('已支付'), 'the signing tranche is paid');
  const after = await balance();
  expect(before - after === 25000, `the fund's balance went down by the amount (${before} → ${after})`);
  await shot(town, 'fund-balance');

  // 7. Delivery: the organization records an activity (the resident served), then self-evaluates.
  const org2 = await as(browser, 'orgmanager');
  await org2.goto(`${BASE}/projects/${project}`);
  await org2.fill('#a-date', new Date().toISOString().slice(0, 10));
  await org2.fill('#a-place', '柏树街社区 3 栋');
  await org2.fill('#a-content', '上门助浴 4 户，助洁 2 户');
  await org2.fill('#a-served', '6');
  await org2.fill('#a-groups', 'special_elderly');
  await org2.fill('#a-recipients', 'resident');
  await org2.fill('#a-recipient-names', '王奶奶');
  await click(org2, '#record-activity');
  expect((await org2.textContent('#stage')).includes('实施中'), 'delivering');
  expect((await org2.textContent('#activities')).includes('上门助浴 4 户'), 'the activity is listed');
  await shot(org2, 'activity-recorded');
  // The committee records the mid-term review with the supervisor; the mid-term tranche waits for it.
  const mid = await as(browser, 'community');
  await mid.goto(`${BASE}/projects/${project}`);
  await mid.fill('#mt-findings', '入户走访 6 户，服务台账完整，老人满意；个别上门时间不稳定。');
  await mid.selectOption('#mt-rating', 'good');
  await mid.fill('#mt-supervisor', '许老师');
  mid.once('dialog', (d) => d.accept());
  await click(mid, '#record-midterm');
  expect((await mid.textContent('#midterm')).includes('许老师'), 'the mid-term review is recorded');
  await mid.close();
  await org2.fill('#se-report', '全年上门服务 23 户，超过目标；满意度回访 94%；经费按预算使用，无超支。');
  await org2.fill('#se-case', '独居的王奶奶行动不便，社工评估后链接志愿者每周上门助浴，并联系社区医生随访。');
  await click(org2, '#submit-self-evaluation');
  expect((await org2.textContent('#stage')).includes('已自评'), 'self-evaluated');
  await org2.close();
  await town.goto(`${BASE}/projects/${project}`);
  await click(town, '#pay-2');

  // 8. The committee convenes the review group: a resident who was served (recorded by name) is
  // refused, then a clean group chaired by an expert; the chair records the review meeting, the
  // members score, and the chair (not the committee) signs the report with the verdict.
  const committee = await as(browser, 'community');
  await committee.goto(`${BASE}/projects/${project}`);
  const group = [
    ['何教授', 'expert', 'evaluator'],
    ['许老师', 'expert', 'supervisor'],
    ['王科长', 'department', 'city'],
    ['李主任', 'department', 'tunxi'],
    ['冯师傅', 'representatives', 'representative'],
    ['王奶奶', 'residents', ''],
  ];
  for (const [i, [name, category, login]] of group.entries()) {
    await committee.fill(`#g-name-${i}`, name);
    await committee.selectOption(`#g-category-${i}`, category);
    await committee.fill(`#g-login-${i}`, login);
  }
  await committee.check('#g-chair-0');
  await click(committee, '#form-panel');
  expect((await committee.textContent('#notice')).includes('服务对象'), 'a recipient may not sit on the group');
  expect((await committee.inputValue('#g-name-5')) === '王奶奶', 'the typed members are kept');
  await shot(committee, 'group-refused');
  await committee.fill('#g-name-5', '');
  await committee.selectOption('#g-category-5', '');
  await click(committee, '#form-panel');
  expect((await committee.textContent('#stage')).includes('评议中'), 'under review');
  expect((await committee.textContent('#group-members')).includes('权威机构专家'), 'members are listed with their category');
  expect(await committee.$('#submit-verdict') === null, 'the committee does not sign the report');
  const chair = await as(browser, 'evaluator');
  await chair.goto(`${BASE}/projects/${project}`);
  await chair.fill('#r-method', '查阅服务台账和自评报告，入户走访服务对象，召开评议会听取汇报');
  await chair.fill('#r-date', new Date().toISOString().slice(0, 10));
  await chair.fill('#r-place', '柏树街社区议事厅');
  for (const seq of [1, 2, 3, 4, 5]) await chair.check(`#r-present-${seq}`);
  await click(chair, '#record-meeting');
  expect((await chair.textContent('#review-meeting')).includes('入户走访'), 'the method and meeting are recorded');
  for (const member of ['evaluator', 'supervisor', 'city', 'tunxi', 'representative']) {
    const m = member === 'evaluator' ? chair : await as(browser, member);
    await m.goto(`${BASE}/projects/${project}`);
    for (const [f, v] of [['#s-need', '18'], ['#s-goals', '22'], ['#s-quality', '17'], ['#s-money', '13'], ['#s-satisfaction', '19']]) await m.fill(f, v);
    await click(m, '#submit-score');
    expect(await m.$('#submit-score') === null, `${member} scored once`);
    if (m !== chair) await m.close();
  }
  await chair.goto(`${BASE}/projects/${project}`);
  await chair.selectOption('#v-verdict', 'accepted');
  await chair.fill('#v-report', '评议小组查阅台账、走访服务对象，项目达到申请书目标，同意验收。');
  await click(chair, '#submit-verdict');
  expect((await chair.textContent('#verdict')).includes('验收通过'), 'accepted');
  await shot(chair, 'accepted');
  await chair.close();
  await committee.close();

  // 9. The final tranche, only now, closes the project.
  await town.goto(`${BASE}/projects/${project}`);
  await click(town, '#pay-3');
  expect((await town.textContent('#stage')).includes('已结项'), 'closed after the final payment');
  await shot(town, 'closed');
  await town.close();
});
