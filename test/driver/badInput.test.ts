import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { FLEET_REGIONS, writeSyntheticEnv } from "../../fakecloud/fleet";
import { cli, seeded, sim, snapshot, tempState } from "./harness";
import { CommandFailedError } from "../../automation/core/errors";

const UP = ["upgrade", "--env", "prod", "--to", "1.35"];

describe("bad input: exit 2, one line naming the value, nothing changed", () => {
    /** Stack files of a three-region env with this rollout config, beside the state. */
    const trio = (state: string, rollout: Record<string, unknown>) => {
        const dir = path.join(path.dirname(state), "trio-stacks");
        writeSyntheticEnv(dir, { env: "trio", regions: FLEET_REGIONS.slice(0, 3), services: 2, rollout });
        return dir;
    };
    const file = (state: string, name: string, text: string) => {
        const target = path.join(path.dirname(state), name);
        writeFileSync(target, text);
        return target;
    };
    const cases: [string, (state: string) => string[], RegExp][] = [
        ["an unknown command", (s) => sim(s, "frobnicate"), /unknown command/],
        ["an unknown flag", (s) => sim(s, ...UP, "--bogus"), /unknown option '--bogus'/],
        ["a malformed version", (s) => sim(s, "upgrade", "--env", "prod", "--to", "banana"), /--to "banana"/],
        ["a patch version", (s) => sim(s, "upgrade", "--env", "prod", "--to", "1.35.1"), /--to "1\.35\.1" names a patch release/],
        ["--to given twice", (s) => sim(s, ...UP, "--to", "1.36"), /--to given twice \("1\.35" and "1\.36"\)/],
        ["--env given twice", (s) => sim(s, ...UP, "--env", "staging"), /--env given twice/],
        ["--state given twice", (s) => [...sim(s, ...UP), "--state", `${s}-2`], /--state given twice/],
        ["a downgrade", (s) => sim(s, "upgrade", "--env", "prod", "--to", "1.33"), /1\.33 is lower than Kubernetes 1\.34/],
        ["steps not ending at 100", (s) => sim(s, ...UP, "--steps", "5,25,50"), /last step must be 100/],
        ["decreasing steps", (s) => sim(s, ...UP, "--steps", "50,25,100"), /strictly increasing/],
        ["a zero step", (s) => sim(s, ...UP, "--steps", "0,100"), /step 0 is not an integer in 1\.\.100/],
        ["a hexadecimal step", (s) => sim(s, ...UP, "--steps", "0x10,100"), /"0x10" is not a whole percent/],
        ["a binary step", (s) => sim(s, ...UP, "--steps", "0b11,100"), /"0b11" is not a whole percent/],
        ["an exponent step", (s) => sim(s, ...UP, "--steps", "1e1,100"), /"1e1" is not a whole percent/],
        ["a signed step", (s) => sim(s, ...UP, "--steps", "+5,100"), /"\+5" is not a whole percent/],
        ["a malformed bake time", (s) => sim(s, ...UP, "--bake", "ten"), /--bake "ten"/],
        ["a zero bake time", (s) => sim(s, ...UP, "--bake", "0m"), /--bake "0m" is out of range: between 10s and 24h/],
        ["an endless hold", (s) => sim(s, ...UP, "--hold", "99999999h"), /--hold "99999999h" is out of range/],
        ["a zero Argo CD timeout", (s) => sim(s, ...UP, "--argo-timeout", "0m"), /--argo-timeout "0m" is out of range/],
        ["a zero analysis interval", (s) => sim(s, ...UP, "--analysis-interval", "0s"), /--analysis-interval "0s" is out of range/],
        ["a malformed hold time", (s) => sim(s, ...UP, "--hold", "5x"), /--hold "5x"/],
        ["--stop-at that is not a step", (s) => sim(s, ...UP, "--stop-at", "30"), /--stop-at "30" is not one of the steps 5,25,50,100/],
        ["an unknown env", (s) => sim(s, "upgrade", "--env", "nope", "--to", "1.35"), /unknown env "nope".*prod, staging/],
        ["an unknown region", (s) => sim(s, ...UP, "--region", "eu-west-9"), /unknown region "eu-west-9"/],
        ["a repeated region", (s) => sim(s, ...UP, "--region", "us-west-2", "--region", "us-west-2"), /--region repeats a region/],
        ["a missing scenario file", (s) => sim(s, ...UP, "--scenario", "/nonexistent/s.json"), /cannot read scenario file \/nonexistent\/s\.json/],
        ["a scenario that is not JSON", (s) => sim(s, ...UP, "--scenario", file(s, "bad.json", "{")), /not valid JSON/],
        ["a scenario with an unknown key", (s) => sim(s, ...UP, "--scenario", file(s, "bad.json", '{"fautls": []}')), /fautls/],
        ["a scenario value out of range", (s) => sim(s, ...UP, "--scenario", file(s, "bad.json", '{"baseline": {"errorRate": 2}}')), /baseline\.errorRate/],
        ["a scenario fault for a region the env does not have", (s) => sim(s, ...UP, "--scenario", file(s, "bad.json", '{"faults": [{"region": "mars", "errorRate": 0.5}]}')), /fault for region "mars", which env prod does not have/],
        ["a scenario fault for a service the region does not have", (s) => sim(s, ...UP, "--scenario", file(s, "bad.json", '{"faults": [{"region": "us-west-2", "service": "search", "errorRate": 0.5}]}')), /fault for service "search", which region us-west-2 does not have \(services: api, web\)/],
        ["scenario service shares above all of a region's requests", (s) => sim(s, ...UP, "--scenario", file(s, "bad.json", '{"baseline": {"serviceShares": {"api": 0.8, "web": 0.8}}}')), /serviceShares of api, web add up to 1\.6/],
        ["a --canary the env does not have", (s) => sim(s, ...UP, "--canary", "eu-west-9"), /--canary "eu-west-9": not a region of the env \(its regions: ap-northeast-1, us-west-2\)/],
        ["a --canary outside the upgrade's regions", (s) => sim(s, ...UP, "--region", "ap-northeast-1", "--canary", "us-west-2"), /--canary "us-west-2": not among the regions of this upgrade \(ap-northeast-1\)/],
        ["a repeated --canary", (s) => sim(s, ...UP, "--canary", "us-west-2", "--canary", "us-west-2"), /--canary repeats a region/],
        ["--max-parallel 0", (s) => sim(s, ...UP, "--max-parallel", "0"), /--max-parallel "0" is not a whole number of 1 or more/],
        ["a non-numeric --max-parallel", (s) => sim(s, ...UP, "--max-parallel", "all"), /--max-parallel "all"/],
        ["--max-parallel given twice", (s) => sim(s, ...UP, "--max-parallel", "1", "--max-parallel", "2"), /--max-parallel given twice/],
        ["--max-parallel with --parallel-regions", (s) => sim(s, ...UP, "--max-parallel", "2", "--parallel-regions"), /give --max-parallel 2 or --parallel-regions, not both/],
        ["a malformed --wave-bake", (s) => sim(s, ...UP, "--wave-bake", "soon"), /--wave-bake "soon" is not a duration/],
        ["an endless --wave-bake", (s) => sim(s, ...UP, "--wave-bake", "25h"), /--wave-bake "25h" is out of range: between 0s and 24h/],
        ["a negative --wave-min-requests", (s) => sim(s, ...UP, "--wave-min-requests", "-1"), /--wave-min-requests "-1" is not a whole number of requests/],
        ["an exponent --wave-min-requests", (s) => sim(s, ...UP, "--wave-min-requests", "1e3"), /--wave-min-requests "1e3" is not a whole number of requests/],
        ["an unknown --on-region-rollback", (s) => sim(s, ...UP, "--on-region-rollback", "panic"), /--on-region-rollback "panic" must be one of halt, continue, rollback-wave/],
        ["a rollout config naming a region the env does not have", (s) => [...sim(s, "upgrade", "--env", "trio", "--to", "1.35"), "--stacks", trio(s, { canary: ["eu-west-9"] })], /mitene:rollout\.canary of stack ops-trio names "eu-west-9", which the env does not have/],
        ["a rollout config whose waves leave a region out", (s) => [...sim(s, "upgrade", "--env", "trio", "--to", "1.35"), "--stacks", trio(s, { canary: ["us-west-2"], waves: [["us-east-1"]] })], /mitene:rollout\.waves of stack ops-trio does not place ap-northeast-1: add it to a wave/],
        ["a rollout config placing a region twice", (s) => [...sim(s, "upgrade", "--env", "trio", "--to", "1.35"), "--stacks", trio(s, { canary: ["us-west-2"], waves: [["us-west-2", "us-east-1"]] })], /stack ops-trio has an invalid rollout plan: mitene:rollout: us-west-2 placed more than once/],
        ["a rollout config value out of range", (s) => [...sim(s, "upgrade", "--env", "trio", "--to", "1.35"), "--stacks", trio(s, { waveBakeMinutes: -5 })], /mitene:rollout\.waveBakeMinutes/],
        ["halt without --reason", (s) => sim(s, "halt", "--env", "prod"), /required option '--reason <text>' not specified/],
        ["halt with an empty reason", (s) => sim(s, "halt", "--env", "prod", "--reason", "  "), /--reason "  " names nothing/],
        ["halt with a reason of several lines", (s) => sim(s, "halt", "--env", "prod", "--reason", "one\ntwo"), /--reason "one\ntwo\.\.\." spans lines/],
        ["halt with an endless reason", (s) => sim(s, "halt", "--env", "prod", "--reason", "x".repeat(501)), /is 501 characters long: at most 500/],
        ["halt of an unknown env", (s) => sim(s, "halt", "--env", "nope", "--reason", "why"), /unknown env "nope"/],
        ["resume of an unknown env", (s) => sim(s, "resume", "--env", "nope"), /unknown env "nope"/],
        ["a non-numeric --crash-after", (s) => sim(s, ...UP, "--crash-after", "abc"), /--crash-after "abc"/],
        ["--crash-after 0", (s) => sim(s, ...UP, "--crash-after", "0"), /--crash-after "0" is not a whole number of 1 or more/],
        ["an empty --state", () => [...UP, "--engine", "sim", "--state", ""], /--state "" names nothing: give a value/],
        ["a state that is a file", (s) => [...UP, "--engine", "sim", "--state", `${s}/stacks/ops-prod.json`], /is not a directory/],
        ["a state that cannot be created", (s) => [...UP, "--engine", "sim", "--state", `${s}/stacks/ops-prod.json/deeper`], /--state .* is not writable: ENOTDIR/],
        ["an unknown engine", (s) => ["status", "--env", "prod", "--engine", "foo", "--state", s], /--engine "foo" must be one of pulumi, sim, local/],
        ["a sim-only flag on the pulumi engine", () => [...UP, "--engine", "pulumi", "--scenario", "x.json"], /--scenario works only with --engine sim or local/],
        ["an option another command takes (status --scenario)", (s) => sim(s, "status", "--env", "prod", "--scenario", "x.json"), /unknown option '--scenario'/],
        ["a rollback of an unknown region", (s) => sim(s, "rollback", "--env", "prod", "--region", "mars-1"), /unknown region "mars-1"/],
        ["rehearse on the pulumi engine", (s) => ["rehearse", "--engine", "pulumi", "--state", s], /--engine "pulumi" must be one of sim, local \(rehearse never touches real AWS\)/],
        ["render --out onto a file", (s) => ["render", "--env", "prod", "--out", `${s}/stacks/ops-prod.json`], /--out .*ops-prod\.json is not a directory/],
        ["a scenario that is a device (read without end)", (s) => [...sim(s, ...UP), "--scenario", "/dev/zero"], /cannot read scenario file \/dev\/zero: is not a regular file/],
        [
            "a scenario that is a FIFO nobody writes (open() would block past every signal)",
            (s) => {
                const fifo = path.join(path.dirname(s), "scenario.fifo");
                if (!existsSync(fifo)) execFileSync("mkfifo", [fifo]);
                return [...sim(s, ...UP), "--scenario", fifo];
            },
            /cannot read scenario file .*scenario\.fifo: is not a regular file/,
        ],
        [
            "policy on a directory without renders",
            (s) => {
                mkdirSync(`${s}-empty`, { recursive: true });
                return ["policy", `${s}-empty`];
            },
            /no rendered stacks in .*-empty/,
        ],
    ];

    for (const [what, args, message] of cases) {
        it(`on ${what}`, async () => {
            const state = await seeded();
            const before = snapshot(state);
            const run = await cli([...args(state), "--json"]);
            assert.equal(run.code, 2, run.stderr);
            assert.match(run.stderr + (run.json?.error ?? ""), message);
            assert.doesNotMatch(run.stderr, /\n\s+at /, "no stack trace");
            assert.deepEqual(snapshot(state), before);
        });
    }

    it("a stack file whose aliases expand without bound: exit 2 naming it, nothing seeded", async () => {
        const state = tempState();
        const dir = path.join(path.dirname(state), "bomb-stacks");
        cpSync(path.resolve("stacks"), dir, { recursive: true, filter: (f) => !f.endsWith(".ts") && !f.endsWith("config") });
        const rows = ["a: &a [x,x,x,x,x,x,x,x,x,x]", ..."bcde".split("").map((k, i) => `${k}: &${k} [${Array(10).fill(`*${"abcd"[i]}`).join(",")}]`), "config: {x: *e}"];
        writeFileSync(path.join(dir, "Pulumi.region-prod-us-west-2.yaml"), rows.join("\n") + "\n");
        const run = await cli(sim(state, "status", "--env", "prod", "--stacks", dir, "--json"));
        assert.equal(run.code, 2, run.stderr);
        assert.match(run.json.error, /stack file .*Pulumi\.region-prod-us-west-2\.yaml: Excessive alias count/);
        assert.equal(existsSync(path.join(state, "stacks")), false, "nothing seeded");
    });

    it("an invalid stack file under --stacks: exit 2 naming it, nothing seeded", async () => {
        const stacks = path.join(path.dirname(tempState()), "stacks");
        mkdirSync(stacks, { recursive: true });
        cpSync(path.resolve("stacks"), stacks, { recursive: true, filter: (f) => !f.endsWith(".ts") });
        writeFileSync(path.join(stacks, "Pulumi.region-prod-us-west-2.yaml"), "config:\n  mitene:weights: {blue: 50, green: 60}\n");
        const state = tempState();
        const run = await cli(sim(state, ...UP, "--stacks", stacks, "--json"));
        assert.equal(run.code, 2, run.stderr);
        assert.match(run.json.error, /stack file .*Pulumi\.region-prod-us-west-2\.yaml does not deploy/);
        assert.equal(existsSync(path.join(state, "stacks")), false, "nothing seeded");
    });

    it("exits 2 with the help on stderr when no command is given", async () => {
        const run = await cli([]);
        assert.equal(run.code, 2);
        assert.match(run.stderr, /Usage: mitene/);
        assert.equal(run.stdout, "");
    });

    it("leaves a missing state directory missing", async () => {
        const state = tempState();
        const run = await cli(sim(state, "upgrade", "--env", "prod", "--to", "1.33"));
        assert.equal(run.code, 2);
        assert.equal(existsSync(state), false);
    });

    it("prints exactly one JSON document on stdout with --json, even on error", async () => {
        const run = await cli(sim(tempState(), "upgrade", "--env", "prod", "--to", "banana", "--json"));
        assert.deepEqual(Object.keys(run.json), ["error", "exitCode"]);
        assert.equal(run.json.exitCode, 2);
    });
});

describe("help and version", () => {
    it("--help prints to stdout and exits 0", async () => {
        const run = await cli(["--help"]);
        assert.equal(run.code, 0);
        assert.match(run.stdout, /Usage: mitene/);
        assert.match(run.stdout, /rehearse/);
        assert.equal(run.stderr, "");
    });

    it("help and help <command> exit 0 with that command's options on stdout", async () => {
        assert.equal((await cli(["help"])).code, 0);
        const help = await cli(["help", "upgrade"]);
        assert.equal(help.code, 0);
        assert.match(help.stdout, /--stop-at <percent>/);
        assert.match(help.stdout, /--analysis-interval <duration>.*\(default: "1m"\)/s);
    });

    it("each command shows only its options, with its real defaults", async () => {
        const status = (await cli(["status", "--help"])).stdout;
        assert.doesNotMatch(status, /--scenario|--crash-after|--state|--stacks/, "the rehearsal engines' options are not on a production command's help");
        assert.match(status, /Required:\n  --env <env>/, "required options come first, under their own heading");
        const rehearse = (await cli(["rehearse", "--help"])).stdout;
        assert.match(rehearse, /--engine <engine>.*\(choices: "sim", "local",\s+default: "sim"\)/s);
        assert.doesNotMatch(rehearse, /pulumi/);
        const upgrade = (await cli(["upgrade", "--help"])).stdout;
        assert.match(upgrade, /--engine <engine>.*default: "pulumi"/s);
    });

    it("--version prints the package version", async () => {
        const run = await cli(["--version"]);
        assert.equal(run.code, 0);
        assert.equal(run.stdout.trim(), JSON.parse(readFileSync("package.json", "utf8")).version);
    });
});

describe("the default engine (pulumi: production)", () => {
    const notInstalled = async (): Promise<never> => {
        throw new CommandFailedError("the Pulumi CLI (pulumi) is not installed or not on PATH");
    };

    it("when it cannot be read here, says that production was the default and how to read the rehearsal instead", async () => {
        const cwd = path.dirname(tempState());
        const bare = await cli(["status", "--env", "prod", "--json"], { cwd, realPorts: notInstalled });
        assert.equal(bare.code, 1);
        assert.match(bare.json.error, /not installed or not on PATH \(--engine pulumi, production, is the default; --engine sim rehearses without AWS\)$/);
        mkdirSync(path.join(cwd, ".mitene", "sim"), { recursive: true });
        const rehearsed = await cli(["preflight", "--env", "prod", "--to", "1.35", "--json"], { cwd, realPorts: notInstalled });
        assert.match(rehearsed.json.error, /\(--engine pulumi, production, is the default; the rehearsal in \.mitene\/sim is read with --engine sim\)$/);
        const asked = await cli(["status", "--env", "prod", "--engine", "pulumi", "--json"], { cwd, realPorts: notInstalled });
        assert.equal(asked.json.error, "the Pulumi CLI (pulumi) is not installed or not on PATH", "production asked for by name: nothing to add");
    });

    it("an unknown env is bad input before any backend or credential is needed", async () => {
        let opened = false;
        const run = await cli(["status", "--env", "nope", "--json"], { realPorts: async () => ((opened = true), notInstalled()) });
        assert.equal(run.code, 2);
        assert.match(run.json.error, /unknown env "nope": known envs are prod, staging/);
        assert.equal(opened, false);
    });
});
