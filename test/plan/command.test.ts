/**
 * `mitene plan` end to end on the sim engine (the JSON of docs/cli.md), its bad input, and `--write` on copies of
 * the catalog files.
 */
import { strict as assert } from "node:assert";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { CHARTS } from "../../components/upstream/charts";
import { ChartBump, writeBumps } from "../../automation/plan/write";
import { cli, scenarioFile, sim, tempState } from "../driver/harness";

describe("plan on the sim engine", () => {
    it("prod on the committed stacks: every cluster's calendar, the newest target nothing blocks, staging's steps and soak first", async () => {
        const run = await cli(sim(tempState(), "plan", "--env", "prod", "--at", "2026-12-04", "--json"));
        assert.equal(run.code, 0, run.stderr);
        const plan = run.json;
        assert.deepEqual([plan.env, plan.to, plan.toFrom, plan.at, plan.blockers], ["prod", "1.36", "default", "2026-12-04", 0]);
        assert.deepEqual(plan.calendar.map((r: any) => [r.cluster, r.eksCluster, r.version, r.upgradePolicy, r.phase, r.endOfStandardSupport, r.daysLeft, r.extraCostPerMonthUsd]), [
            ["ops-prod", "ops-prod", "1.34", "EXTENDED", "extended", "2026-12-02", -2, 365],
            ["mitene-prod-ap-northeast-1-blue", "mitene-prod-apne1-blue", "1.34", "EXTENDED", "extended", "2026-12-02", -2, 365],
            ["mitene-prod-us-west-2-blue", "mitene-prod-usw2-blue", "1.34", "EXTENDED", "extended", "2026-12-02", -2, 365],
        ]);
        assert.ok(plan.calendar.every((r: any) => r.cluster === r.stack), "a cluster is named by its stack, as in CONTRACT.md");
        for (const item of plan.ledger) assert.ok(item.source.length > 10, `${item.item} has a source`);
        const addons = plan.ledger.filter((i: any) => i.kind === "addon");
        assert.deepEqual([...new Set(addons.map((i: any) => i.cluster))].sort(), ["mitene-prod-ap-northeast-1-blue", "mitene-prod-us-west-2-blue", "ops-prod"]);
        assert.ok(addons.some((i: any) => i.item === "argocd" && i.cluster === "ops-prod"));
        assert.deepEqual(plan.steps.map((s: any) => [s.order, s.env, s.action, s.to]), [
            [1, "staging", "ops-upgrade", "1.35"],
            [2, "staging", "ops-upgrade", "1.36"],
            [3, "staging", "upgrade", "1.36"],
            [4, "staging", "soak", "1.36"],
            [5, "prod", "ops-upgrade", "1.35"],
            [6, "prod", "ops-upgrade", "1.36"],
            [7, "prod", "upgrade", "1.36"],
        ]);
        assert.equal(plan.written, null);
    });

    it("an EKS insight ERROR blocks every target: exit 1, the default falls back to one minor up, and the ledger says what to do", async () => {
        const state = tempState();
        const scenario = scenarioFile(state, { insights: [{ cluster: "mitene-prod-usw2-blue", name: "Deprecated APIs removed in Kubernetes v1.35", status: "ERROR", reason: "policy/v1beta1 PodDisruptionBudget in use", recommendation: "move to policy/v1" }] });
        const run = await cli(sim(state, "plan", "--env", "prod", "--scenario", scenario, "--json"));
        assert.equal(run.code, 1, run.stderr);
        assert.equal(run.json.to, "1.35");
        const [blocking] = run.json.ledger.filter((i: any) => i.severity === "blocking");
        assert.deepEqual([blocking.kind, blocking.cluster, blocking.supportsTarget], ["insight", "mitene-prod-us-west-2-blue", false]);
        assert.match(blocking.detail, /ERROR: policy\/v1beta1 PodDisruptionBudget in use; move to policy\/v1/);
        assert.match(blocking.source, /scenario file's insights \(sim engine/);
        const text = await cli(sim(state, "plan", "--env", "prod", "--scenario", scenario));
        assert.match(text.stdout, /plan of prod to Kubernetes 1\.35 .*: 1 BLOCKING/);
        assert.match(text.stdout, /blocking +mitene-prod-us-west-2-blue +insight/);
    });

    it("a scenario insight may name the cluster by its stack, as CONTRACT.md's example does, and the ledger names it so", async () => {
        const state = tempState();
        const scenario = scenarioFile(state, { insights: [{ cluster: "mitene-prod-us-west-2-blue", name: "Kubelet version skew", status: "ERROR", reason: "nodes two minors behind" }] });
        const run = await cli(sim(state, "plan", "--env", "prod", "--to", "1.35", "--scenario", scenario, "--json"));
        assert.equal(run.code, 1, run.stderr);
        const blocking = run.json.ledger.filter((i: any) => i.severity === "blocking");
        assert.deepEqual(blocking.map((i: any) => [i.kind, i.cluster]), [["insight", "mitene-prod-us-west-2-blue"]]);
    });

    it("a removed API in the GitOps manifests blocks, naming the file", async () => {
        const state = tempState();
        const manifests = path.join(path.dirname(state), "gitops");
        mkdirSync(manifests);
        copyFileSync(path.resolve("test/plan/fixtures/legacy-ingress.yaml"), path.join(manifests, "ingress.yaml"));
        const run = await cli(sim(state, "plan", "--env", "staging", "--to", "1.35", "--manifests", manifests, "--json"));
        assert.equal(run.code, 1, run.stderr);
        const api = run.json.ledger.find((i: any) => i.kind === "api" && i.severity === "blocking");
        assert.equal(api.file, "ingress.yaml");
        assert.deepEqual(run.json.manifests.files, 1);
    });

    const bad: [string, string[], RegExp][] = [
        ["a date that is not one", ["--at", "2026-02-30"], /--at "2026-02-30" is not a date/],
        ["a manifests directory that is not there", ["--manifests", "/nonexistent/gitops"], /--manifests \/nonexistent\/gitops is not a directory/],
        ["a target below the running version", ["--to", "1.33"], /--to 1\.33 is lower than Kubernetes 1\.34/],
        ["an unknown env", ["--env", "qa"], /unknown env "qa"/],
    ];
    for (const [what, args, message] of bad) {
        it(`refuses ${what} (exit 2, one JSON document)`, async () => {
            const env = args.includes("--env") ? [] : ["--env", "prod"];
            const run = await cli(sim(tempState(), "plan", ...env, ...args, "--json"));
            assert.equal(run.code, 2, run.stdout);
            assert.match(run.json.error, message);
        });
    }
});

describe("plan --write", () => {
    it("moves the pin and where it was found published in charts.ts, fits the add-on's range to the release in the catalog, and prints the diff", () => {
        const root = mkdtempSync(path.join(tmpdir(), "mitene-write-"));
        mkdirSync(path.join(root, "components", "upstream"), { recursive: true });
        for (const file of ["components/upstream/charts.ts", "components/addonCatalog.ts"]) copyFileSync(path.resolve(file), path.join(root, file));
        const from = CHARTS["metrics-server"].version;
        const bump: ChartBump = { upstream: "metrics-server", addons: ["metrics-server"], from, to: "99.1.0", published: "kubernetes-sigs/metrics-server gh-pages index.yaml, read 2026-11-27", kubernetesMin: "1.33", kubernetesMax: "1.37" };
        const diff = writeBumps(root, [bump]);
        const charts = readFileSync(path.join(root, "components/upstream/charts.ts"), "utf8");
        const catalog = readFileSync(path.join(root, "components/addonCatalog.ts"), "utf8");
        const entry = charts.slice(charts.indexOf('"metrics-server": {'), charts.indexOf('"fluent-bit": {'));
        assert.match(entry, /version: "99\.1\.0",/);
        assert.match(entry, /published: "99\.1\.0: kubernetes-sigs\/metrics-server gh-pages index\.yaml, read 2026-11-27; chosen by mitene plan --write for Kubernetes 1\.37, values keys to re-read",/);
        assert.equal(charts.match(/version: "99\.1\.0"/g)!.length, 1, "no other chart moved");
        assert.match(catalog.slice(catalog.indexOf('name: "metrics-server"')), /^name: "metrics-server",[\s\S]*?kubernetes: \{ min: "1\.33", max: "1\.37" \}/, "the range starts where the release's does");
        assert.ok(diff.startsWith(`--- a/components/upstream/charts.ts\n+++ b/components/upstream/charts.ts\n`));
        assert.ok(diff.includes(`\n-        version: "${from}",\n+        version: "99.1.0",`));
        assert.match(diff, /\+\+\+ b\/components\/addonCatalog\.ts/);
        assert.equal(writeBumps(root, []), "", "nothing to move, nothing written");
    });
});
