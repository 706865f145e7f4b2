/**
 * The rollout plan of an upgrade: which regions move traffic in which wave (wave 0 the canary), and what lets
 * a wave start. The env's `mitene:rollout` (stacks/config/schema.ts `rolloutSchema`) says it; the command line
 * overrides it key by key. Pure: regions and options in, a plan or a BadInputError naming the value out.
 */
import { ON_REGION_ROLLBACK, RolloutConfig, rolloutSchema } from "../../stacks/config/schema";
import { BadInputError } from "../core/errors";
import { count } from "../core/wording";

export type OnRegionRollback = (typeof ON_REGION_ROLLBACK)[number];

export interface RolloutPlan {
    /** Regions per wave, in order; wave 0 is the canary. Every region of the upgrade is in exactly one. */
    waves: string[][];
    /** How long every region of a wave serves 100% on the new color, its gate passing, before the next wave starts. */
    waveBakeMs: number;
    /** And how many requests each serves at 100% meanwhile. */
    waveMinRequests: number;
    onRegionRollback: OnRegionRollback;
}

/** What the command line says about the plan; absent keys come from the env's config. */
export interface RolloutOverrides {
    canary: string[];
    maxParallel?: number;
    parallelRegions: boolean;
    waveBakeMs?: number;
    waveMinRequests?: number;
    onRegionRollback?: OnRegionRollback;
}

/** The env's rollout config as the Ops stack file says it; a problem is bad input naming the key. */
export function rolloutConfig(raw: unknown, opsStack: string): RolloutConfig {
    const result = rolloutSchema.safeParse(raw ?? {});
    if (result.success) return result.data;
    const problems = result.error.issues.map((issue) => `mitene:rollout${issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("")}: ${issue.message}`);
    throw new BadInputError(`stack ${opsStack} has an invalid rollout plan: ${problems.join("; ")}`);
}

const chunk = (regions: string[], size: number) => Array.from({ length: Math.ceil(regions.length / size) }, (_, i) => regions.slice(i * size, (i + 1) * size));

/** Regions the config names that the env does not have, and (with waves as lists) regions it does not place. */
function configProblems(config: RolloutConfig, envRegions: string[], opsStack: string): string[] {
    const problems: string[] = [];
    const unknown = (names: string[]) => names.filter((r) => !envRegions.includes(r));
    if (config.canary && unknown(config.canary).length > 0) problems.push(`mitene:rollout.canary of stack ${opsStack} names ${unknown(config.canary).map((r) => `"${r}"`).join(", ")}, which the env does not have (its regions: ${envRegions.join(", ")})`);
    if (Array.isArray(config.waves)) {
        const listed = config.waves.flat();
        if (unknown(listed).length > 0) problems.push(`mitene:rollout.waves of stack ${opsStack} names ${unknown(listed).map((r) => `"${r}"`).join(", ")}, which the env does not have (its regions: ${envRegions.join(", ")})`);
        const unplaced = envRegions.filter((r) => !listed.includes(r) && !(config.canary ?? []).includes(r));
        // The default canary is the first region: a plan that names no canary leaves it out of the lists.
        const placedElsewhere = config.canary ? unplaced : unplaced.slice(unplaced[0] === envRegions[0] ? 1 : 0);
        if (placedElsewhere.length > 0) problems.push(`mitene:rollout.waves of stack ${opsStack} does not place ${placedElsewhere.join(", ")}: add ${placedElsewhere.length === 1 ? "it" : "them"} to a wave`);
    }
    return problems;
}

/**
 * The plan for `regions` (the upgrade's, in command-line order: the first is the canary when neither --canary
 * nor the config names one among them). `envRegions` are all of the env's, for naming unknown ones.
 */
export function planRollout(regions: string[], envRegions: string[], config: RolloutConfig, overrides: RolloutOverrides, opsStack: string): RolloutPlan {
    const problems = configProblems(config, envRegions, opsStack);
    if (problems.length > 0) throw new BadInputError(problems.join("; "));
    if (overrides.maxParallel !== undefined && overrides.parallelRegions) throw new BadInputError(`give --max-parallel ${overrides.maxParallel} or --parallel-regions, not both (--parallel-regions is every region after the canary in one wave)`);
    const unknown = overrides.canary.filter((r) => !envRegions.includes(r));
    if (unknown.length > 0) throw new BadInputError(`--canary ${unknown.map((r) => `"${r}"`).join(", ")}: not a region of the env (its regions: ${envRegions.join(", ")})`);
    if (new Set(overrides.canary).size !== overrides.canary.length) throw new BadInputError(`--canary repeats a region: ${overrides.canary.join(", ")}`);
    const outside = overrides.canary.filter((r) => !regions.includes(r));
    if (outside.length > 0) throw new BadInputError(`--canary ${outside.map((r) => `"${r}"`).join(", ")}: not among the regions of this upgrade (${regions.join(", ")}); add --region ${outside[0]} or leave it out`);

    const configured = (config.canary ?? []).filter((r) => regions.includes(r));
    const canary = overrides.canary.length > 0 ? overrides.canary : configured.length > 0 ? configured : regions.slice(0, 1);
    const listed = Array.isArray(config.waves) ? config.waves.flat() : [];
    const rest = [...listed.filter((r) => regions.includes(r)), ...regions.filter((r) => !listed.includes(r))].filter((r) => !canary.includes(r));
    let waves: string[][];
    if (overrides.parallelRegions) waves = rest.length > 0 ? [rest] : [];
    else if (overrides.maxParallel !== undefined) waves = chunk(rest, overrides.maxParallel);
    else if (typeof config.waves === "number") waves = chunk(rest, config.waves);
    else waves = config.waves.map((wave) => wave.filter((r) => rest.includes(r))).filter((wave) => wave.length > 0);
    const leftover = rest.filter((r) => !waves.flat().includes(r));
    if (leftover.length > 0) waves.push(leftover);
    return {
        waves: [canary, ...waves].filter((wave) => wave.length > 0),
        waveBakeMs: overrides.waveBakeMs ?? config.waveBakeMinutes * 60_000,
        waveMinRequests: overrides.waveMinRequests ?? config.waveMinRequests,
        onRegionRollback: overrides.onRegionRollback ?? config.onRegionRollback,
    };
}

/** "canary ap-northeast-1, then us-west-2 + us-east-1; wave gate 10m and 1000 requests at 100%; a rollback stops its wave" */
export function describePlan(plan: RolloutPlan): string {
    const [canary, ...waves] = plan.waves.map((wave) => wave.join(" + "));
    const order = [`canary ${canary}`, ...waves.map((wave) => `then ${wave}`)].join(", ");
    const rollback = { halt: "stops its wave", continue: "leaves its wave going", "rollback-wave": "rolls its wave back" }[plan.onRegionRollback];
    return `${order}; wave gate ${Math.round((plan.waveBakeMs / 60_000) * 100) / 100}m and ${count(plan.waveMinRequests, "request")} at 100%; a rollback ${rollback}`;
}
