import { OptionsError, parseCommandLine } from "@hybridai/serving-runtime/src/options";
import { describe, expect, it } from "vitest";

describe("observability and limits flags", () => {
  it("reads them from flags and HYBRIDAI_* variables, leaving absent ones to the server's defaults", () => {
    const command = parseCommandLine(
      [
        "--model-repository",
        "m",
        "--tokens-file",
        "/etc/hybridai/tokens.json",
        "--audit-log",
        "stdout",
      ],
      {
        HYBRIDAI_DRIFT_WINDOW: "500",
        HYBRIDAI_AUDIT_SAMPLE_RATE: "0.25",
        HYBRIDAI_AUDIT_PAYLOAD_BYTES: "1024",
      },
    );
    if (command.kind !== "serve") throw new Error("expected serve");
    expect(command.options).toMatchObject({
      tokensFile: "/etc/hybridai/tokens.json",
      auditLog: "stdout",
      driftWindow: 500,
      auditSampleRate: 0.25,
      auditPayloadBytes: 1024,
    });
    expect(command.options.auditBufferBytes).toBeUndefined();
  });

  it("refuses out-of-range values and the single token together with a tokens file", () => {
    const cases: [string[], RegExp][] = [
      [["--audit-sample-rate", "0"], /--audit-sample-rate '0': expected more than 0/],
      [["--audit-sample-rate", "1.5"], /--audit-sample-rate '1.5': expected at most 1/],
      [["--drift-window=-1"], /--drift-window '-1': expected at least 0/],
      [["--audit-buffer-bytes", "100"], /--audit-buffer-bytes '100': expected at least 4096/],
      [
        ["--auth-token-file", "a", "--tokens-file", "b"],
        /--auth-token-file and --tokens-file exclude each other/,
      ],
    ];
    for (const [flags, message] of cases) {
      const run = () => parseCommandLine(["--model-repository", "m", ...flags], {});
      expect(run, flags.join(" ")).toThrow(OptionsError);
      expect(run, flags.join(" ")).toThrow(message);
    }
  });
});
