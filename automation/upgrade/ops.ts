/**
 * The in-place upgrade of the Ops cluster, one minor at a time, in EKS's order: control plane (nodes stay
 * pinned to the old version), core add-ons, node groups (managed rolling update), then a check that Argo CD
 * is healthy again. Each stage is a stack config change plus `up`, skipped when its outputs show it done.
 */
import { opsStack } from "../../components/naming";
import { DriverPorts, Invocation } from "../core/context";
import { opsOutputs } from "../core/fleet";
import { RunLog } from "../record/runLog";
import { endLine } from "../core/wording";

export type OpsStageName = "control plane" | "core add-ons" | "node groups" | "Argo CD health";

export interface OpsStageResult {
    stage: OpsStageName;
    result: "done" | "already done" | "failed";
    detail: string | null;
}

export interface OpsUpgradeResult {
    env: string;
    stack: string;
    to: string;
    result: "completed" | "nothing_to_do" | "failed";
    stages: OpsStageResult[];
    durationMinutes: number;
    /** sim: durationMinutes is virtual time; pulumi: wall time. */
    engine: "sim" | "local" | "pulumi";
    timeline: RunLog["timeline"];
    journal: string;
}

/** The three version keys in the order EKS requires them to move. */
export const OPS_STAGES: { stage: OpsStageName; key: "kubernetesVersion" | "coreAddonsVersion" | "nodeGroupVersion" }[] = [
    { stage: "control plane", key: "kubernetesVersion" },
    { stage: "core add-ons", key: "coreAddonsVersion" },
    { stage: "node groups", key: "nodeGroupVersion" },
];

export interface OpsUpgradeOptions {
    env: string;
    to: string;
    /** Longest wait for Argo CD to report healthy after the node groups rolled. */
    argoTimeoutMs: number;
    pollMs: number;
}

export async function runOpsUpgrade(ports: DriverPorts, invocation: Invocation, options: OpsUpgradeOptions, log: RunLog): Promise<OpsUpgradeResult> {
    const stack = opsStack(options.env);
    const stages: OpsStageResult[] = [];
    const finish = async (result: OpsUpgradeResult["result"]): Promise<OpsUpgradeResult> => {
        const outcome = { env: options.env, stack, to: options.to, result, stages, durationMinutes: log.elapsedMinutes(), engine: ports.kind, timeline: log.timeline, journal: ports.journal.locate(options.env) };
        await log.event(null, endLine("Ops upgrade", result, outcome.durationMinutes), { phase: "end", detail: { result: outcome }, result });
        return outcome;
    };
    await log.event(null, `upgrade the Ops cluster of ${options.env} in place to Kubernetes ${options.to}`, { phase: "start", detail: { command: "ops-upgrade", to: options.to } });

    let changed = false;
    for (const { stage, key } of OPS_STAGES) {
        const outputs = (await opsOutputs(ports.engine, options.env))!;
        if (outputs[key] === options.to) {
            stages.push({ stage, result: "already done", detail: null });
            continue;
        }
        if (invocation.signal.aborted) {
            stages.push({ stage, result: "failed", detail: "cancelled (SIGINT/SIGTERM) before this stage" });
            return finish("failed");
        }
        log.status("ops", stage);
        await log.event("ops", `${stage}: ${outputs[key]} -> ${options.to}`, { phase: "ops" });
        await ports.engine.up(stack, { set: { [`mitene:${key}`]: options.to } }, { signal: invocation.signal });
        stages.push({ stage, result: "done", detail: `${outputs[key]} -> ${options.to}` });
        changed = true;
    }

    log.status("ops", "checking Argo CD");
    const outputs = (await opsOutputs(ports.engine, options.env))!;
    const ref = { region: "ops", color: "blue" as const, clusterName: outputs.clusterName, endpoint: "https://kubernetes.default.svc" };
    const deadline = ports.clock.now() + options.argoTimeoutMs;
    for (;;) {
        const health = await ports.argo.opsApplications(options.env, ref);
        if (health.total > 0 && health.notReady.length === 0) {
            stages.push({ stage: "Argo CD health", result: "done", detail: `${health.total} applications Synced and Healthy` });
            await log.event("ops", `Argo CD healthy: ${health.total} applications Synced and Healthy`, { phase: "argo" });
            return finish(changed ? "completed" : "nothing_to_do");
        }
        if (ports.clock.now() >= deadline) {
            const waiting = health.notReady.map((a) => `${a.name} (${a.sync}/${a.health})`).join(", ") || "no applications";
            stages.push({ stage: "Argo CD health", result: "failed", detail: `not healthy after ${Math.round(options.argoTimeoutMs / 60_000)}m: ${waiting}` });
            return finish("failed");
        }
        await ports.clock.sleep(options.pollMs, invocation.signal);
    }
}
