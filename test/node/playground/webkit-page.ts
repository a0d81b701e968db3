// The playground helpers of page.ts for WebKit, over W3C WebDriver (selenium-webdriver):
// the same user steps, polled with executeScript since classic WebDriver has no events.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WebDriver } from 'selenium-webdriver';
import { ROOT } from './page.js';

const SHOTS = join(ROOT, 'test-results/playground');

async function until(driver: WebDriver, script: string, args: unknown[], what: string, timeoutMs = 30_000): Promise<void> {
  await driver.wait(async () => Boolean(await driver.executeScript(script, ...args)), timeoutMs, `WebKit: timed out waiting for ${what}`);
}

export async function openPage(driver: WebDriver, url: string): Promise<void> {
  await driver.get(url);
  await until(driver, 'return document.body?.dataset.ready === "true"', [], 'the page to be ready', 20_000);
}

const COUNTS = 'return [document.querySelectorAll("#transcript li").length, document.querySelectorAll("#transcript .halt").length]';
// Over when Send is enabled again, or when a new halt note says the agent stopped for good.
const IDLE = 'return !document.getElementById("send").disabled || document.querySelectorAll("#transcript .halt").length > arguments[0]';

/** Sends a chat message and waits until the agent's turn is over. */
export async function say(driver: WebDriver, message: string): Promise<void> {
  const [lines, halts] = (await driver.executeScript(COUNTS)) as [number, number];
  const input = await driver.findElement({ css: '#chat-input' });
  await input.clear();
  await input.sendKeys(message, '\uE007'); // Enter
  // The turn has started once the message is in the transcript (a scripted turn may end before a poll sees Send disabled).
  await until(driver, 'return document.querySelectorAll("#transcript li").length > arguments[0]', [lines], 'the message to reach the transcript', 10_000);
  await until(driver, IDLE, [halts], 'the agent turn to end', 20_000);
}

/** Clicks a button and waits until it is enabled again. */
export async function press(driver: WebDriver, id: string): Promise<void> {
  await driver.findElement({ css: `#${id}` }).click();
  await until(driver, 'return !document.getElementById(arguments[0]).disabled', [id], `#${id} to finish`);
}

export const text = async (driver: WebDriver, selector: string): Promise<string> =>
  ((await driver.executeScript('return document.querySelector(arguments[0])?.textContent ?? ""', selector)) as string).trim();

export const auditRows = (driver: WebDriver) =>
  driver.executeScript(`return [...document.querySelectorAll('#audit-rows tr')].map((r) => {
    const cells = [...r.querySelectorAll('td')].map((td) => td.textContent ?? '');
    return { seq: Number(cells[0]), action: cells[2], result: cells[3] };
  }).reverse()`) as Promise<{ seq: number; action: string; result: string }[]>;

/** Saves the viewport as test-results/playground/<name>.png. */
export async function shot(driver: WebDriver, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  writeFileSync(join(SHOTS, `${name}.png`), await driver.takeScreenshot(), 'base64');
}
