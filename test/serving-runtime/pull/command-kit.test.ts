import { catchInterrupts, wholeNumber } from "@hybridai/serving-runtime/src/pull/command-kit";
import { messageOf } from "@hybridai/serving-runtime/src/pull/errors";
import { describe, expect, it } from "vitest";

describe("wholeNumber", () => {
  it("reads digits, and gives undefined for an absent flag", () => {
    expect(wholeNumber("attempts", "12")).toBe(12);
    expect(wholeNumber("attempts", "0")).toBe(0);
    expect(wholeNumber("attempts", undefined)).toBeUndefined();
  });

  it("refuses anything but digits, naming the flag and the text", () => {
    for (const text of ["x", "-1", "1.5", "1e3", " 2", ""]) {
      expect(() => wholeNumber("concurrency", text)).toThrow(
        `--concurrency "${text}" is not a whole number`,
      );
    }
  });

  it("keeps a value inside its range, ends included, and names the range otherwise", () => {
    const range = { min: 2, max: 100 };
    expect(wholeNumber("bins", "2", range)).toBe(2);
    expect(wholeNumber("bins", "100", range)).toBe(100);
    expect(() => wholeNumber("bins", "1", range)).toThrow("--bins 1 is out of range; use 2 to 100");
    expect(() => wholeNumber("bins", "101", range)).toThrow(
      "--bins 101 is out of range; use 2 to 100",
    );
  });
});

describe("messageOf", () => {
  it("gives an Error's message, and any other thrown value as text", () => {
    expect(messageOf(new Error("disk full"))).toBe("disk full");
    expect(messageOf("plain")).toBe("plain");
    expect(messageOf(42)).toBe("42");
  });
});

describe("catchInterrupts", () => {
  const listeners = () => [process.listenerCount("SIGINT"), process.listenerCount("SIGTERM")];

  it.each([
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const)("aborts on %s and exits with %i", (signal, code) => {
    const before = listeners();
    const interrupts = catchInterrupts();
    expect(listeners()).toEqual(before.map((count) => count + 1));
    expect(interrupts.signal.aborted).toBe(false);
    expect(interrupts.exitCode()).toBeUndefined();
    process.emit(signal, signal);
    expect(interrupts.signal.aborted).toBe(true);
    expect((interrupts.signal.reason as Error).message).toBe(`interrupted by ${signal}`);
    expect(interrupts.exitCode()).toBe(code);
    interrupts.release();
    expect(listeners()).toEqual(before);
  });

  it("stops listening once released, so a later signal finds the process's own handlers", () => {
    const before = listeners();
    const interrupts = catchInterrupts();
    interrupts.release();
    expect(listeners()).toEqual(before);
    expect(interrupts.signal.aborted).toBe(false);
  });
});
