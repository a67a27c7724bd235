// The VS Code workbench as a person drives it — keyboard, mouse, what is on the screen — through playwright-core.
// Every wait is for a condition, bounded, and says on timeout what it waited for and what it saw instead.
import type { Locator, Page } from 'playwright-core';

export type Severity = 'error' | 'warning' | 'info';

export interface Problems {
  errors: number;
  warnings: number;
  /** The status bar shows infos only when there are some. */
  infos: number;
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Where a piece of text is drawn in the active editor. */
export interface TextSpot {
  line: Box;
  /** Width of one character (the editor font is monospace). */
  charWidth: number;
  /** Column of the text in its line (0-based). */
  column: number;
  length: number;
  /** Page coordinates of the text's first character's left edge and the line's middle. */
  x: number;
  y: number;
}

const DEFAULT_TIMEOUT_MS = 20_000;

export class WaitError extends Error {}

/**
 * Polls `probe` until it returns something other than undefined. On timeout throws a WaitError naming `what` and the
 * last thing `seen` reported.
 */
export async function waitUntil<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  options: { timeoutMs?: number; seen?: () => Promise<string> } = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const seen = options.seen
    ? await options.seen().catch((error: unknown) => `(could not tell: ${String(error)})`)
    : undefined;
  const why = lastError instanceof Error ? ` (last error: ${lastError.message.split('\n')[0]})` : '';
  throw new WaitError(
    `timed out after ${timeoutMs / 1000} s waiting for ${what}${why}${seen !== undefined ? `; saw: ${seen}` : ''}`,
  );
}

const nbsp = (text: string) => text.replace(/\u00a0/g, ' ');

export class Workbench {
  constructor(readonly page: Page) {}

  /** The text lines of the active editor (the only one rendered in a single editor group). */
  private get lines(): Locator {
    return this.page.locator('.part.editor .editor-group-container.active .monaco-editor .view-lines .view-line');
  }

  /** Gives the workbench keyboard focus and room: the side bar closed, no welcome page. */
  async prepare(): Promise<void> {
    await this.page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await this.page.locator('.part.activitybar').click({ position: { x: 5, y: 300 } });
    if (await this.page.locator('.part.sidebar').isVisible()) {
      await this.runCommand('View: Close Primary Side Bar');
      await waitUntil('the side bar to close', async () =>
        (await this.page.locator('.part.sidebar').isVisible()) ? undefined : true,
      );
    }
  }

  /** Runs a command by its title from the command palette (F1), as a person would. */
  async runCommand(title: string): Promise<void> {
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ timeout: DEFAULT_TIMEOUT_MS });
    await input.fill(`>${title}`);
    const row = this.page.locator('.quick-input-list .monaco-list-row.focused');
    await waitUntil(
      `the command palette to offer "${title}"`,
      async () => {
        const label = (await row.getAttribute('aria-label', { timeout: 500 })) ?? '';
        // `digest-pin: Pin all images in workspace` or `…, recently used`
        return label === title || label.startsWith(`${title},`) ? true : undefined;
      },
      {
        seen: async () =>
          `focused entry ${JSON.stringify(await row.getAttribute('aria-label', { timeout: 500 }).catch(() => null))}`,
      },
    );
    await this.page.keyboard.press('Enter');
    await waitUntil('the command palette to close', async () =>
      (await this.page.locator('.quick-input-widget').isVisible()) ? undefined : true,
    );
  }

  /** Closes every editor (nothing left open: diagnostics of closed files leave the Problems count). */
  async closeAllEditors(): Promise<void> {
    await this.runCommand('View: Close All Editors');
    await waitUntil('every editor to close', async () =>
      (await this.page.locator('.part.editor .tab').count()) === 0 ? true : undefined,
    );
  }

  /** Opens a workspace file with Quick Open (Ctrl+P) and waits until its text is on the screen. */
  async openFile(relative: string): Promise<void> {
    const name = relative.slice(relative.lastIndexOf('/') + 1);
    await this.page.keyboard.press('Control+P');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ timeout: DEFAULT_TIMEOUT_MS });
    await input.fill(relative);
    const focused = this.page.locator('.quick-input-list .monaco-list-row.focused');
    const folder = relative.includes('/') ? relative.slice(0, relative.lastIndexOf('/')) : undefined;
    await waitUntil(
      `Quick Open to offer ${relative}`,
      async () => {
        const label = (await focused.getAttribute('aria-label', { timeout: 500 })) ?? '';
        // `Dockerfile, file results` (the workspace root) or `deployment.yaml k8s, file results`
        const wanted =
          folder === undefined ? label.startsWith(`${name},`) : label.startsWith(`${name} `) && label.includes(folder);
        if (wanted) return true;
        // Another file of that name first (the one opened last): move down the list.
        if (label.startsWith(`${name} `) || label.startsWith(`${name},`)) await this.page.keyboard.press('ArrowDown');
        return undefined;
      },
      {
        seen: async () =>
          `focused entry ${JSON.stringify(await focused.getAttribute('aria-label', { timeout: 500 }).catch(() => null))}`,
      },
    );
    await this.page.keyboard.press('Enter');
    await waitUntil(`the editor tab of ${relative}`, async () =>
      (await this.page.locator('.part.editor .tab.active', { hasText: name }).count()) > 0 ? true : undefined,
    );
    await waitUntil(`the text of ${relative}`, async () => ((await this.lines.count()) > 0 ? true : undefined));
  }

  /** The text of the active editor's visible lines. */
  async lineTexts(): Promise<string[]> {
    return (await this.lines.allTextContents()).map(nbsp);
  }

  /** Waits until a line of the active editor contains `text`, and returns it. */
  async waitForLine(text: string, timeoutMs?: number): Promise<string> {
    return waitUntil(
      `a line reading ${JSON.stringify(text)}`,
      async () => (await this.lineTexts()).find((line) => line.includes(text)),
      {
        ...(timeoutMs !== undefined ? { timeoutMs } : {}),
        seen: async () => JSON.stringify(await this.lineTexts()),
      },
    );
  }

  /** Where `text` (its first occurrence in the editor) is drawn. */
  async locate(text: string): Promise<TextSpot> {
    await this.waitForLine(text);
    const line = this.lines.filter({ hasText: text }).first();
    const content = nbsp((await line.textContent()) ?? '');
    const lineBox = await line.boundingBox();
    const spans = await line.locator(':scope > span').boundingBox();
    if (!lineBox || !spans || content.length === 0)
      throw new Error(`the line with ${JSON.stringify(text)} is not on the screen`);
    const charWidth = spans.width / content.length;
    const column = content.indexOf(text);
    return {
      line: lineBox,
      charWidth,
      column,
      length: text.length,
      x: spans.x + column * charWidth,
      y: lineBox.y + lineBox.height / 2,
    };
  }

  /** Squiggles of a severity on the screen, in page coordinates. */
  async squiggles(severity: Severity): Promise<Box[]> {
    const boxes = await this.page
      .locator(`.part.editor .editor-group-container.active .monaco-editor .view-overlays .squiggly-${severity}`)
      .evaluateAll((elements) =>
        elements.map((element) => {
          const r = element.getBoundingClientRect();
          return { x: r.x, y: r.y, width: r.width, height: r.height };
        }),
      );
    return boxes.filter((box) => box.width > 0);
  }

  /** The squiggle of `severity` drawn exactly under `text` (start and end within half a character), if any. */
  async squiggleUnder(text: string, severity: Severity): Promise<Box | undefined> {
    const spot = await this.locate(text);
    const tolerance = spot.charWidth / 2 + 1;
    return (await this.squiggles(severity)).find(
      (box) =>
        box.y >= spot.line.y - 1 &&
        box.y + box.height <= spot.line.y + spot.line.height + 1 &&
        Math.abs(box.x - spot.x) <= tolerance &&
        Math.abs(box.x + box.width - (spot.x + spot.length * spot.charWidth)) <= tolerance + spot.charWidth,
    );
  }

  async waitForSquiggleUnder(text: string, severity: Severity, timeoutMs?: number): Promise<Box> {
    return waitUntil(`a ${severity} squiggle under ${JSON.stringify(text)}`, () => this.squiggleUnder(text, severity), {
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      seen: async () =>
        `${severity} squiggles at ${JSON.stringify(await this.squiggles(severity))}; text at ${JSON.stringify(await this.locate(text))}`,
    });
  }

  /** Squiggles of any severity on the line that contains `text`. */
  async squigglesOnLine(text: string): Promise<Array<{ severity: Severity; box: Box }>> {
    const spot = await this.locate(text);
    const found: Array<{ severity: Severity; box: Box }> = [];
    for (const severity of ['error', 'warning', 'info'] as const) {
      for (const box of await this.squiggles(severity)) {
        if (box.y >= spot.line.y - 1 && box.y < spot.line.y + spot.line.height) found.push({ severity, box });
      }
    }
    return found;
  }

  /** The status bar's problem counts (`#status.problems`). */
  async problems(): Promise<Problems> {
    const html = await this.page.locator('#status\\.problems').innerHTML({ timeout: DEFAULT_TIMEOUT_MS });
    const count = (kind: string) => Number(new RegExp(`codicon-${kind}"></span>\\s*(\\d+)`).exec(html)?.[1] ?? 0);
    return { errors: count('error'), warnings: count('warning'), infos: count('info') };
  }

  async waitForProblems(expected: Problems, timeoutMs?: number): Promise<void> {
    const same = (p: Problems) =>
      p.errors === expected.errors && p.warnings === expected.warnings && p.infos === expected.infos;
    await waitUntil(
      `the status bar to count ${describeProblems(expected)}`,
      async () => (same(await this.problems()) ? true : undefined),
      {
        ...(timeoutMs !== undefined ? { timeoutMs } : {}),
        seen: async () => describeProblems(await this.problems()),
      },
    );
  }

  /** The rows of the Problems panel (Ctrl+Shift+M opens it), as their text. */
  async problemsPanelRows(): Promise<string[]> {
    return (await this.page.locator('.markers-panel .monaco-list-row').allInnerTexts()).map((row) =>
      nbsp(row).replace(/\s+/g, ' ').trim(),
    );
  }

  /** Moves the mouse onto `text` and waits for a hover containing `expected`; returns the hover's text. */
  async hover(text: string, expected: string): Promise<string> {
    await this.dismiss();
    const spot = await this.locate(text);
    await this.page.mouse.move(spot.x + Math.min(8, spot.length / 2) * spot.charWidth, spot.y);
    const hover = this.page.locator('.monaco-hover:visible');
    return waitUntil(
      `a hover over ${JSON.stringify(text)} saying ${JSON.stringify(expected)}`,
      async () => {
        const shown = nbsp((await hover.allInnerTexts()).join('\n'));
        return shown.includes(expected) ? shown : undefined;
      },
      { seen: async () => JSON.stringify(nbsp((await hover.allInnerTexts()).join('\n'))) },
    );
  }

  /** Moves the mouse out of the way and closes hovers and menus. */
  async dismiss(): Promise<void> {
    await this.page.mouse.move(2, 2);
    await this.page.keyboard.press('Escape');
    await waitUntil('hovers and menus to close', async () =>
      (await this.page.locator('.monaco-hover:visible, .action-widget:visible').count()) === 0 ? true : undefined,
    );
  }

  /** Puts the cursor on a line and column (1-based) with Go to Line (Ctrl+G). */
  async goTo(line: number, column: number): Promise<void> {
    await this.page.keyboard.press('Control+G');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ timeout: DEFAULT_TIMEOUT_MS });
    await input.fill(`:${line}:${column}`); // Go to Line's own prefix, or Quick Open searches files
    await this.page.keyboard.press('Enter');
    await waitUntil(`the cursor at ${line}:${column}`, async () => {
      const where = await this.page.locator('#status\\.editor\\.selection').innerText({ timeout: 500 });
      return where.includes(`Ln ${line}, Col ${column}`) ? true : undefined;
    });
  }

  /** Puts the cursor inside `text` (its first occurrence) without touching the mouse. */
  async cursorInto(text: string): Promise<void> {
    const lines = await this.allLinesOfModel();
    const index = lines.findIndex((line) => line.includes(text));
    if (index < 0) throw new Error(`no line contains ${JSON.stringify(text)}`);
    await this.goTo(index + 1, lines[index]!.indexOf(text) + 1 + Math.min(8, Math.floor(text.length / 2)));
  }

  /** Lines of the editor; the fixtures are short enough to be on the screen entirely. */
  private async allLinesOfModel(): Promise<string[]> {
    const entries = await this.lines.evaluateAll((elements) =>
      elements.map((element) => ({
        top: Number.parseFloat((element as unknown as { style: { top: string } }).style.top),
        text: element.textContent ?? '',
      })),
    );
    return entries.sort((a, b) => a.top - b.top).map((entry) => nbsp(entry.text));
  }

  /** Opens the quick fix menu (Ctrl+.) at the cursor and returns its action titles, in order. */
  async quickFixes(): Promise<string[]> {
    await this.page.keyboard.press('Control+.');
    const rows = this.page.locator('.action-widget .monaco-list-row.action');
    return waitUntil('the quick fix menu', async () => {
      const titles = (await rows.locator('.title').allInnerTexts()).map(nbsp);
      return titles.length > 0 ? titles : undefined;
    });
  }

  /** In an open quick fix menu, moves to the action titled `title` with the arrow keys and applies it (Enter). */
  async chooseQuickFix(title: string): Promise<void> {
    const titles = this.page.locator('.action-widget .monaco-list-row.action .title');
    const focused = this.page.locator('.action-widget .monaco-list-row.action.focused .title');
    const count = await titles.count();
    for (let step = 0; step <= count; step++) {
      if (nbsp(await focused.innerText({ timeout: 2000 })) === title) {
        await this.page.keyboard.press('Enter');
        await waitUntil('the quick fix menu to close', async () =>
          (await this.page.locator('.action-widget:visible').count()) === 0 ? true : undefined,
        );
        return;
      }
      await this.page.keyboard.press('ArrowDown');
    }
    throw new Error(
      `the quick fix menu has no ${JSON.stringify(title)}: ${JSON.stringify(await titles.allInnerTexts())}`,
    );
  }

  /** Saves the active editor (Ctrl+S) and waits until its tab is no longer dirty. */
  async save(): Promise<void> {
    await this.page.keyboard.press('Control+S');
    await waitUntil('the file to be saved', async () =>
      (await this.page.locator('.part.editor .tab.active.dirty').count()) === 0 ? true : undefined,
    );
  }

  /** Text of the notification toasts on the screen. */
  async notifications(): Promise<string[]> {
    return (await this.page.locator('.notifications-toasts .notification-toast').allInnerTexts()).map((text) =>
      nbsp(text).replace(/\s+/g, ' ').trim(),
    );
  }

  /** The notification toast whose message contains `text`. */
  toast(text: string): Locator {
    return this.page.locator('.notifications-toasts .notification-toast', {
      has: this.page.locator('.notification-list-item-message', { hasText: text }),
    });
  }

  async waitForToast(text: string, timeoutMs?: number): Promise<Locator> {
    const toast = this.toast(text);
    // Once it has faded in: a screenshot then shows it as a person reads it.
    const shown = this.page.locator('.notifications-toasts .notification-toast.notification-fade-in-done', {
      has: this.page.locator('.notification-list-item-message', { hasText: text }),
    });
    await waitUntil(
      `a notification saying ${JSON.stringify(text)}`,
      async () => ((await shown.count()) > 0 ? true : undefined),
      {
        ...(timeoutMs !== undefined ? { timeoutMs } : {}),
        seen: async () => JSON.stringify(await this.notifications()),
      },
    );
    return toast.first();
  }
}

export function describeProblems(p: Problems): string {
  return `${p.errors} error(s), ${p.warnings} warning(s), ${p.infos} info(s)`;
}
