import { buildBanditScene, isBanditFrame } from './bandit';
import { buildCartPoleScene, isCartPoleFrame } from './cartpole';
import { buildGenericScene } from './generic';
import { buildGridworldScene, isGridFrame } from './gridworld';
import { buildMarketingScene, isMarketingFrame } from './marketing';
import { frameAt, type ReplayInput } from './replay';
import type { Scene } from './types';

/** A renderer family: recognises its frames and lays them out. */
export interface FamilyRenderer {
  /** Family name as written in the episode header. */
  family: string;
  /** True when the frame carries what the builder needs. */
  accepts: (frame: unknown) => boolean;
  /** Builds the scene for the input's current position. */
  build: (input: ReplayInput) => Scene;
}

/** The renderers by family; anything else uses the generic text renderer. */
export const FAMILY_RENDERERS: Record<string, FamilyRenderer> = {
  gridworld: { family: 'gridworld', accepts: isGridFrame, build: buildGridworldScene },
  bandit: { family: 'bandit', accepts: isBanditFrame, build: buildBanditScene },
  cartpole: { family: 'cartpole', accepts: isCartPoleFrame, build: buildCartPoleScene },
  marketing: { family: 'marketing', accepts: isMarketingFrame, build: buildMarketingScene },
};

/** The renderer family used for an episode, from its header (`generic` when unknown). */
export function rendererFamily(family: string): string {
  return FAMILY_RENDERERS[family] ? family : 'generic';
}

/**
 * Builds the scene of the current position with the renderer chosen by the header's
 * `family`. A frame that renderer cannot read (missing, or another shape) falls back to the
 * generic text view with a note, so every recorded episode still replays.
 */
export function buildReplayScene(input: ReplayInput): Scene {
  const renderer = FAMILY_RENDERERS[input.header.family];
  if (!renderer) return buildGenericScene(input);
  const frame = frameAt(input);
  if (renderer.accepts(frame)) return renderer.build(input);
  const why = frame ? `this frame is not a ${renderer.family} frame` : 'no render frame recorded';
  return buildGenericScene(input, `(${why}; showing the step as text)`);
}
