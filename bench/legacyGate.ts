/**
 * The gate as it was before continuous analysis, kept in the benchmark only, as the figure to beat: one look
 * at the end of each bake window, thresholds compared without regard to counts, too little traffic re-baked
 * until a timeout.
 */
import { GateConfig } from "../stacks/config/schema";
import { GateIo, StepGate } from "./gateHarness";

const SLACK = 0.001;
const rate = (m: { requests: number; errors: number }) => (m.requests > 0 ? m.errors / m.requests : 0);

function verdict(config: GateConfig, fresh: Awaited<ReturnType<GateIo["query"]>>, old: Awaited<ReturnType<GateIo["query"]>>): "pass" | "fail" | "inconclusive" {
    if (fresh.unhealthyHosts > config.maxUnhealthyHosts) return "fail";
    if (fresh.requests < config.minRequests) return "inconclusive";
    if (rate(fresh) > config.maxErrorRate) return "fail";
    if (fresh.p99Ms !== null && fresh.p99Ms > config.maxP99Ms) return "fail";
    if (old.requests >= config.minRequests) {
        if (rate(fresh) > rate(old) * config.maxErrorRateRatio + SLACK) return "fail";
        if (fresh.p99Ms !== null && old.p99Ms !== null && fresh.p99Ms > old.p99Ms * config.maxP99Ratio) return "fail";
    }
    return "pass";
}

export const endOfBakeGate = (bakeMs: number): StepGate => async (io, config) => {
    const giveUpAt = io.now() + config.inconclusiveTimeoutMinutes * 60_000;
    for (;;) {
        await io.sleep(bakeMs);
        const now = io.now();
        const result = verdict(config, await io.query("new", now - bakeMs, now, []), await io.query("old", now - bakeMs, now, []));
        if (result !== "inconclusive" || io.now() >= giveUpAt) return { verdict: result };
    }
};
