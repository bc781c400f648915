/** Small DOM helpers for the viewer's panels (browser only). */

/** The element with `id`, typed; throws when the page lacks it. */
export function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`viewer page is missing #${id}`);
  return element as T;
}

/** Creates an element with a class and text. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className?: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (text !== undefined) element.textContent = text;
  return element;
}

/** Replaces the options of a select, keeping `selected` when present. */
export function setOptions(
  select: HTMLSelectElement,
  options: { value: string; label: string }[],
  selected?: string,
): void {
  select.replaceChildren(
    ...options.map(({ value, label }) => {
      const option = el('option', undefined, label);
      option.value = value;
      return option;
    }),
  );
  if (selected !== undefined && options.some((o) => o.value === selected)) select.value = selected;
}

/** Width available for a canvas inside `host`, clamped to [min, max]. */
export function canvasWidth(host: HTMLElement, min = 480, max = 1400): number {
  return Math.max(min, Math.min(max, Math.floor(host.clientWidth - 4)));
}

/** Message of any thrown value. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
