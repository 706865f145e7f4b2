/**
 * How a region's upgrade stops short (a rollback, a failure, a pause, a halt) and where it stands meanwhile:
 * shared by its steps (region.ts) and its tail (retire.ts).
 */

/** Stops a region with a result; the orchestrator records it. */
export class RegionStop extends Error {
    constructor(
        readonly outcome: "failed" | "rolled_back" | "paused" | "halted",
        readonly reason: string,
        /** The stop was the run's doing (the switch, the wave's news), not news of this region's own. */
        readonly directed = false,
    ) {
        super(reason);
    }
}

/** Where a region stands in its upgrade, for the time-left estimate. */
export type RegionStage = "waiting" | "bring-up" | "queued" | "traffic" | "wave-bake" | "tail" | "done";
