/**
 * The few facts input validation needs (regions, serving versions), from the stacks or, for a sim state
 * that is not seeded yet, from the committed stack files it would be seeded with: bad input must be
 * refused before anything, seeding included, touches the state.
 */
import { parseStackName } from "../../components/naming";
import { CORE_ADDON_VERSIONS, coreAddonVersions, isMinorVersion } from "../../components/kubernetesVersions";
import { StackFileError, listStacks, readStackFile, stackFilePath } from "../../stacks/stackFiles";
import { BadInputError } from "../core/errors";
import { EnvView, configText } from "../core/fleet";

export interface EnvFacts {
    env: string;
    regions: string[];
    /** Kubernetes version of the cluster serving each region (the cron owner). */
    servingVersions: Record<string, string>;
    /** Each region's services (its target groups), by name. */
    services: Record<string, string[]>;
    /** The env's rollout plan as its Ops stack's config says it (`mitene:rollout`, upgrade/rollout.ts reads it). */
    rollout: unknown;
    opsVersion: string | null;
    /** Versions of the Ops cluster's three layers (they differ in the middle of an in-place upgrade). */
    opsVersions: { controlPlane: string; coreAddons: string; nodeGroups: string } | null;
}

export function factsFromView(view: EnvView): EnvFacts {
    const servingVersions: Record<string, string> = {};
    const services: Record<string, string[]> = {};
    for (const region of view.regions) {
        services[region.region] = region.outputs?.services.map((s) => s.name) ?? serviceNames(region.config["mitene:services"]);
        const owner = region.outputs?.cronColor;
        const cluster = owner ? region.clusters[owner] : undefined;
        if (cluster) servingVersions[region.region] = cluster.version;
    }
    const ops = view.ops?.outputs;
    return {
        env: view.env,
        regions: view.regions.map((r) => r.region),
        servingVersions,
        services,
        rollout: view.ops?.config["mitene:rollout"],
        opsVersion: ops?.kubernetesVersion ?? null,
        opsVersions: ops ? { controlPlane: ops.kubernetesVersion, coreAddons: ops.coreAddonsVersion, nodeGroups: ops.nodeGroupVersion } : null,
    };
}

export function factsFromCommitted(env: string, stacksDir?: string): EnvFacts {
    const regions: string[] = [];
    const servingVersions: Record<string, string> = {};
    const services: Record<string, string[]> = {};
    let rollout: unknown;
    let opsVersions: EnvFacts["opsVersions"] = null;
    for (const stack of listStacks(stacksDir)) {
        const id = parseStackName(stack);
        if (id?.env !== env) continue;
        const config = readStackFile(stack, stacksDir);
        // Read before any program runs (which would list every problem): a version that is none is bad input here.
        const version = (key: string, fallback?: string) => {
            const value = configText(config, key) ?? fallback;
            if (value === undefined || !isMinorVersion(value)) {
                throw new StackFileError(`stack file ${stackFilePath(stack, stacksDir)}: mitene:${key} ${value === undefined ? "is missing" : `"${value}" is not a Kubernetes minor like 1.34`}`);
            }
            // A minor the project has no core add-on versions for cannot deploy: say so here, not as the target it
            // implies. YAML reads an unquoted 1.30 as the number 1.3, the likeliest way to get one.
            if (!coreAddonVersions(value)) {
                const problem =
                    typeof config[`mitene:${key}`] === "number"
                        ? `is the number ${value}: quote the version ("1.30", not 1.30)`
                        : `"${value}" is not a version the project deploys (no core add-on versions known for it: ${Object.keys(CORE_ADDON_VERSIONS).join(", ")}; components/kubernetesVersions.ts)`;
                throw new StackFileError(`stack file ${stackFilePath(stack, stacksDir)}: mitene:${key} ${problem}`);
            }
            return value;
        };
        if (id.kind === "region") {
            regions.push(id.region);
            services[id.region] = serviceNames(config["mitene:services"]);
        }
        if (id.kind === "ops") {
            rollout = config["mitene:rollout"];
            const controlPlane = version("kubernetesVersion");
            opsVersions = { controlPlane, coreAddons: version("coreAddonsVersion", controlPlane), nodeGroups: version("nodeGroupVersion", controlPlane) };
        }
        if (id.kind === "cluster" && configText(config, "cron") === "true") servingVersions[id.region] = version("kubernetesVersion");
    }
    return { env, regions: regions.sort(), servingVersions, services, rollout, opsVersion: opsVersions?.controlPlane ?? null, opsVersions };
}

/** Service names of a region's `mitene:services` as configured (the program validates the rest). */
function serviceNames(value: unknown): string[] {
    return Array.isArray(value) ? value.flatMap((s) => (typeof (s as { name?: unknown })?.name === "string" ? [(s as { name: string }).name] : [])) : [];
}

/** Unknown env: bad input naming the known ones. */
export function requireKnownEnv(facts: EnvFacts, known: string[]): void {
    if (facts.regions.length === 0 && facts.opsVersion === null) {
        throw new BadInputError(`unknown env "${facts.env}"${known.length ? `: known envs are ${known.join(", ")}` : ""}`);
    }
}

/** `--region` values must be regions of the env; none means all, sorted. */
export function selectRegions(facts: EnvFacts, requested: string[]): string[] {
    const unknown = requested.filter((r) => !facts.regions.includes(r));
    if (unknown.length > 0) throw new BadInputError(`unknown region ${unknown.map((r) => `"${r}"`).join(", ")} for env ${facts.env}: its regions are ${facts.regions.join(", ")}`);
    if (new Set(requested).size !== requested.length) throw new BadInputError(`--region repeats a region: ${requested.join(", ")}`);
    return requested.length > 0 ? requested : facts.regions;
}
