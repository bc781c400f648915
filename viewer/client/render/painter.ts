import { Container, Graphics, Text } from 'pixi.js';
import type { Scene, Shape, TextShape } from '../scene/types';

const SANS = 'system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif';
const MONO = 'ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace';

interface PooledText {
  text: Text;
  styleKey: string;
}

/**
 * Draws {@link Scene}s with PixiJS: one Graphics redrawn per scene for all vector shapes, and
 * a pool of Text objects reused from scene to scene (a Text re-rasterises only when its string
 * or style changes, which keeps fast replays cheap). Browser only.
 */
export class ScenePainter {
  /** Add this to the stage. */
  readonly root = new Container();
  private readonly graphics = new Graphics();
  private readonly texts: PooledText[] = [];
  private readonly textLayer = new Container();

  constructor() {
    this.root.addChild(this.graphics, this.textLayer);
  }

  /** Replaces what is drawn with `scene`. */
  paint(scene: Scene): void {
    const g = this.graphics;
    g.clear();
    g.rect(0, 0, scene.width, scene.height).fill(scene.background);
    let used = 0;
    for (const shape of scene.shapes) {
      if (shape.kind === 'text') this.placeText(used++, shape);
      else this.drawShape(g, shape);
    }
    for (let i = used; i < this.texts.length; i++) this.texts[i].text.visible = false;
  }

  private drawShape(g: Graphics, shape: Exclude<Shape, TextShape>): void {
    switch (shape.kind) {
      case 'rect':
        g.rect(shape.x, shape.y, shape.w, shape.h);
        break;
      case 'circle':
        g.circle(shape.x, shape.y, shape.r);
        break;
      case 'polygon':
        g.poly(shape.points, true).fill({ color: shape.fill, alpha: shape.alpha ?? 1 });
        return;
      case 'polyline':
        this.drawPolyline(g, shape.points, shape.color, shape.width, shape.alpha ?? 1);
        return;
    }
    if (shape.fill !== undefined) g.fill({ color: shape.fill, alpha: shape.alpha ?? 1 });
    if (shape.stroke !== undefined)
      g.stroke({ width: shape.strokeWidth ?? 1, color: shape.stroke });
  }

  private drawPolyline(
    g: Graphics,
    points: number[],
    color: number,
    width: number,
    alpha: number,
  ): void {
    if (points.length < 4) return;
    g.moveTo(points[0], points[1]);
    for (let i = 2; i + 1 < points.length; i += 2) g.lineTo(points[i], points[i + 1]);
    g.stroke({ width, color, alpha, cap: 'round', join: 'round' });
  }

  private placeText(i: number, shape: TextShape): void {
    let pooled = this.texts[i];
    if (!pooled) {
      pooled = { text: new Text({ text: '' }), styleKey: '' };
      this.texts.push(pooled);
      this.textLayer.addChild(pooled.text);
    }
    const { text } = pooled;
    const styleKey = `${shape.size}|${shape.color}|${shape.mono ? 1 : 0}`;
    if (pooled.styleKey !== styleKey) {
      text.style = {
        fontSize: shape.size,
        fill: shape.color,
        fontFamily: shape.mono ? MONO : SANS,
      };
      pooled.styleKey = styleKey;
    }
    if (text.text !== shape.text) text.text = shape.text;
    text.anchor.set(shape.anchorX ?? 0, shape.anchorY ?? 0);
    text.position.set(shape.x, shape.y);
    text.visible = true;
  }
}
