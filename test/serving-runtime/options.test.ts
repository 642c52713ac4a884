import { OptionsError, parseCommandLine } from "@hybridai/serving-runtime/src/options";
import { describe, expect, it } from "vitest";

describe("parseCommandLine", () => {
  it("applies defaults, reads HYBRIDAI_* variables and lets flags win", () => {
    const command = parseCommandLine(["--model-repository", "m", "--port", "9000"], {
      HYBRIDAI_PORT: "1234",
      HYBRIDAI_HOST: "0.0.0.0",
      HYBRIDAI_STRICT_READINESS: "false",
      HYBRIDAI_INTRA_OP_THREADS: "3",
      HYBRIDAI_DEFAULT_MAX_BATCH_SIZE: "8",
    });
    expect(command).toEqual({
      kind: "serve",
      options: {
        modelRepository: "m",
        host: "0.0.0.0",
        port: 9000,
        grpcPort: 8001,
        bodyLimitBytes: 64 * 1024 * 1024,
        drainTimeoutSeconds: 20,
        drainGraceSeconds: 5,
        defaultMaxBatchSize: 8,
        inlineThresholdMicroseconds: 100,
        intraOpThreads: 3,
        interOpThreads: 1,
        maxQueueSize: 1024,
        cacheSizeBytes: 64 * 1024 * 1024,
        strictReadiness: false,
        logLevel: "info",
        modelControlMode: "none",
        repositoryPollSeconds: 15,
        metricsClientLabels: false,
        requestTimeoutSeconds: 60,
      },
    });
  });

  it("names the flag or variable, the value and what is allowed", () => {
    const cases: [string[], NodeJS.ProcessEnv, RegExp][] = [
      [["--model-repository", "m", "--port=-1"], {}, /--port '-1': expected at least 0/],
      [
        ["--model-repository", "m", "--intra-op-threads", "1.5"],
        {},
        /--intra-op-threads '1.5': expected an integer/,
      ],
      [["--model-repository", "m"], { HYBRIDAI_LOG_LEVEL: "loud" }, /HYBRIDAI_LOG_LEVEL 'loud'/],
      [
        ["--model-repository", "m"],
        { HYBRIDAI_STRICT_READINESS: "maybe" },
        /HYBRIDAI_STRICT_READINESS 'maybe'/,
      ],
      [[], {}, /--model-repository \(or HYBRIDAI_MODEL_REPOSITORY\) is required/],
      [
        ["--model-repository", "m", "--default-max-batch-size", "big"],
        {},
        /--default-max-batch-size 'big'/,
      ],
      [
        ["--model-repository", "m", "--drain-grace-seconds=-1"],
        {},
        /--drain-grace-seconds '-1': expected at least 0/,
      ],
      [["--model-repository", "m", "extra"], {}, /Unexpected argument 'extra'/],
      [
        ["--model-repository", "m", "--grpc-port", "70000"],
        {},
        /--grpc-port '70000': expected at most 65535 \(gRPC port \(default 8001; 0 = no gRPC\)\)/,
      ],
    ];
    for (const [argv, env, pattern] of cases) {
      expect(() => parseCommandLine(argv, env)).toThrow(OptionsError);
      expect(() => parseCommandLine(argv, env)).toThrow(pattern);
    }
  });

  it("defaults --default-max-batch-size to auto and takes a fractional drain grace", () => {
    const command = parseCommandLine(
      ["--model-repository", "m", "--drain-grace-seconds", "0.5"],
      {},
    );
    expect(command.kind === "serve" && command.options.defaultMaxBatchSize).toBe("auto");
    expect(command.kind === "serve" && command.options.drainGraceSeconds).toBe(0.5);
  });

  it("turns gRPC off with port 0, from the flag or HYBRIDAI_GRPC_PORT", () => {
    const fromEnv = parseCommandLine(["--model-repository", "m"], { HYBRIDAI_GRPC_PORT: "0" });
    expect(fromEnv.kind === "serve" && fromEnv.options.grpcPort).toBe(0);
    const fromFlag = parseCommandLine(["--model-repository", "m", "--grpc-port", "9001"], {
      HYBRIDAI_GRPC_PORT: "0",
    });
    expect(fromFlag.kind === "serve" && fromFlag.options.grpcPort).toBe(9001);
  });

  it("recognises --help", () => {
    expect(parseCommandLine(["--help"], {})).toEqual({ kind: "help" });
  });
});
