/**
 * A stack file with a bad value, through the real binary (the process's own last-resort handlers included): exit 2,
 * one JSON document naming the file and the value, no stack trace, for every command that reads the stack files.
 * A program failing under the mock runtime also leaves rejected promises the SDK derived from it; they were once
 * reported by the process as unexpected failures, one document each, before the command could say what was wrong.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");

/** The committed stack files with one edit to one of them. */
function stacksWith(file: string, from: RegExp, to: string): string {
    const dir = path.join(mkdtempSync(path.join(tmpdir(), "mitene-bad-stacks-")), "stacks");
    cpSync(path.join(ROOT, "stacks"), dir, { recursive: true, filter: (f) => !f.endsWith(".ts") && !f.endsWith("config") });
    const target = path.join(dir, file);
    const text = readFileSync(target, "utf8");
    assert.match(text, from, "the fixture edit applies");
    writeFileSync(target, text.replace(from, to));
    return dir;
}

const CASES: { what: string; file: string; from: RegExp; to: string; command: string[]; names: RegExp }[] = [
    { what: "a cron owner that is no color", file: "Pulumi.region-prod-us-west-2.yaml", from: /cronColor: blue/, to: "cronColor: purple", command: ["status", "--env", "prod"], names: /Pulumi\.region-prod-us-west-2\.yaml.*cronColor.*"purple"/s },
    { what: "a weight that is no number", file: "Pulumi.region-prod-us-west-2.yaml", from: /blue: 100/, to: "blue: fifty", command: ["plan", "--env", "prod"], names: /Pulumi\.region-prod-us-west-2\.yaml.*weights/s },
    { what: "a version the project has no core add-ons for", file: "Pulumi.mitene-prod-us-west-2-blue.yaml", from: /kubernetesVersion: "1\.34"/, to: 'kubernetesVersion: "1.29"', command: ["rehearse"], names: /Pulumi\.mitene-prod-us-west-2-blue\.yaml: mitene:kubernetesVersion "1\.29" is not a version the project deploys/ },
    { what: "an unquoted version YAML reads as a number", file: "Pulumi.mitene-prod-us-west-2-blue.yaml", from: /kubernetesVersion: "1\.34"/, to: "kubernetesVersion: 1.30", command: ["preflight", "--env", "prod", "--to", "1.35"], names: /mitene:kubernetesVersion is the number 1\.3: quote the version/ },
    { what: "a gate threshold that is not a number", file: "Pulumi.region-prod-us-west-2.yaml", from: /maxErrorRate: [^\n]*/, to: "maxErrorRate: .nan", command: ["render", "--env", "prod"], names: /Pulumi\.region-prod-us-west-2\.yaml.*maxErrorRate/s },
    { what: "a cluster version a component refuses", file: "Pulumi.mitene-prod-us-west-2-blue.yaml", from: /kubernetesVersion: "1\.34"/, to: 'kubernetesVersion: "1.29"', command: ["policy", "--env", "prod"], names: /Pulumi\.mitene-prod-us-west-2-blue\.yaml: EksCluster svc-cluster: invalid arguments:.*1\.29/s },
];

describe("a bad value in a stack file, through the binary", function () {
    this.timeout(120_000);

    for (const c of CASES) {
        it(`${c.what} (${c.command[0]}): exit 2, one document naming the file and the value, nothing written`, () => {
            const stacks = stacksWith(c.file, c.from, c.to);
            const state = path.join(path.dirname(stacks), "state");
            const engine = ["render", "policy"].includes(c.command[0]) ? (c.command[0] === "render" ? ["--out", state] : []) : ["--engine", "sim", "--state", state];
            const run = spawnSync(process.execPath, [path.join(ROOT, "bin", "mitene.js"), ...c.command, ...engine, "--stacks", stacks, "--json"], { cwd: ROOT, encoding: "utf8", timeout: 90_000 });
            assert.equal(run.status, 2, run.stdout + run.stderr);
            const document = JSON.parse(run.stdout);
            assert.match(document.error, c.names);
            assert.doesNotMatch(run.stderr, /unexpected failure|\n\s+at /, "no stray failure, no stack trace");
            assert.equal(existsSync(path.join(state, "stacks")), false, "nothing seeded");
        });
    }
});
