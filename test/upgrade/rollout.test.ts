import { strict as assert } from "node:assert";
import fc from "fast-check";
import { rolloutSchema } from "../../stacks/config/schema";
import { BadInputError } from "../../automation/core/errors";
import { RolloutOverrides, describePlan, planRollout, rolloutConfig } from "../../automation/upgrade/rollout";
import { RegionResult, runOutcome } from "../../automation/upgrade/types";

const ENV = ["ap-northeast-1", "eu-west-1", "us-east-1", "us-west-2"];
const DEFAULTS = rolloutSchema.parse({});
const NONE: RolloutOverrides = { canary: [], parallelRegions: false };
const plan = (config: Partial<typeof DEFAULTS> = {}, overrides: Partial<RolloutOverrides> = {}, regions = ENV) => planRollout(regions, ENV, { ...DEFAULTS, ...config }, { ...NONE, ...overrides }, "ops-prod");

describe("upgrade/rollout: the plan of an upgrade", () => {
    it("defaults: the first region is the canary, then one region at a time; a 10m wave bake, 1000 requests, halt", () => {
        assert.deepEqual(plan(), { waves: [["ap-northeast-1"], ["eu-west-1"], ["us-east-1"], ["us-west-2"]], waveBakeMs: 600_000, waveMinRequests: 1000, onRegionRollback: "halt" });
    });

    it("waves by size, by list, and the command line over the config key by key", () => {
        const cases: [string, Partial<typeof DEFAULTS>, Partial<RolloutOverrides>, string[][]][] = [
            ["waves of two", { waves: 2 }, {}, [["ap-northeast-1"], ["eu-west-1", "us-east-1"], ["us-west-2"]]],
            ["a configured canary", { canary: ["us-west-2"] }, {}, [["us-west-2"], ["ap-northeast-1"], ["eu-west-1"], ["us-east-1"]]],
            ["waves by list", { canary: ["eu-west-1"], waves: [["us-west-2", "us-east-1"], ["ap-northeast-1"]] }, {}, [["eu-west-1"], ["us-west-2", "us-east-1"], ["ap-northeast-1"]]],
            ["--canary over the config's", { canary: ["eu-west-1"] }, { canary: ["us-east-1"] }, [["us-east-1"], ["ap-northeast-1"], ["eu-west-1"], ["us-west-2"]]],
            ["two canaries go together", {}, { canary: ["us-west-2", "eu-west-1"] }, [["us-west-2", "eu-west-1"], ["ap-northeast-1"], ["us-east-1"]]],
            ["--max-parallel over the config's lists, in their order", { waves: [["us-west-2"], ["us-east-1", "eu-west-1"]] }, { maxParallel: 3 }, [["ap-northeast-1"], ["us-west-2", "us-east-1", "eu-west-1"]]],
            ["--parallel-regions: every other region in one wave", { waves: 1 }, { parallelRegions: true }, [["ap-northeast-1"], ["eu-west-1", "us-east-1", "us-west-2"]]],
        ];
        for (const [name, config, overrides, waves] of cases) assert.deepEqual(plan(config, overrides).waves, waves, name);
        assert.deepEqual(plan({ waveBakeMinutes: 30, onRegionRollback: "continue" }, { waveBakeMs: 0, waveMinRequests: 7 }), { ...plan(), waveBakeMs: 0, waveMinRequests: 7, onRegionRollback: "continue" });
    });

    it("with --region, plans those regions only: the first named is the canary when no canary of the config is among them", () => {
        assert.deepEqual(plan({}, {}, ["us-west-2", "eu-west-1"]).waves, [["us-west-2"], ["eu-west-1"]]);
        assert.deepEqual(plan({ canary: ["eu-west-1"] }, {}, ["us-west-2", "eu-west-1"]).waves, [["eu-west-1"], ["us-west-2"]]);
    });

    it("places every region of the upgrade in exactly one wave, the canary's first, whatever the config and options", () => {
        const regions = fc.shuffledSubarray(ENV, { minLength: 1 });
        fc.assert(
            fc.property(regions, fc.integer({ min: 1, max: 5 }), fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }), fc.boolean(), (selected, size, maxParallel, parallel) => {
                const result = plan({ waves: size }, { maxParallel: parallel ? undefined : maxParallel, parallelRegions: parallel }, selected);
                assert.deepEqual([...result.waves.flat()].sort(), [...selected].sort());
                assert.deepEqual(result.waves[0], [selected[0]]);
                assert.ok(result.waves.every((wave) => wave.length > 0));
                if (!parallel && maxParallel !== undefined) assert.ok(result.waves.slice(1).every((wave) => wave.length <= maxParallel));
            }),
        );
    });

    it("refuses, naming the value: an unknown or repeated canary, one outside the upgrade, --max-parallel with --parallel-regions, a config naming or missing regions", () => {
        const cases: [() => unknown, RegExp][] = [
            [() => plan({}, { canary: ["mars-1"] }), /--canary "mars-1": not a region of the env/],
            [() => plan({}, { canary: ["us-west-2", "us-west-2"] }), /--canary repeats a region/],
            [() => plan({}, { canary: ["us-west-2"] }, ["eu-west-1"]), /--canary "us-west-2": not among the regions of this upgrade \(eu-west-1\); add --region us-west-2/],
            [() => plan({}, { maxParallel: 2, parallelRegions: true }), /give --max-parallel 2 or --parallel-regions, not both/],
            [() => plan({ canary: ["mars-1"] }), /mitene:rollout\.canary of stack ops-prod names "mars-1", which the env does not have/],
            [() => plan({ waves: [["us-west-2"], ["mars-1"]] }), /mitene:rollout\.waves of stack ops-prod names "mars-1"/],
            [() => plan({ canary: ["us-west-2"], waves: [["us-east-1"]] }), /does not place ap-northeast-1, eu-west-1: add them to a wave/],
        ];
        for (const [attempt, message] of cases) assert.throws(attempt, (e: Error) => e instanceof BadInputError && message.test(e.message), String(message));
        // Without a configured canary, the first region is the canary and need not be listed.
        assert.deepEqual(plan({ waves: [["eu-west-1", "us-east-1", "us-west-2"]] }).waves, [["ap-northeast-1"], ["eu-west-1", "us-east-1", "us-west-2"]]);
    });

    it("reads the config as the Ops stack file says it, every problem named by key", () => {
        assert.deepEqual(rolloutConfig(undefined, "ops-prod"), DEFAULTS);
        assert.deepEqual(rolloutConfig({ waves: "3", waveMinRequests: "50" }, "ops-prod"), { ...DEFAULTS, waves: 3, waveMinRequests: 50 });
        assert.throws(() => rolloutConfig({ onRegionRollback: "panic", waveBakeMinutes: -1 }, "ops-prod"), /stack ops-prod has an invalid rollout plan: mitene:rollout\.waveBakeMinutes: .*; mitene:rollout\.onRegionRollback: /);
        assert.throws(() => rolloutConfig({ canary: ["us-west-2"], waves: [["us-west-2"]] }, "ops-prod"), /us-west-2 placed more than once/);
    });

    it("says the plan in one line", () => {
        assert.equal(describePlan(plan({ waves: 2 }, { canary: ["us-west-2"] })), "canary us-west-2, then ap-northeast-1 + eu-west-1, then us-east-1; wave gate 10m and 1000 requests at 100%; a rollback stops its wave");
        assert.match(describePlan(plan({ waves: 2, waveMinRequests: 1 }, { canary: ["us-west-2"] })), /wave gate 10m and 1 request at 100%/);
    });
});

describe("upgrade/types: a run's outcome from its regions'", () => {
    const region = (result: RegionResult["result"]): RegionResult => ({ region: "r", wave: 0, from: "blue", to: "green", result, reason: null, steps: [] });
    it("is partial when its regions ended differently, halted when the switch stopped it", () => {
        const cases: [RegionResult["result"][], boolean, string][] = [
            [["completed", "completed"], false, "completed"],
            [["completed", "rolled_back"], false, "partial"],
            [["completed", "skipped"], false, "partial"],
            [["paused", "halted"], false, "partial"],
            [["rolled_back", "halted"], false, "partial"],
            [["rolled_back", "skipped"], false, "rolled_back"],
            [["failed", "rolled_back"], false, "failed"],
            [["completed", "halted", "skipped"], true, "halted"],
            [["halted", "halted"], true, "halted"],
            [["paused", "completed"], false, "paused"],
            [["nothing_to_do", "nothing_to_do"], true, "nothing_to_do"],
            [["nothing_to_do", "completed"], false, "completed"],
        ];
        for (const [results, switched, outcome] of cases) assert.equal(runOutcome(results.map(region), switched), outcome, results.join(","));
    });
});
