import type { RunSummary } from '../api';
import { SERIES_COLORS } from '../scene/palette';
import { el } from './dom';

/** What the run list tells the rest of the page. */
export interface RunsPanelEvents {
  /** The set of runs overlaid in the chart changed. */
  onOverlayChange: (names: string[]) => void;
  /** A run was chosen for episode browsing. */
  onSelect: (name: string) => void;
}

/** The run list: a checkbox per run to overlay its curves, its name to browse its episodes. */
export class RunsPanel {
  /** Runs overlaid in the chart. */
  readonly overlay = new Set<string>();
  /** Run whose episodes are shown. */
  selected: string | null = null;
  private runs: RunSummary[] = [];
  private readonly colors = new Map<string, number>();

  constructor(
    private readonly list: HTMLUListElement,
    private readonly events: RunsPanelEvents,
  ) {}

  /** Current runs. */
  get all(): RunSummary[] {
    return this.runs;
  }

  /** A stable colour per run name (assigned in order of first appearance). */
  colorOf(name: string): number {
    if (!this.colors.has(name))
      this.colors.set(name, SERIES_COLORS[this.colors.size % SERIES_COLORS.length]);
    return this.colors.get(name)!;
  }

  /** Shows a new run list, keeping ticks and selection. */
  update(runs: RunSummary[]): void {
    const same = JSON.stringify(runs) === JSON.stringify(this.runs);
    this.runs = runs;
    for (const name of [...this.overlay])
      if (!runs.some((r) => r.name === name)) this.overlay.delete(name);
    if (!same) this.render();
  }

  /** Chooses a run for episode browsing. */
  select(name: string): void {
    this.selected = name;
    this.render();
    this.events.onSelect(name);
  }

  /** Sets the overlaid runs. */
  setOverlay(names: string[]): void {
    this.overlay.clear();
    for (const name of names) this.overlay.add(name);
    this.render();
    this.events.onOverlayChange([...this.overlay]);
  }

  private render(): void {
    if (this.runs.length === 0) {
      this.list.replaceChildren(
        el('li', 'run-meta', 'No runs yet. `npm start` writes some into runs/.'),
      );
      return;
    }
    this.list.replaceChildren(...this.runs.map((run) => this.row(run)));
  }

  private row(run: RunSummary): HTMLLIElement {
    const li = el('li', run.name === this.selected ? 'selected' : undefined);
    li.dataset.run = run.name;
    const box = el('input');
    box.type = 'checkbox';
    box.checked = this.overlay.has(run.name);
    box.title = 'overlay this run in the chart';
    box.style.accentColor = `#${this.colorOf(run.name).toString(16).padStart(6, '0')}`;
    box.addEventListener('change', () => {
      if (box.checked) this.overlay.add(run.name);
      else this.overlay.delete(run.name);
      this.events.onOverlayChange([...this.overlay]);
    });
    const name = el('button', 'run-name', run.name);
    name.addEventListener('click', () => this.select(run.name));
    const what = [run.envId ?? run.experiment, run.agent, run.status].filter(Boolean).join(' · ');
    li.append(box, ' ', name, el('div', 'run-meta', what));
    if (run.error) li.append(el('div', 'error', run.error));
    return li;
  }
}
