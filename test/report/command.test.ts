import { strict as assert } from "node:assert";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { reportCommand } from "../../automation/commands/report";
import { cli } from "../driver/harness";
import { RunBuilder } from "./builders";
import { RUN_ID, prodRolledBack } from "./fixtures";

/** A state directory whose prod journal holds `text`, and a directory for the output. */
function setup(text: string) {
    const root = mkdtempSync(path.join(tmpdir(), "mitene-report-"));
    const state = path.join(root, "state");
    mkdirSync(path.join(state, "journal"), { recursive: true });
    writeFileSync(path.join(state, "journal", "prod.jsonl"), text);
    const out = path.join(root, "out");
    mkdirSync(out);
    return { root, state, out };
}

const report = (state: string, ...args: string[]) => cli(["report", "--env", "prod", "--engine", "sim", "--state", state, ...args]);

const rollbackRun = new RunBuilder("rollback-run", "prod", "2026-01-01T03:00:00.000Z").region("us-west-2", 0, "rollback", "rollback: blue 100% / green 0%", { result: "rolled_back" });

describe("mitene report", () => {
    it("writes the Markdown of the latest run of the env's journal under --state", async () => {
        const { state, out } = setup(rollbackRun.jsonl() + prodRolledBack().jsonl());
        const file = path.join(out, "report.md");
        const run = await report(state, "--format", "md", "--out", file);
        assert.equal(run.code, 0, run.stderr);
        assert.equal(run.stdout, `wrote ${file}: upgrade of prod to Kubernetes 1.35, rolled back (run ${RUN_ID})\n`);
        assert.match(readFileSync(file, "utf8"), /^## mitene upgrade of prod to Kubernetes 1\.35: rolled back\n/);
    });

    it("writes the HTML page of the run given by --run, and says so in JSON with --json", async () => {
        const { state, out } = setup(rollbackRun.jsonl() + prodRolledBack().jsonl());
        const file = path.join(out, "report.html");
        const run = await report(state, "--format", "html", "--out", file, "--run", "rollback-run", "--json");
        assert.equal(run.code, 0, run.stderr);
        assert.deepEqual(run.json, {
            env: "prod",
            runId: "rollback-run",
            title: "rollback in prod",
            result: "interrupted",
            format: "html",
            out: file,
            journal: path.join(state, "journal", "prod.jsonl"),
            skippedLines: 0,
        });
        assert.match(readFileSync(file, "utf8"), /<title>mitene rollback in prod: interrupted<\/title>/);
    });

    it("reports damaged journal lines it skipped", async () => {
        const { state, out } = setup(`{"torn":\n${prodRolledBack().jsonl()}`);
        const run = await report(state, "--format", "md", "--out", path.join(out, "r.md"));
        assert.equal(run.code, 0);
        assert.match(run.stdout, /; 1 line of the journal could not be read and was skipped\)\n$/);
    });

    it("replaces an existing report", async () => {
        const { state, out } = setup(prodRolledBack().jsonl());
        const file = path.join(out, "r.md");
        writeFileSync(file, "old");
        assert.equal((await report(state, "--format", "md", "--out", file)).code, 0);
        assert.match(readFileSync(file, "utf8"), /^## mitene/);
        assert.deepEqual(readdirSync(out), ["r.md"], "no temporary file is left behind");
    });

    it("prints the report on stdout without --out, or with --out -, and writes no file", async () => {
        for (const args of [[], ["--out", "-"]]) {
            const { state, out } = setup(prodRolledBack().jsonl());
            const run = await report(state, "--format", "md", ...args);
            assert.equal(run.code, 0, run.stderr);
            assert.match(run.stdout, /^## mitene upgrade of prod to Kubernetes 1\.35: rolled back\n/);
            assert.doesNotMatch(run.stdout, /^wrote /m);
            assert.deepEqual(readdirSync(out), []);
        }
    });

    it("with --json and no --out, the report is in the one document's content", async () => {
        const { state } = setup(prodRolledBack().jsonl());
        const run = await report(state, "--json");
        assert.equal(run.code, 0, run.stderr);
        assert.equal(run.json.out, null);
        assert.equal(run.json.format, "md", "Markdown unless told otherwise");
        assert.match(run.json.content, /^## mitene upgrade of prod/);
    });

    it("--out /dev/stdout is this process's stdout: the report is printed there, like --out -", async () => {
        const { state } = setup(prodRolledBack().jsonl());
        const run = await report(state, "--out", "/dev/stdout", "--json");
        assert.equal(run.code, 0, run.stderr);
        assert.equal(run.json.out, null);
        assert.match(run.json.content, /^## mitene/);
    });

    it("writes into a device (/dev/null) and never replaces it", async () => {
        const { state } = setup(prodRolledBack().jsonl());
        const before = statSync("/dev/null");
        const run = await report(state, "--out", "/dev/null");
        assert.equal(run.code, 0, run.stderr);
        const after = statSync("/dev/null");
        assert.ok(after.isCharacterDevice(), "still the device");
        assert.equal(after.ino, before.ino);
    });

    it("writes through a symbolic link: the link stays, the file it names gets the report", async () => {
        const { state, out } = setup(prodRolledBack().jsonl());
        const target = path.join(out, "target.md");
        writeFileSync(target, "old");
        const link = path.join(out, "latest.md");
        symlinkSync(target, link);
        assert.equal((await report(state, "--out", link)).code, 0);
        assert.ok(lstatSync(link).isSymbolicLink());
        assert.equal(readlinkSync(link), target);
        assert.match(readFileSync(target, "utf8"), /^## mitene/);
        assert.deepEqual(readdirSync(out).sort(), ["latest.md", "target.md"]);
    });

    it("--list lists the env's runs, oldest first, the one report picks marked latest", async () => {
        const { state } = setup(rollbackRun.jsonl() + prodRolledBack().jsonl());
        const run = await report(state, "--list", "--json");
        assert.equal(run.code, 0, run.stderr);
        assert.deepEqual(
            run.json.runs.map((r: any) => [r.runId, r.title, r.result, r.latest]),
            [
                ["rollback-run", "rollback in prod", "interrupted", false],
                [RUN_ID, "upgrade of prod to Kubernetes 1.35", "rolled_back", true],
            ],
        );
        const text = await report(state, "--list");
        assert.match(text.stdout, new RegExp(`^runs of prod in .*prod\\.jsonl:\n  rollback-run .* interrupted +rollback in prod\n  ${RUN_ID} .* rolled back +upgrade of prod to Kubernetes 1\\.35  \\(latest\\)\n$`));
        const both = await report(state, "--list", "--run", "rollback-run");
        assert.equal(both.code, 2);
        assert.match(both.stderr, /--list lists the runs; --run "rollback-run" picks a report/);
    });

    it("a journal path that is a directory is bad input naming it", async () => {
        const { root } = setup("");
        const state = path.join(root, "state2");
        mkdirSync(path.join(state, "journal", "prod.jsonl"), { recursive: true });
        const run = await report(state);
        assert.equal(run.code, 2);
        assert.match(run.stderr, /the journal .*state2\/journal\/prod\.jsonl is not a file/);
    });

    const bad: [string, (paths: { root: string; out: string }) => string[], RegExp][] = [
        ["an unknown format", ({ out }) => ["--format", "pdf", "--out", path.join(out, "r.pdf")], /--format "pdf" must be md or html/],
        ["an unknown run id", ({ out }) => ["--format", "md", "--out", path.join(out, "r.md"), "--run", "nope"], new RegExp(`unknown run "nope" in .*prod\\.jsonl; the latest runs are: ${RUN_ID} \\(upgrade prod`)],
        ["--out naming a directory", ({ out }) => ["--format", "md", "--out", out], /--out ".*out" is a directory; give a file name/],
        ["--out in a directory that does not exist", ({ out }) => ["--format", "md", "--out", path.join(out, "missing", "r.md")], /--out ".*missing\/r\.md": directory .*missing does not exist/],
        ["--out under a file", ({ root }) => ["--format", "md", "--out", path.join(root, "state", "journal", "prod.jsonl", "r.md")], /--out ".*prod\.jsonl\/r\.md": .*prod\.jsonl is not a directory/],
        ["--out where nothing can be written", () => ["--format", "md", "--out", "/proc/mitene-report.md"], /--out "\/proc\/mitene-report\.md": cannot write/],
        ["an empty --out", () => ["--out", ""], /--out "" names nothing: give a value/],
    ];
    for (const [what, args, message] of bad) {
        it(`${what} is bad input (exit 2) naming the value, and nothing is written`, async () => {
            const paths = setup(prodRolledBack().jsonl());
            const run = await report(paths.state, ...args(paths));
            assert.equal(run.code, 2, run.stderr);
            assert.match(run.stderr, message);
            assert.equal(run.stderr.split("\n").filter(Boolean).length, 1, "one line");
            assert.deepEqual(readdirSync(paths.out), []);
        });
    }

    it("an unknown engine is bad input naming it", async () => {
        const { out } = setup("");
        const run = await cli(["report", "--env", "prod", "--engine", "aws", "--format", "md", "--out", path.join(out, "r.md")]);
        assert.equal(run.code, 2);
        assert.match(run.stderr, /--engine "aws" must be sim, local or pulumi/);
    });

    it("an unknown env is bad input naming the known ones", async () => {
        const { state, out } = setup(prodRolledBack().jsonl());
        const run = await cli(["report", "--env", "qa", "--engine", "sim", "--state", state, "--format", "md", "--out", path.join(out, "r.md")]);
        assert.equal(run.code, 2);
        assert.match(run.stderr, /unknown env "qa": known envs are prod, staging/);
    });

    it("an env with no journal is bad input saying where it looked", async () => {
        const { state, out } = setup(prodRolledBack().jsonl());
        const run = await cli(["report", "--env", "staging", "--engine", "local", "--state", state, "--format", "md", "--out", path.join(out, "r.md")]);
        assert.equal(run.code, 2);
        assert.match(run.stderr, new RegExp(`no journal for env staging: ${path.join(state, "journal", "staging.jsonl")} does not exist`));
    });

    it("a journal without one readable run is bad input", async () => {
        const { state, out } = setup("{torn\n");
        const run = await report(state, "--format", "md", "--out", path.join(out, "r.md"));
        assert.equal(run.code, 2);
        assert.match(run.stderr, /the journal .*prod\.jsonl has no run in it \(1 line could not be read: torn by a kill\)/);
    });

    it("a line that is JSON but not an entry (edited by hand) is bad input naming the line and the field, and writes no report", async () => {
        const lines = prodRolledBack().jsonl().trim().split("\n");
        lines[2] = JSON.stringify({ ...JSON.parse(lines[2]), at: "yesterday" });
        const { state, out } = setup(lines.join("\n") + "\n");
        const run = await report(state, "--format", "md", "--out", path.join(out, "r.md"));
        assert.equal(run.code, 2);
        assert.match(run.stderr, /journal .*prod\.jsonl does not hold a valid record[^]*line 3\.at: expected an ISO time/);
        assert.equal(existsSync(path.join(out, "r.md")), false);
    });

    it("--engine pulumi reads MITENE_JOURNAL_DIR, and takes no --state", () => {
        const { root, out } = setup("");
        const journalDir = path.join(root, "ci-journal");
        mkdirSync(journalDir);
        writeFileSync(path.join(journalDir, "prod.jsonl"), prodRolledBack().jsonl());
        const flags = { env: "prod", format: "md", out: path.join(out, "r.md"), engine: "pulumi" };
        const result = reportCommand(flags, { cwd: root, settings: { MITENE_JOURNAL_DIR: "ci-journal" } });
        assert.equal(result.journal, path.join(journalDir, "prod.jsonl"));
        assert.ok(existsSync(flags.out));
        assert.throws(() => reportCommand({ ...flags, state: "x" }, { cwd: root, settings: {} }), /--state "x" only works with --engine sim or local/);
        assert.throws(() => reportCommand(flags, { cwd: root, settings: {} }), new RegExp(`no journal for env prod: ${path.join(root, ".mitene", "journal", "prod.jsonl")}`));
    });

    it("production's journal missing, with --engine left to its default, says where the rehearsals' journals are", () => {
        const { root, out } = setup("");
        const flags = { env: "prod", format: "md", out: path.join(out, "r.md"), engine: "pulumi", engineDefaulted: true };
        assert.throws(() => reportCommand(flags, { cwd: root, settings: {} }), /\(--engine pulumi, production, is the default; prod has no rehearsal either \(npm run rehearse\)\)$/);
        mkdirSync(path.join(root, ".mitene", "sim", "journal"), { recursive: true });
        writeFileSync(path.join(root, ".mitene", "sim", "journal", "prod.jsonl"), prodRolledBack().jsonl());
        assert.throws(() => reportCommand(flags, { cwd: root, settings: {} }), /\(--engine pulumi, production, is the default; the rehearsal's journal \(\.mitene\/sim\) is read with --engine sim\)$/);
        assert.throws(() => reportCommand({ ...flags, engineDefaulted: false }, { cwd: root, settings: {} }), /\(see --engine and --state\)$/, "asked for production by name: no hint");
    });
});
