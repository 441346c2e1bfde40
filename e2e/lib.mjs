// Shared helpers of the browser journeys: launch Debian's Chromium, log in, take screenshots.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';

export const BASE = process.env.SANSHE_BASE_URL || 'http://127.0.0.1:18080';
export const PASSWORD = process.env.SANSHE_DEMO_PASSWORD || 'Sanshe2026';
const OUT = process.env.SANSHE_SHOTS || 'ci-artifacts/screenshots';

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export function shooter(journey) {
  const dir = path.join(OUT, journey);
  fs.mkdirSync(dir, { recursive: true });
  let n = 0;
  return async (page, name) => {
    n += 1;
    const file = path.join(dir, `${String(n).padStart(2, '0')}-${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    console.log(`  screenshot ${file}`);
  };
}

export function expect(cond, message) {
  if (!cond) throw new Error(`journey check failed: ${message}`);
}

export async function login(page, login) {
  await page.goto(`${BASE}/login`);
  await page.fill('#login', login);
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  expect(!page.url().includes('/login'), `login as ${login} succeeded (at ${page.url()})`);
}

export async function run(name, body) {
  const browser = await launch();
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  try {
    await body(page, shooter(name));
    expect(errors.length === 0, `no script errors on the pages (${errors.join('; ')})`);
    console.log(`journey ${name}: passed`);
  } finally {
    await browser.close();
  }
}
