import { Application, RendererType } from 'pixi.js';
import type { Viewport } from '../scene/types';

/** Which renderer PixiJS picked: it falls back silently, so the page reports it. */
export interface RendererInfo {
  /** PixiJS RendererType value: 1 WebGL, 2 WebGPU, 4 Canvas. */
  type: number;
  /** Renderer name, e.g. `'webgl'`. */
  name: string;
  /** True when it is the WebGL renderer. */
  webgl: boolean;
}

/**
 * Creates a PixiJS application on WebGL inside `host`. It renders only when asked
 * (`app.render()`), and keeps its drawing buffer so the page can read its pixels back.
 */
export async function createPixiApp(
  host: HTMLElement,
  size: Viewport,
  background: number,
): Promise<Application> {
  const app = new Application();
  await app.init({
    width: size.width,
    height: size.height,
    background,
    antialias: true,
    preference: 'webgl',
    preserveDrawingBuffer: true,
    resolution: window.devicePixelRatio || 1,
    autoDensity: true,
    autoStart: false,
  });
  app.ticker.stop();
  host.appendChild(app.canvas);
  return app;
}

/** Type and name of an application's renderer. */
export function rendererInfo(app: Application): RendererInfo {
  const type = app.renderer.type as number;
  return { type, name: app.renderer.name, webgl: type === RendererType.WEBGL };
}

let scratch: HTMLCanvasElement | null = null;

/**
 * RGBA of the canvas at CSS pixel (x, y), read back from what was last rendered.
 */
export function readPixel(
  app: Application,
  x: number,
  y: number,
): [number, number, number, number] {
  const canvas = app.canvas as HTMLCanvasElement;
  scratch ??= document.createElement('canvas');
  scratch.width = canvas.width;
  scratch.height = canvas.height;
  const ctx = scratch.getContext('2d', { willReadFrequently: true })!;
  ctx.drawImage(canvas, 0, 0);
  const scale = canvas.width / app.screen.width;
  const data = ctx.getImageData(Math.floor(x * scale), Math.floor(y * scale), 1, 1).data;
  return [data[0], data[1], data[2], data[3]];
}

/**
 * Number of pixels in a CSS-pixel rectangle whose colour is within `tolerance` (per channel)
 * of `color`: how the tests see that a curve was drawn.
 */
export function countColor(
  app: Application,
  color: number,
  rect: { x: number; y: number; width: number; height: number },
  tolerance = 40,
): number {
  const canvas = app.canvas as HTMLCanvasElement;
  scratch ??= document.createElement('canvas');
  scratch.width = canvas.width;
  scratch.height = canvas.height;
  const ctx = scratch.getContext('2d', { willReadFrequently: true })!;
  ctx.drawImage(canvas, 0, 0);
  const s = canvas.width / app.screen.width;
  const data = ctx.getImageData(rect.x * s, rect.y * s, rect.width * s, rect.height * s).data;
  const [r, g, b] = [(color >> 16) & 255, (color >> 8) & 255, color & 255];
  let n = 0;
  for (let i = 0; i < data.length; i += 4) {
    const close =
      Math.abs(data[i] - r) <= tolerance &&
      Math.abs(data[i + 1] - g) <= tolerance &&
      Math.abs(data[i + 2] - b) <= tolerance;
    if (close) n++;
  }
  return n;
}
