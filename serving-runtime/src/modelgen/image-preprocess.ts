import type { GraphSpec } from "./onnx-graph";

/** What an image preprocessing model does: the size it resizes to and how it normalises. */
export interface ImagePreprocessOptions {
  /** Model (graph) name. */
  name: string;
  /** Height of the resized image. */
  height: number;
  /** Width of the resized image. */
  width: number;
  /** Factor applied to the 0–255 pixel values first; default 1/255. */
  scale?: number;
  /** Per-channel mean subtracted after scaling (RGB order of the input); default 0.5 each. */
  mean?: readonly [number, number, number];
  /** Per-channel standard deviation divided by last; default 0.5 each. */
  std?: readonly [number, number, number];
  /** Input tensor name; default `image`. */
  input?: string;
  /** Output tensor name; default `normalized`. */
  output?: string;
}

/**
 * An ONNX image preprocessing model, all of it ONNX operators: a batch of 8-bit images of any
 * height and width in HWC layout (`UINT8 [batch, height, width, 3]`, as decoded images come) is
 * cast to float, transposed to NCHW, resized to `height × width` (`Resize`, bilinear,
 * half-pixel coordinates as OpenCV's `INTER_LINEAR`), scaled, and normalised per channel:
 * `(pixel · scale − mean) / std` → `FP32 [batch, 3, height, width]`. The defaults are PaddleOCR's
 * (`/255`, mean and std 0.5). Opset 18, whose `Resize` takes `axes`.
 *
 * @param options target size, normalisation and tensor names
 */
export function imagePreprocessGraph(options: ImagePreprocessOptions): GraphSpec {
  const input = options.input ?? "image";
  const output = options.output ?? "normalized";
  const mean = options.mean ?? [0.5, 0.5, 0.5];
  const std = options.std ?? [0.5, 0.5, 0.5];
  return {
    name: options.name,
    opset: 18,
    inputs: [{ name: input, datatype: "UINT8", shape: ["batch", "height", "width", 3] }],
    outputs: [
      { name: output, datatype: "FP32", shape: ["batch", 3, options.height, options.width] },
    ],
    initializers: [
      { name: "size", dims: [2], values: [options.height, options.width], datatype: "INT64" },
      { name: "scale", dims: [], values: [options.scale ?? 1 / 255] },
      { name: "mean", dims: [1, 3, 1, 1], values: [...mean] },
      { name: "std", dims: [1, 3, 1, 1], values: [...std] },
    ],
    nodes: [
      { op: "Cast", inputs: [input], outputs: ["pixels"], attributes: { to: 1 } },
      {
        op: "Transpose",
        inputs: ["pixels"],
        outputs: ["planar"],
        attributes: { perm: [0, 3, 1, 2] },
      },
      {
        op: "Resize",
        inputs: ["planar", "", "", "size"],
        outputs: ["resized"],
        attributes: { mode: "linear", axes: [2, 3] },
      },
      { op: "Mul", inputs: ["resized", "scale"], outputs: ["scaled"] },
      { op: "Sub", inputs: ["scaled", "mean"], outputs: ["centred"] },
      { op: "Div", inputs: ["centred", "std"], outputs: [output] },
    ],
  };
}
