/**
 * What the gate of a region's step sees (gate/analysis.ts `AnalysisIo`): the run's clock, the new and the old
 * color's metrics per target group, the load balancer as a whole, the region's checkpoint before each look,
 * and each look journaled (a passing one quietly: it is the region's status line, not a line of its own).
 */
import { Color } from "../../components/naming";
import { RegionOutputs } from "../../stacks/outputs";
import { AnalysisIo, Look } from "../gate/analysis";
import { JournalPhase } from "../core/ports";
import { RegionContext } from "./regionState";
import { count } from "../core/wording";

export interface GateSubject {
    ctx: RegionContext;
    signal: AbortSignal;
    outputs: RegionOutputs;
    colors: { old: Color; fresh: Color };
    /** The new color's weight being judged. */
    weight: number;
    /** `gate` for a traffic step, `wave` for the wave bake at 100%. */
    phase: Extract<JournalPhase, "gate" | "wave">;
    checkpoint(): Promise<void>;
}

export function gateIo(subject: GateSubject): AnalysisIo {
    const { ctx, outputs, colors, weight } = subject;
    const { clock, metrics } = ctx.ports;
    const colorOf = (role: "new" | "old") => (role === "new" ? colors.fresh : colors.old);
    const what = subject.phase === "wave" ? "wave bake look" : "gate look";
    return {
        now: () => clock.now(),
        sleep: (ms) => clock.sleep(ms, subject.signal),
        query: (role, from, to, latencyThresholdsMs) =>
            metrics.colorMetrics({
                region: ctx.region,
                color: colorOf(role),
                loadBalancer: outputs.loadBalancer.arnSuffix,
                targetGroups: outputs.services.map((s) => ({ service: s.name, targetGroup: outputs.targetGroups[s.name][colorOf(role)].arnSuffix })),
                from,
                to,
                latencyThresholdsMs,
            }),
        loadBalancer: (from, to) => metrics.loadBalancerMetrics({ region: ctx.region, loadBalancer: outputs.loadBalancer.arnSuffix, from, to }),
        checkpoint: () => subject.checkpoint(),
        onLook: (look: Look) =>
            ctx.event(`${what} ${look.look} at ${colors.fresh} ${weight}%: ${look.verdict}${look.measured ? `, ${count(look.measured.requests, "request")}, ${(look.measured.errorRate * 100).toFixed(2)}% errors, p99 ${look.measured.p99Ms === null ? "-" : Math.round(look.measured.p99Ms)} ms` : ""}`, {
                phase: subject.phase,
                detail: { ...(subject.phase === "wave" ? { kind: "look" } : {}), weight, ...look, thresholds: outputs.gate },
                quiet: look.verdict === "pass",
            }),
    };
}
