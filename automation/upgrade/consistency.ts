/**
 * Whether the stacks of an env add up before anything acts on them. A run refuses a state it cannot account
 * for (a region stack gone while its clusters live on, traffic on a color that has no cluster, an upgrade
 * record whose new cluster vanished), naming what is missing, rather than guessing and making it worse.
 */
import { COLORS, clusterStack, parseStackName, regionStack } from "../../components/naming";
import { DriverPorts } from "../core/context";
import { StateDamagedError } from "../core/errors";
import { envRegions, observeRegion } from "../core/fleet";

export interface StateProblem {
    message: string;
    stack: string;
}

export async function stateProblems(ports: DriverPorts, env: string): Promise<StateProblem[]> {
    const problems: StateProblem[] = [];
    const regions = new Set(await envRegions(ports.engine, env));
    for (const name of await ports.engine.listStacks()) {
        const id = parseStackName(name);
        if (id?.kind === "cluster" && id.env === env && !regions.has(id.region)) {
            problems.push({ stack: regionStack(env, id.region), message: `cluster stack ${name} exists but its region stack ${regionStack(env, id.region)} does not` });
        }
    }
    for (const region of regions) {
        const view = await observeRegion(ports.engine, env, region);
        if (!view.outputs) {
            if (Object.keys(view.clusters).length > 0) problems.push({ stack: view.stack, message: `region stack ${view.stack} is not deployed but clusters of it exist` });
            continue;
        }
        const { weights, cronColor, upgrade } = view.outputs;
        for (const color of COLORS) {
            const cluster = view.clusters[color];
            const stack = clusterStack(env, region, color);
            if (weights[color] > 0 && !cluster?.outputs && !cluster?.pending) problems.push({ stack, message: `${region}: ${color} carries ${weights[color]}% but has no deployed cluster` });
        }
        const owner = view.clusters[cronColor];
        if (!owner?.outputs && !owner?.pending) problems.push({ stack: clusterStack(env, region, cronColor), message: `${region}: the cron jobs belong to ${cronColor}, which has no deployed cluster` });
        if (upgrade && ["shifting", "retiring", "tearing-down"].includes(upgrade.state) && !view.clusters[upgrade.newColor]) {
            problems.push({ stack: clusterStack(env, region, upgrade.newColor), message: `${region}: an upgrade to ${upgrade.newColor} is ${upgrade.state} but that color has no cluster stack` });
        }
    }
    return problems;
}

/** Throws StateDamagedError naming every problem and where it lives. */
export async function checkState(ports: DriverPorts, env: string): Promise<void> {
    const problems = await stateProblems(ports, env);
    if (problems.length === 0) return;
    const where = (stack: string) => ports.engine.locationOf?.(stack) ?? `stack ${stack}`;
    throw new StateDamagedError(
        `the state of env ${env} does not add up; nothing was changed:\n${problems.map((p) => `  - ${p.message} (${where(p.stack)})`).join("\n")}`,
        problems.map((p) => where(p.stack)),
    );
}
