import type { NodeBounds } from "../accelerators";

/** Zones GKE spreads a regional cluster's node pool over when the pool names none. */
export const GKE_DEFAULT_ZONE_COUNT = 3;

/** How many zones a pool uses and how many nodes GKE starts in each. */
export interface ZonalPlacement {
  /** Zones to use: the first `zoneCount` of the pool's zones. */
  zoneCount: number;
  /** `initialNodeCount`: nodes GKE creates in every one of those zones. */
  perZone: number;
}

/**
 * GKE creates `initialNodeCount` nodes in every zone of a pool, so the nodes at create time are
 * zones × count, and they must lie within the pool's total minimum and maximum. Uses as many of
 * the `zoneCount` zones as allow a per-zone count within the bounds (all of them whenever
 * possible; a fixed floor of one node runs in one zone), and the per-zone count closest to
 * `desired` without exceeding it, but never below the minimum.
 */
export function zonalPlacement(zoneCount: number, bounds: NodeBounds): ZonalPlacement {
  for (let zones = zoneCount; zones >= 1; zones--) {
    const lowest = Math.ceil(bounds.min / zones);
    const highest = Math.floor(bounds.max / zones);
    if (lowest <= highest) {
      const wanted = Math.floor(bounds.desired / zones);
      return { zoneCount: zones, perZone: Math.min(highest, Math.max(lowest, wanted)) };
    }
  }
  // One zone always fits (min ≤ max); reached only for zoneCount 0.
  return { zoneCount: 1, perZone: bounds.desired };
}
