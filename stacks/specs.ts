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

/**
 * `tracing` of an ONNX service or an edge fleet (and a site) in stack config: the shape of
 * `OnnxService.tracing`; the component checks the values.
 */
export const tracingSchema = z.strictObject({
  enabled: z.boolean().optional(),
  endpoint: z.string().min(1).optional(),
  collector: z
    .strictObject({
      name: z.string().optional(),
      namespace: z.string().optional(),
      port: z.number().int().optional(),
      podLabels: labelsSchema.optional(),
    })
    .optional(),
  sampleRate: z.number().optional(),
  parentBased: z.boolean().optional(),
  serviceName: z.string().optional(),
  resourceAttributes: labelsSchema.optional(),
});
