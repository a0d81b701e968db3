import type { WebDriver } from 'selenium-webdriver';

/** Where WebKitWebDriver, MiniBrowser and Xvfb live (each overridable by an environment variable). */
export const WEBKIT_PATHS: { driver: string; browser: string; xvfb: string };
/** Starts a private Xvfb display (or, without Xvfb, uses DISPLAY), WebKitWebDriver and one MiniBrowser session. */
export function launchWebKit(): Promise<{ driver: WebDriver; close(): Promise<void> }>;
