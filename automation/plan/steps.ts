/**
 * The ordered steps of a cycle to a target: for each env from the first of the cycle to the one planned, the Ops
 * cluster in place one minor at a time, then the service clusters blue/green (one jump when every add-on allows
 * skipping minors, else one minor at a time), then the soak before the next env.
 */
import { compareMinor, nextMinor } from "../../components/kubernetesVersions";
import { soakProblems } from "./order";
import { EnvSnapshot, opsOf, servingClusters } from "./snapshot";
import { PlanStep } from "./types";
import { count } from "../core/wording";

const DAY = 86_400_000;

export interface CycleEnv {
    snapshot: EnvSnapshot;
    /** Blue/green may jump straight to the target (every add-on supports it). */
    mayJump: boolean;
}

const lowest = (versions: string[]) => [...versions].sort(compareMinor)[0];

function envSteps(env: CycleEnv, target: string): Omit<PlanStep, "order">[] {
    const steps: Omit<PlanStep, "order">[] = [];
    const name = env.snapshot.env;
    const ops = opsOf(env.snapshot);
    if (ops) {
        for (let v = lowest([ops.version, ops.coreAddonsVersion]); compareMinor(v, target) < 0; v = nextMinor(v)) {
            const to = nextMinor(v);
            steps.push({ env: name, action: "ops-upgrade", to, command: `mitene ops-upgrade --env ${name} --to ${to}`, detail: `Ops cluster ${ops.cluster} in place: control plane, core add-ons, node groups` });
        }
    }
    const behind = servingClusters(env.snapshot).filter((c) => c.role === "service" && compareMinor(c.version, target) < 0);
    if (behind.length === 0) return steps;
    const from = lowest(behind.map((c) => c.version));
    const targets: string[] = [];
    if (env.mayJump) targets.push(target);
    else for (let v = nextMinor(from); compareMinor(v, target) <= 0; v = nextMinor(v)) targets.push(v);
    for (const to of targets) {
        steps.push({ env: name, action: "upgrade", to, command: `mitene upgrade --env ${name} --to ${to}`, detail: `service clusters blue/green: ${behind.map((c) => `${c.region} ${c.version}`).join(", ")} -> ${to}${env.mayJump && to === target && compareMinor(nextMinor(from), to) < 0 ? " (skipping minors: every add-on supports it)" : ""}` });
    }
    return steps;
}

/** The soak of `env` before `next` moves: days left at `nowMs`. */
function soakStep(env: EnvSnapshot, next: EnvSnapshot, target: string, nowMs: number): Omit<PlanStep, "order"> {
    const soakDays = next.cycle?.soakDays ?? 0;
    const ready = soakProblems(env, target, soakDays, nowMs).length === 0;
    const since = servingClusters(env).filter((c) => c.role === "service").map((c) => c.servingSince).filter((s): s is string => !!s).sort().at(-1);
    const daysLeft = ready ? 0 : since && compareMinor(lowest(servingClusters(env).filter((c) => c.role === "service").map((c) => c.version)), target) >= 0 ? Math.max(0, Math.ceil(soakDays - (nowMs - Date.parse(since)) / DAY)) : soakDays;
    return {
        env: env.env,
        action: "soak",
        to: target,
        command: `wait: ${env.env} serves ${target} for ${count(soakDays, "day")} before ${next.env} moves`,
        detail: ready ? `done: ${env.env} has served ${target} for ${count(soakDays, "day")}` : `${daysLeft} of ${count(soakDays, "day")} left (mitene:versionCycle.soakDays of ops-${next.env})`,
        daysLeft,
        soakDays,
    };
}

/** Every step still to take, numbered, the first env of the cycle first. */
export function cycleSteps(chain: CycleEnv[], target: string, nowMs: number): PlanStep[] {
    const perEnv = chain.map((env) => envSteps(env, target));
    const steps: Omit<PlanStep, "order">[] = [];
    chain.forEach((env, i) => {
        steps.push(...perEnv[i]);
        const next = chain[i + 1];
        // A soak is shown only while an env after it still has steps to take: with nothing to follow, it waits for nothing.
        if (next && perEnv.slice(i + 1).some((s) => s.length > 0)) steps.push(soakStep(env.snapshot, next.snapshot, target, nowMs));
    });
    return steps.map((step, i) => ({ order: i + 1, ...step }));
}
