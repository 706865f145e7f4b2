/**
 * The scenario file of the sim engine: traffic and faults per region and color, Argo CD behaviour, free
 * IPs, running jobs and operation durations. Every field is optional; the defaults are a healthy upgrade.
 */
import { MiB, readInputFile } from "../../stacks/inputFile";
import { z } from "zod";
import { BadInputError } from "../core/errors";

/**
 * Every number has a bound, so whatever a scenario says, a rehearsal computes in bounded time and its virtual
 * times stay dates: durations up to a week, latency up to an hour, and up to 1e12 requests a minute, which
 * keeps the counts of the longest window the gate reads (a 24 h bake) exact in a double (below 2^53).
 */
export const SCENARIO_LIMITS = { minutes: 7 * 24 * 60, latencyMs: 3_600_000, requestsPerMinute: 1e12, hosts: 1_000_000, ipsPerSubnet: 2 ** 32 } as const;

const rate = z.number().min(0).max(1);
const minutes = z.number().min(0).max(SCENARIO_LIMITS.minutes);
const latency = z.number().min(0).max(SCENARIO_LIMITS.latencyMs);

const faultSchema = z
    .strictObject({
        /** A region, or "*" for all. */
        region: z.string().default("*"),
        /** Only this service's target group; default every service of the region. */
        service: z.string().min(1).optional(),
        /** `new`: the cluster being introduced; `old`: the one serving before. Default new. */
        color: z.enum(["new", "old"]).default("new"),
        /** Applies once the new color carries at least this percentage. Default 0 (from the first step). */
        fromWeight: z.number().int().min(0).max(100).default(0),
        /** Begins this many minutes after that step's weight was set. Default 0. */
        afterMinutes: minutes.default(0),
        errorRate: rate.optional(),
        p99Ms: latency.optional(),
        /** Unhealthy targets in each target group it hits. */
        unhealthyHosts: z.number().int().min(0).max(SCENARIO_LIMITS.hosts).optional(),
        /**
         * Share of the color's requests the load balancer answers itself with a 5xx (an empty target group's 503, a
         * target it cannot connect to): counted per load balancer only, in no target group's requests.
         */
        loadBalancerErrorRate: rate.optional(),
        /** Every metrics query for the region fails. */
        metricsUnavailable: z.boolean().optional(),
        /** Direct listener-rule writes (the --fast-rollback path) fail in the region, as with AccessDenied. */
        listenerWritesFail: z.boolean().optional(),
    });

/** An EKS upgrade insight as ListInsights/DescribeInsight report it, for one cluster or all (`*`). */
const insightSchema = z.strictObject({
    cluster: z.string().min(1).default("*"),
    /** The target version it is computed for; default any. */
    kubernetesVersion: z.string().regex(/^1\.\d{1,3}$/, "expected a Kubernetes minor like 1.35").optional(),
    id: z.string().optional(),
    name: z.string().min(1),
    status: z.enum(["PASSING", "WARNING", "ERROR", "UNKNOWN"]),
    reason: z.string().default(""),
    recommendation: z.string().optional(),
});

export const scenarioSchema = z.strictObject({
    baseline: z
        .strictObject({
            errorRate: rate.default(0.001),
            p99Ms: latency.default(180),
            /** The region's total; each color gets its weight's share. */
            requestsPerMinute: z.number().min(0).max(SCENARIO_LIMITS.requestsPerMinute).default(6000),
            /** Share of the region's requests per service (0 to 1); services not named split what is left equally. */
            serviceShares: z.record(z.string(), z.number().gt(0).max(1)).optional(),
        })
        .default({ errorRate: 0.001, p99Ms: 180, requestsPerMinute: 6000 }),
    faults: z.array(faultSchema).default([]),
    argo: z
        .strictObject({
            /** Minutes after a cluster is up until its apps are Synced and Healthy. */
            syncMinutes: minutes.default(5),
            /** false: the apps never become healthy. */
            healthy: z.boolean().default(true),
        })
        .default({ syncMinutes: 5, healthy: true }),
    freeIpsPerSubnet: z.number().int().min(0).max(SCENARIO_LIMITS.ipsPerSubnet).default(4000),
    /** Minutes the old cluster's running cron jobs take to finish after cron is disabled there. */
    runningJobsMinutes: minutes.default(3),
    durations: z
        .strictObject({
            clusterUp: minutes.default(18),
            regionUp: minutes.default(1),
            labelUp: minutes.default(1),
            clusterDestroy: minutes.default(12),
            opsControlPlane: minutes.default(10),
            opsAddons: minutes.default(3),
            opsNodes: minutes.default(15),
        })
        .default({ clusterUp: 18, regionUp: 1, labelUp: 1, clusterDestroy: 12, opsControlPlane: 10, opsAddons: 3, opsNodes: 15 }),
    /** Draw request and error counts per bucket around their expected values, and jitter latency, reproducibly. Default off: every figure exact. */
    noise: z.strictObject({ seed: z.number().int() }).optional(),
    /** EKS upgrade insights of the clusters (plan, preflight). Default none. */
    insights: z.array(insightSchema).default([]),
    /** The AWS account the driver's credentials belong to. Default: the env's own (mitene:accountId). */
    callerAccountId: z.string().regex(/^\d{12}$/, "expected a 12-digit AWS account id").optional(),
});

export type Scenario = z.output<typeof scenarioSchema>;
export type Fault = Scenario["faults"][number];

export const DEFAULT_SCENARIO: Scenario = scenarioSchema.parse({});

/** Reads and validates a scenario file; any problem is bad input naming the file and the key. */
export function loadScenario(file: string | undefined): Scenario {
    if (!file) return DEFAULT_SCENARIO;
    let text: string;
    try {
        text = readInputFile(file, 16 * MiB);
    } catch (error) {
        throw new BadInputError(`cannot read scenario file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    let data: unknown;
    try {
        data = JSON.parse(text);
    } catch (error) {
        throw new BadInputError(`scenario file ${file} is not valid JSON: ${(error as Error).message}`);
    }
    const result = scenarioSchema.safeParse(data);
    if (!result.success) {
        const problems = result.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`);
        throw new BadInputError(`scenario file ${file} is invalid: ${problems.join("; ")}`);
    }
    return result.data;
}

/** Faults naming a region `regions` does not have: bad input, or the fault would silently never act. */
export function unknownFaultRegions(scenario: Scenario, regions: string[]): string[] {
    return [...new Set(scenario.faults.map((f) => f.region).filter((r) => r !== "*" && !regions.includes(r)))];
}

/** Each service's share of a region's requests: as the scenario says, the rest split equally among the others. */
export function serviceShares(scenario: Scenario, services: string[]): Record<string, number> {
    const given = scenario.baseline.serviceShares ?? {};
    const unnamed = services.filter((s) => given[s] === undefined);
    const left = Math.max(0, 1 - services.reduce((sum, s) => sum + (given[s] ?? 0), 0));
    return Object.fromEntries(services.map((s) => [s, given[s] ?? left / unnamed.length]));
}

const SHARE_SLACK = 1e-9;

/**
 * What the scenario says about services the env does not have, or shares that do not add up, per region's
 * services: bad input, or a fault or share would silently never act.
 */
export function serviceProblems(scenario: Scenario, services: Record<string, string[]>): string[] {
    const problems: string[] = [];
    const all = new Set(Object.values(services).flat());
    for (const fault of scenario.faults.filter((f) => f.service !== undefined)) {
        const where = fault.region === "*" ? [...all] : services[fault.region] ?? [];
        if (!where.includes(fault.service!)) problems.push(`fault for service "${fault.service}", which ${fault.region === "*" ? "no region of the env has" : `region ${fault.region} does not have`} (services: ${where.join(", ")})`);
    }
    const given = scenario.baseline.serviceShares ?? {};
    for (const name of Object.keys(given).filter((s) => !all.has(s))) problems.push(`baseline.serviceShares names service "${name}", which no region has (services: ${[...all].join(", ")})`);
    for (const [region, names] of Object.entries(services)) {
        const named = names.filter((s) => given[s] !== undefined);
        const sum = named.reduce((total, s) => total + given[s], 0);
        if (sum > 1 + SHARE_SLACK) problems.push(`baseline.serviceShares of ${named.join(", ")} add up to ${sum}, more than all of ${region}'s requests`);
        else if (named.length === names.length && named.length > 0 && Math.abs(sum - 1) > SHARE_SLACK) problems.push(`baseline.serviceShares name every service of ${region} but add up to ${sum}, not 1`);
    }
    return problems;
}
