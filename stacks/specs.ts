import { z } from "zod";
import { ACCELERATOR_TYPES } from "../components/accelerators";

/** The cloud-neutral accelerator spec as it appears in stack config. */
export const acceleratorSchema = z.strictObject({
  type: z.enum(ACCELERATOR_TYPES),
  count: z.number().int().min(1).optional(),
  topology: z.string().optional(),
});

/** The capacity spec as it appears in stack config. */
export const capacitySchema = z.strictObject({
  min: z.number().int().min(0),
  max: z.number().int().min(1),
  desired: z.number().int().min(0).optional(),
  spot: z
    .strictObject({
      onDemandBase: z.number().int().min(0).optional(),
      onDemandPercentAboveBase: z.number().int().min(0).max(100).optional(),
    })
    .optional(),
});

/** Labels or tags: string keys to string values. */
export const labelsSchema = z.record(z.string(), z.string());

/** The one Kubernetes service account a model store lets read it. */
export const modelReaderSchema = z.strictObject({
  namespace: z.string().optional(),
  serviceAccountName: z.string().optional(),
});
