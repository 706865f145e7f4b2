import { strict as assert } from "node:assert";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import { resourcePlugins, runnerArguments, runnerConfig, runtimeOptions, splitArguments } from "../../tools/pulumi-plugins/languageHost";

describe("tools/pulumi-language-nodejs: the language host's decisions", () => {
    it("reads the project's runtime options as the Go host does, typescript on by default", () => {
        assert.deepEqual(runtimeOptions({}), { typescript: true, tsconfig: undefined, nodeargs: [] });
        assert.deepEqual(runtimeOptions({ typescript: false, nodeargs: "--import=tsx --max-old-space-size=4096" }), {
            typescript: false,
            tsconfig: undefined,
            nodeargs: ["--import=tsx", "--max-old-space-size=4096"],
        });
    });

    for (const [options, message] of [
        [{ typescript: "no" }, /typescript option must be a boolean/],
        [{ nodeargs: ["--import=tsx"] }, /nodeargs option must be a string/],
        [{ tsconfig: 3 }, /tsconfig option must be a string/],
    ] as const) {
        it(`refuses ${JSON.stringify(options)}`, () => assert.throws(() => runtimeOptions(options), message));
    }

    it("splits node arguments like a shell: quotes group, backslashes escape", () => {
        assert.deepEqual(splitArguments(`--import=tsx  --title "my stack" --x='a b' a\\ b`), ["--import=tsx", "--title", "my stack", "--x=a b", "a b"]);
        assert.deepEqual(splitArguments(`""`), [""]);
        assert.throws(() => splitArguments(`--title "open`), /unterminated/);
    });

    it("splitting words joined by single spaces gives the words back", () => {
        const word = fc.stringMatching(/^[A-Za-z0-9=._/-]+$/);
        fc.assert(fc.property(fc.array(word), (words) => assert.deepEqual(splitArguments(words.join(" ")), words)));
    });

    it("hands the runner config keys in the namespace:config:name form, leaving that form alone", () => {
        assert.deepEqual(runnerConfig([["mitene:weights", "{}"], ["aws:region", "us-west-2"], ["mitene:config:cron", "true"]]), {
            "mitene:config:weights": "{}",
            "aws:config:region": "us-west-2",
            "mitene:config:cron": "true",
        });
        assert.throws(() => runnerConfig([["nonamespace", "x"]]), /has no namespace/);
    });

    it("starts the runner with the request's settings, leaving out empty ones, the entry point last but the arguments", () => {
        const settings = {
            runPath: "/repo/node_modules/@pulumi/pulumi/cmd/run",
            monitorAddress: "127.0.0.1:4000",
            engineAddress: "127.0.0.1:3000",
            organization: "organization",
            project: "mitene",
            stack: "ops-prod",
            rootDirectory: "/state/project",
            programDirectory: "/repo/stacks",
            entryPoint: ".",
            dryRun: true,
            parallel: 16,
            args: ["extra"],
        };
        assert.deepEqual(runnerArguments(settings), [
            "/repo/node_modules/@pulumi/pulumi/cmd/run",
            "--monitor", "127.0.0.1:4000",
            "--engine", "127.0.0.1:3000",
            "--organization", "organization",
            "--project", "mitene",
            "--root-directory", "/state/project",
            "--stack", "ops-prod",
            "--pwd", "/repo/stacks",
            "--dry-run",
            "--parallel", "16",
            ".", "extra",
        ]);
        const bare = runnerArguments({ ...settings, monitorAddress: "", organization: "", dryRun: false, args: [] });
        assert.ok(!bare.includes("--monitor") && !bare.includes("--organization") && !bare.includes("--dry-run"));
        assert.equal(bare.at(-1), ".");
    });

    it("lists the resource plugins the program's node_modules declare, found from a directory below them", () => {
        const root = mkdtempSync(path.join(tmpdir(), "plugins-"));
        try {
            const pkg = (dir: string, content: object) => {
                mkdirSync(path.join(root, "node_modules", dir), { recursive: true });
                writeFileSync(path.join(root, "node_modules", dir, "package.json"), JSON.stringify(content));
            };
            pkg("@pulumi/aws", { name: "@pulumi/aws", version: "7.48.0", pulumi: { resource: true, name: "aws", version: "7.48.0" } });
            pkg("@pulumi/pulumi", { name: "@pulumi/pulumi", version: "3.248.0" });
            pkg("third-party", { name: "third-party", version: "1.0.0", pulumi: { resource: true, name: "acme", server: "https://example.com" } });
            pkg("@pulumi/eks/node_modules/@pulumi/kubernetes", { name: "@pulumi/kubernetes", version: "4.34.2", pulumi: { resource: true } });
            mkdirSync(path.join(root, "stacks"));
            assert.deepEqual(resourcePlugins(path.join(root, "stacks")), [
                { name: "acme", version: "v1.0.0", server: "https://example.com" },
                { name: "aws", version: "v7.48.0", server: undefined },
                { name: "kubernetes", version: "v4.34.2", server: undefined },
            ]);
        } finally {
            rmSync(root, { recursive: true, force: true });
        }
    });
});
