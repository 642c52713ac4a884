import type { SourceFrame } from "../../../components/testing";
import { CheckInputError } from "./errors";
import { errorSite, sourceScope } from "./source-location";

/** Why a check could not run (exit 2), as the machine-readable reports state it. */
export interface CheckFailure {
  /** What went wrong, as stderr says it. */
  message: string;
  /** The component that rejected its input (a `HybridAiConfigError`'s), else null. */
  component: string | null;
  /** The rejected field's dotted path (a `HybridAiConfigError`'s), else null. */
  field: string | null;
  /** The stack being checked, when the command line got that far. */
  stack?: string;
  /** The folder paths are relative to (the project's, else the working folder). */
  projectDir: string;
  /** The line of the user's source that threw, when the program did. */
  site?: SourceFrame;
}

/** Where the check had got to when it failed. */
export interface FailureContext {
  /** The stack, once known. */
  stack?: string;
  /** The project folder, once known; the working folder before. */
  projectDir: string;
  /** The program, once known. */
  program?: string;
}

/** The component and field of a `HybridAiConfigError` (recognised by shape, across copies). */
function configErrorFields(error: unknown): { component: string; field: string } | undefined {
  if (!(error instanceof Error)) return undefined;
  const { component, field } = error as Error & { component?: unknown; field?: unknown };
  return typeof component === "string" && typeof field === "string"
    ? { component, field }
    : undefined;
}

/**
 * Describes a failed check: the message, the component and field when the program rejected a
 * component's input (the error itself or the cause the check wrapped it in), and where in the
 * user's source it was thrown.
 */
export function describeFailure(error: unknown, context: FailureContext): CheckFailure {
  const cause = error instanceof CheckInputError ? (error.cause ?? error) : error;
  const fields = configErrorFields(cause);
  const site =
    cause === error
      ? undefined
      : errorSite(cause, sourceScope(context.projectDir, context.program ?? context.projectDir));
  return {
    message:
      error instanceof CheckInputError
        ? error.message
        : `unexpected error: ${(error as Error)?.message ?? String(error)}`,
    component: fields?.component ?? null,
    field: fields?.field ?? null,
    ...(context.stack !== undefined ? { stack: context.stack } : {}),
    projectDir: context.projectDir,
    ...(site ? { site } : {}),
  };
}
