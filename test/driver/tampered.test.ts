/**
 * Tampered state is refused, not believed: in a state holding every kind of record (stacks mid-upgrade and
 * rolled back, a lease, the clock, a direct write of the listener rules, the journal), every field of every
 * record is changed to a value of the wrong type or out of range, one at a time. Each must be bad input
 * (exit 2) naming the file and the field, for a read-only command and for one that would change things, and
 * leave every state file byte for byte as it was. npm test samples the fields; test:properties visits each.
 */
import { strict as assert } from "node:assert";
import { cpSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import { fieldPath } from "../../automation/core/records";
import { cli, crashIndexWhere, crashedState, sim, snapshot, statusOf, tempState } from "./harness";

type Path = (string | number)[];

interface Field {
    /** The state file, relative to the state directory. */
    file: string;
    /** The journal line (1-based), for the journal. */
    line?: number;
    path: Path;
    value: unknown;
}

/** Subtrees that are not the driver's records: the inputs a program gave its resources, what a run journaled. */
const opaque = (file: string, p: Path) => (file.startsWith("stacks/") && p[0] === "resources" && p[2] === "inputs" && p.length > 3) || (file.startsWith("journal/") && p[0] === "detail" && p.length > 1);

/** Every field of a record: each node, the first and last element of each list (the others are alike). */
function fields(file: string, value: unknown, line?: number, at: Path = []): Field[] {
    if (opaque(file, at)) return [];
    const here: Field[] = at.length > 0 ? [{ file, line, path: at, value }] : [];
    if (Array.isArray(value)) {
        const ends = [...new Set([0, value.length - 1])].filter((i) => i >= 0);
        return [...here, ...ends.flatMap((i) => fields(file, value[i], line, [...at, i]))];
    }
    if (value !== null && typeof value === "object") return [...here, ...Object.entries(value).flatMap(([k, v]) => fields(file, v, line, [...at, k]))];
    return here;
}

/** Values no field of that kind may hold: another type, and for numbers, out of every range. */
function wrongValues(value: unknown): unknown[] {
    if (typeof value === "number") return ["fifty", -1, 1e308];
    if (typeof value === "string") return [7];
    if (typeof value === "boolean") return ["yes"];
    if (Array.isArray(value)) return ["x"];
    if (value === null) return [7];
    return ["x", []];
}

function setAt(root: unknown, p: Path, value: unknown): unknown {
    const copy = structuredClone(root) as Record<string | number, unknown>;
    let node = copy;
    for (const key of p.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
    node[p[p.length - 1]] = value;
    return copy;
}

/** Writes `field` changed to `wrong` into `state`, as the engine writes its files (one JSON document, or one line). */
function tamper(state: string, field: Field, wrong: unknown): void {
    const file = path.join(state, field.file);
    if (field.line === undefined) {
        writeFileSync(file, JSON.stringify(setAt(JSON.parse(readFileSync(file, "utf8")), field.path, wrong)));
        return;
    }
    const lines = readFileSync(file, "utf8").split("\n");
    lines[field.line - 1] = JSON.stringify(setAt(JSON.parse(lines[field.line - 1]), field.path, wrong));
    writeFileSync(file, lines.join("\n"));
}

/** The refusal names the field: its path, or its parent's with the field's own name (`weights: blue must be ...`). */
const named = (message: string, field: Field) => {
    const full = [...(field.line === undefined ? [] : [`line ${field.line}`]), ...field.path];
    const parent = full.slice(0, -1);
    return message.includes(fieldPath(full)) || (parent.length > 0 && message.includes(`${fieldPath(parent)}: `) && message.includes(String(full[full.length - 1])));
};

describe("tampered state is refused, not believed (every field of every record)", function () {
    this.timeout(3_600_000);
    let base: string;
    let all: Field[];

    before(async () => {
        // The canary rolled back with --fast-rollback during its hold (a direct write of the rules, a kept green),
        // the other region mid-upgrade, the crashed upgrade's lease left behind: every kind of record at once.
        const { state } = await crashedState([], await crashIndexWhere([], (s) => s.regions[0].upgrade?.state === "retiring"));
        const rolled = await cli(sim(state, "rollback", "--env", "prod", "--region", "ap-northeast-1", "--fast-rollback", "--json"));
        assert.equal(rolled.json.result, "rolled_back", rolled.stderr);
        base = state;
        const files = Object.entries(snapshot(base)).filter(([file]) => !file.startsWith("operations/"));
        all = files.flatMap(([file, text]) =>
            file.endsWith(".jsonl")
                ? text.split("\n").flatMap((line, i, lines) => (line && (i === 0 || i === lines.length - 2) ? fields(file, JSON.parse(line), i + 1) : []))
                : fields(file, JSON.parse(text)),
        );
        for (const kind of ["stacks/region-", "stacks/mitene-", "stacks/ops-", "leases/", "clock.json", "loadbalancer/", "journal/"]) {
            assert.ok(all.some((f) => f.file.startsWith(kind)), `the state holds a ${kind} record`);
        }
    });

    async function refused(field: Field, wrong: unknown, command: string[]) {
        const state = tempState();
        cpSync(base, state, { recursive: true });
        tamper(state, field, wrong);
        const before = snapshot(state);
        const label = `${field.file}${field.line ? ` line ${field.line}` : ""} ${fieldPath(field.path)} = ${JSON.stringify(wrong)}: ${command[0]}`;
        const run = await cli(sim(state, ...command, "--json"));
        assert.equal(run.code, 2, `${label}: exit ${run.code} ${run.stdout.slice(0, 300)}`);
        assert.ok(run.json.error.includes(path.join(state, field.file)), `${label}: the file is not named: ${run.json.error}`);
        assert.ok(named(run.json.error, field), `${label}: the field is not named: ${run.json.error}`);
        assert.deepEqual(snapshot(state), before, `${label}: the state changed`);
    }

    /** A read-only command and one that would change the state; the journal is read by report only. */
    const commands = (field: Field, state: string): string[][] =>
        field.file.startsWith("journal/")
            ? [["report", "--env", "prod", "--format", "md", "--out", path.join(path.dirname(state), "report.md")]]
            : [["status", "--env", "prod"], ["upgrade", "--env", "prod", "--to", "1.35", "--retry", "--recover"]];

    it("each field changed to a wrong type or out of range: exit 2 naming the file and the field, nothing changed", async () => {
        const cases = all.flatMap((field) => wrongValues(field.value).map((wrong) => ({ field, wrong })));
        const visit = async ({ field, wrong }: { field: Field; wrong: unknown }) => {
            for (const command of commands(field, base)) await refused(field, wrong, command);
        };
        if (process.env.MITENE_PROPERTIES === "all") {
            const failures: string[] = [];
            for (const c of cases) await visit(c).catch((error: Error) => failures.push(error.message.split("\n")[0]));
            assert.deepEqual(failures, [], `${failures.length} of ${cases.length} tamperings were not refused as they must be`);
            return;
        }
        await fc.assert(fc.asyncProperty(fc.constantFrom(...cases), visit), { numRuns: 40, seed: Number(process.env.TAMPER_SEED ?? 20261204) });
    });

    it("the issue's cases: weights \"fifty\" or summing to 90, an upgrade state \"exploded\", a green stack with no resources, a clock that is a string", async () => {
        const region = "stacks/region-prod-us-west-2.json";
        const green = "stacks/mitene-prod-us-west-2-green.json";
        for (const [file, p, wrong, field] of [
            [region, ["outputs", "weights", "blue"], "fifty", "outputs.weights"],
            [region, ["outputs", "weights"], { blue: 50, green: 40 }, "weights must sum to 100, got 90"],
            [region, ["outputs", "upgrade", "state"], "exploded", "outputs.upgrade.state"],
            [green, ["resources"], [], "resources: a deployed stack has resources"],
            ["clock.json", ["now"], "1767225600000", "now"],
        ] as [string, Path, unknown, string][]) {
            const state = tempState();
            cpSync(base, state, { recursive: true });
            tamper(state, { file, path: p, value: undefined }, wrong);
            const before = snapshot(state);
            const status = await cli(sim(state, "status", "--env", "prod", "--json"));
            assert.equal(status.code, 2, `${file} ${p.join(".")}: ${status.stdout.slice(0, 200)}`);
            assert.ok(status.json.error.includes(path.join(state, file)) && status.json.error.includes(field), status.json.error);
            assert.deepEqual(snapshot(state), before);
        }
        // Untouched, the same state reads fine.
        assert.equal((await statusOf(base)).regions.length, 2);
    });

    it("a recorded rollout plan naming a region the env does not have, or a version that is none: exit 2 naming it", async () => {
        const file = "control/prod-rollout.json";
        assert.ok(existsSync(path.join(base, file)), "the run recorded its plan");
        for (const [p, wrong, named] of [
            [["waves"], [["eu-west-9"], ["us-west-2"]], /control\/prod-rollout\.json.*names eu-west-9, not a region of prod/],
            [["to"], "1.3x", /prod-rollout\.json is not a rollout plan \(to: expected a Kubernetes minor/],
            [["waves"], [["us-west-2"], ["us-west-2"]], /waves: a region placed in more than one wave/],
        ] as [Path, unknown, RegExp][]) {
            const state = tempState();
            cpSync(base, state, { recursive: true });
            tamper(state, { file, path: p, value: undefined }, wrong);
            const before = snapshot(state);
            for (const command of [["status", "--env", "prod"], ["upgrade", "--env", "prod", "--to", "1.35", "--retry", "--recover"]]) {
                const run = await cli(sim(state, ...command, "--json"));
                assert.equal(run.code, 2, `${p.join(".")}: ${command[0]}: ${run.stdout.slice(0, 200)}`);
                assert.match(run.json.error, named);
            }
            assert.deepEqual(snapshot(state), before);
        }
    });
});
