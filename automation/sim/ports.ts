/**
 * The sim engine's set of ports over one state directory.
 */
import { otherColor, regionStack, Color } from "../../components/naming";
import { RegionOutputs } from "../../stacks/outputs";
import { STACKS_DIR } from "../../stacks/stackFiles";
import { VirtualClock } from "../clock";
import { DriverPorts } from "../context";
import { stateJournalDir } from "../journalLocation";
import { FileJournal } from "../real/fileJournal";
import { CrashPlan, ProcessIdentity, SimEngine } from "./engine";
import { SimCallerIdentity } from "./identity";
import { SimLeaseStore } from "./lease";
import { SimArgo, SimInsights, SimJobs, SimLoadBalancer, SimMetrics, SimSubnets } from "./observers";
import { Scenario } from "./scenario";
import { SimStore } from "./store";

export interface SimOptions {
    stateDir: string;
    env: string;
    scenario: Scenario;
    identity: ProcessIdentity;
    crash?: CrashPlan;
    /** Where the committed stack files are. Default: the repository's stacks/. */
    stacksDir?: string;
}

/** Virtual time starts where the last run on this state left it (Argo sync and job timers span runs). */
const EPOCH = Date.parse("2026-01-01T00:00:00Z");

export interface SimPorts extends DriverPorts {
    engine: SimEngine;
    loadBalancer: SimLoadBalancer;
    store: SimStore;
}

export function createSimPorts(options: SimOptions): SimPorts {
    const store = new SimStore(options.stateDir);
    const clock = new VirtualClock(store.readClock() ?? EPOCH);
    const engine = new SimEngine(store, clock, options.scenario, options.identity, options.crash);
    const loadBalancer = new SimLoadBalancer(store, engine, options.env, clock, options.scenario);
    const regionOutputs = (region: string) => engine.deployedOutputs(regionStack(options.env, region)) as RegionOutputs | undefined;
    const newColorOf = (region: string): Color | undefined => {
        const outputs = regionOutputs(region);
        return outputs ? outputs.upgrade?.newColor ?? otherColor(outputs.cronColor) : undefined;
    };

    return {
        kind: "sim",
        durations: options.scenario,
        stacksDir: options.stacksDir ?? STACKS_DIR,
        store,
        engine,
        clock,
        loadBalancer,
        metrics: new SimMetrics(options.scenario, newColorOf, (region) => loadBalancer.history(region), clock),
        argo: new SimArgo(options.scenario, engine, clock),
        jobs: new SimJobs(options.scenario, engine, clock, options.env),
        subnets: new SimSubnets(options.scenario),
        insights: new SimInsights(),
        identity: new SimCallerIdentity(options.scenario, engine, options.env),
        lease: new SimLeaseStore(store, options.identity),
        journal: new FileJournal(stateJournalDir(options.stateDir)),
        close: async () => store.writeClock(clock.now()),
    };
}
