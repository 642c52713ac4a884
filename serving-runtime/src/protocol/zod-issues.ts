import type { z } from "zod";

/** Formats zod issues as `path: message` lines, e.g. `inputs[0].shape: expected array`. */
export function formatZodIssues(error: z.ZodError, limit = 3): string {
  return error.issues
    .slice(0, limit)
    .map((issue) => {
      const path = issue.path
        .map((part, i) =>
          typeof part === "number" ? `[${part}]` : i === 0 ? String(part) : `.${String(part)}`,
        )
        .join("");
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join("; ");
}
