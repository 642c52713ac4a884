import * as pulumi from "@pulumi/pulumi";
import { edge } from "pulumi-hybridai";

const config = new pulumi.Config();

// The same serving runtime on every site, planned like the cloud's OnnxService. Ring 0 (the
// canary site) rolls out first; ring 1 starts only once ring 0's StatefulSets are ready.
const fleet = new edge.EdgeFleet("ranker", {
  model: { uri: config.require("modelUri"), revision: config.require("modelRevision") },
  sites: config.requireObject<edge.EdgeSite[]>("sites"),
  // Each device keeps two model versions in a cache that survives restarts and a lost uplink.
  cache: { size: "4Gi", keep: 2 },
  // What a device cannot answer in time, or while its queue is full, goes to the cloud; a failed
  // model call is answered as it failed (a malformed request would fail in the cloud too).
  cloudFallback: {
    url: config.require("cloudUrl"),
    tokenSecret: config.requireSecret("cloudToken"),
    timeoutMs: 2000,
    on: ["timeout", "overload"],
  },
});

/** Per site: ring, region, architecture, model revision, image and in-cluster URL. */
export const sites = fleet.sites;
