import { requestIds } from "@hybridai/serving-runtime/src/request-id";
import { describe, expect, it } from "vitest";

describe("requestIds", () => {
  it("keeps the id a client sent", () => {
    expect(requestIds()("trace-123")).toBe("trace-123");
  });

  it("numbers the requests that send none, or an empty one, under one prefix per server", () => {
    const next = requestIds();
    const ids = [next(undefined), next(""), next(["not", "a", "string"])];
    const prefix = ids[0].split("-")[0];
    expect(prefix).toMatch(/^[0-9a-f]{8}$/);
    expect(ids).toEqual([`${prefix}-1`, `${prefix}-2`, `${prefix}-3`]);
    expect(requestIds()(undefined)).not.toBe(`${prefix}-1`);
  });
});
