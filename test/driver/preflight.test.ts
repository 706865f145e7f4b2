import { strict as assert } from "node:assert";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { apiFindings, capacityFindings, chartFindings, insightFindings, ipsNeededPerSubnet, servingAddons, skipFindings, stateFindings, versionFindings } from "../../automation/preflight/checks";
import { apiUses, kubernetesApiOf } from "../../automation/preflight/apiDeprecations";
import { ADDON_CATALOG } from "../../components/addonCatalog";
import { RegionView } from "../../automation/core/fleet";
import { cli, seeded, sim, snapshot, tempState } from "./harness";

describe("preflight checks", () => {
    const versions: [string, string, string[]][] = [
        ["1.35", "2026-11-21", []],
        ["1.34", "2027-01-10", ["warning:version-extended-support"]],
        ["1.30", "2026-11-21", ["blocking:version-unsupported"]],
        ["1.40", "2026-11-21", ["blocking:version-unknown"]],
        ["1.36", "2026-05-01", ["blocking:version-unknown"]],
    ];
    for (const [version, date, expected] of versions) {
        it(`classifies Kubernetes ${version} on ${date} as ${expected.join(", ") || "fine"}`, () => {
            assert.deepEqual(versionFindings(version, date).map((f) => `${f.severity}:${f.id}`), expected);
        });
    }

    it("lets blue/green skip a minor only when every add-on supports the target", () => {
        assert.deepEqual(skipFindings({ "us-west-2": "1.33" }, "1.35", ADDON_CATALOG).map((f) => f.severity), ["warning"]);
        const blocked = skipFindings({ "us-west-2": "1.34" }, "1.36", ADDON_CATALOG);
        assert.equal(blocked[0].severity, "blocking");
        assert.match(blocked[0].message, /aws-node-termination-handler does not support 1\.36/);
        assert.deepEqual(skipFindings({ "us-west-2": "1.34" }, "1.35", ADDON_CATALOG), []);
    });

    it("blocks a target a pinned chart does not support", () => {
        assert.deepEqual(chartFindings(ADDON_CATALOG, "1.35", "service-cluster"), []);
        const findings = chartFindings(ADDON_CATALOG, "1.36", "service-cluster");
        assert.deepEqual(findings.map((f) => f.id), ["addon-support"]);
        assert.match(findings[0].message, /aws-node-termination-handler 0\.27\.0 supports Kubernetes 1\.30-1\.35, not 1\.36/);
    });

    it("blocks a removed API version in a rendered graph and warns on a deprecated one", () => {
        const graph = [
            { type: "kubernetes:policy/v1beta1:PodDisruptionBudget", name: "api-pdb" },
            { type: "kubernetes:core/v1:Endpoints", name: "legacy" },
            { type: "kubernetes:policy/v1:PodDisruptionBudget", name: "fine" },
            { type: "kubernetes:helm.sh/v3:Release", name: "chart" },
        ];
        assert.deepEqual(apiFindings(graph, "1.35", "green").map((f) => `${f.severity}:${f.id}`), ["blocking:api-removed", "warning:api-deprecated"]);
        assert.deepEqual(apiFindings(graph, "1.24", "green").map((f) => `${f.severity}:${f.id}`), ["warning:api-deprecated"]);
        assert.deepEqual(apiFindings(graph, "1.20", "green"), []);
    });

    it("reads the API group and version from a Kubernetes type token", () => {
        assert.deepEqual(kubernetesApiOf("kubernetes:core/v1:Secret"), { apiVersion: "v1", kind: "Secret" });
        assert.deepEqual(kubernetesApiOf("kubernetes:batch/v1beta1:CronJob"), { apiVersion: "batch/v1beta1", kind: "CronJob" });
        assert.equal(kubernetesApiOf("kubernetes:helm.sh/v3:Release"), undefined);
        assert.equal(kubernetesApiOf("aws:eks/cluster:Cluster"), undefined);
        assert.equal(apiUses([{ type: "kubernetes:batch/v1beta1:CronJob", name: "x" }], "1.25")[0].removed, true);
    });

    it("derives the free IPs a second cluster needs from the node groups' maximum size", () => {
        // (4 x 59 + 40 x 59) x 1.2 / 3 subnets
        assert.equal(ipsNeededPerSubnet([{ name: "system", maxSize: 4, maxPodsPerNode: 58 }, { name: "spot", maxSize: 40, maxPodsPerNode: 58 }], 3), 1039);
        const findings = capacityFindings("us-west-2", [{ subnetId: "subnet-a", availabilityZone: "us-west-2a", freeIps: 1000 }, { subnetId: "subnet-b", availabilityZone: "us-west-2b", freeIps: 2000 }], 1039);
        assert.deepEqual(findings.map((f) => f.message), ["us-west-2: subnet subnet-a (us-west-2a) has 1000 free IPs, a second cluster at full size needs 1039"]);
    });

    it("blocks on EKS insights with status ERROR and warns on WARNING", () => {
        const findings = insightFindings(
            [
                { id: "1", name: "Deprecated APIs removed in 1.35", status: "ERROR", reason: "in use" },
                { id: "2", name: "Kubelet version skew", status: "WARNING", reason: "nodes behind" },
                { id: "3", name: "Cluster health", status: "PASSING", reason: "" },
            ],
            "Ops cluster",
        );
        assert.deepEqual(findings.map((f) => f.severity), ["blocking", "warning"]);
    });
});

describe("preflight on the sim engine", () => {
    const scenario = (state: string, content: unknown) => {
        const file = path.join(path.dirname(state), "scenario.json");
        writeFileSync(file, JSON.stringify(content));
        return file;
    };

    it("blocks prod to 1.35 while its Ops cluster and staging run 1.34, and passes with the order skipped on purpose", async () => {
        const run = await cli(sim(tempState(), "preflight", "--env", "prod", "--to", "1.35", "--json"), { orderCheck: true });
        assert.equal(run.code, 1);
        assert.deepEqual(run.json.result, "blocked");
        assert.deepEqual(run.json.findings.filter((f: any) => f.severity === "blocking").map((f: any) => f.id), ["env-order", "ops-order"]);
        const skipped = await cli(sim(tempState(), "preflight", "--env", "prod", "--to", "1.35", "--skip-order-check", "emergency: test", "--json"), { orderCheck: true });
        assert.equal(skipped.code, 0, skipped.stderr);
        assert.deepEqual(skipped.json.findings.filter((f: any) => f.id.endsWith("-order")).map((f: any) => f.severity), ["warning", "warning"]);
        // Every cluster runs 1.34, in extended support since 2026-12-02 on EKS's calendar: a warning each.
        assert.equal(skipped.json.calendar.length, 3);
    });

    it("judges the add-ons the clusters install: one that opted into the Node Termination Handler blocks 1.36, which it does not support", async () => {
        const pass = await cli(sim(tempState(), "preflight", "--env", "prod", "--to", "1.36", "--json"));
        assert.equal(pass.code, 0, pass.stderr);
        assert.ok(!pass.json.findings.some((f: any) => f.id === "addon-support"), "no cluster of prod runs it (off by default)");

        const stacks = path.join(path.dirname(tempState()), "stacks");
        cpSync(path.resolve("stacks"), stacks, { recursive: true, filter: (f) => !f.endsWith(".ts") });
        const file = path.join(stacks, "Pulumi.mitene-prod-us-west-2-blue.yaml");
        writeFileSync(file, readFileSync(file, "utf8").replace("config:\n", "config:\n  mitene:nodeTerminationHandler: true\n"));
        const blocked = await cli(sim(tempState(), "preflight", "--env", "prod", "--to", "1.36", "--stacks", stacks, "--json"));
        assert.equal(blocked.code, 1);
        assert.equal(blocked.json.result, "blocked");
        assert.ok(blocked.json.findings.some((f: any) => f.id === "addon-support" && f.severity === "blocking" && /aws-node-termination-handler/.test(f.message)));
    });

    it("judges the whole catalog when a serving cluster does not say what it installs (deployed before it exported addons)", () => {
        const region = (addons?: string[]) => ({ region: "us-west-2", outputs: { cronColor: "blue" }, clusters: { blue: { outputs: { cron: true, ...(addons ? { addons } : {}) } } } }) as unknown as RegionView;
        assert.deepEqual(servingAddons([region(["metrics-server"])]).map((a) => a.name), ["metrics-server"]);
        assert.equal(servingAddons([region(["metrics-server"]), region()]).length, ADDON_CATALOG.length);
    });

    it("makes rehearse exit 1 having created nothing when the subnets have too few free IPs", async () => {
        const state = await seeded();
        const stacksBefore = Object.keys(snapshot(state)).filter((f) => f.startsWith("stacks/"));
        const run = await cli(["rehearse", "--state", state, "--scenario", scenario(state, { freeIpsPerSubnet: 300 }), "--json"]);
        assert.equal(run.code, 1);
        assert.equal(run.json.result, "failed");
        const blocking = run.json.preflight.filter((f: any) => f.severity === "blocking");
        assert.ok(blocking.every((f: any) => f.id === "subnet-capacity"));
        assert.equal(blocking.length, 6);
        assert.match(run.json.regions[0].reason, /preflight: ap-northeast-1: subnet .* has 300 free IPs/);
        assert.deepEqual(Object.keys(snapshot(state)).filter((f) => f.startsWith("stacks/")), stacksBefore);
    });

    it("checks the Ops cluster's in-place upgrade with --ops", async () => {
        const run = await cli(sim(tempState(), "preflight", "--env", "prod", "--to", "1.35", "--ops", "--json"));
        assert.equal(run.code, 0);
        assert.equal(run.json.mode, "in-place");
    });

    it("reports pending operations as a blocking finding", async () => {
        const state = tempState();
        await cli(sim(state, "upgrade", "--env", "prod", "--to", "1.35", "--crash-during", "2"));
        const run = await cli(sim(state, "preflight", "--env", "prod", "--to", "1.35", "--json"));
        assert.equal(run.code, 1);
        assert.ok(run.json.findings.some((f: any) => f.id === "pending-operations"));
    });
});

describe("preflight state checks", () => {
    const region = (overrides: { weights?: { blue: number; green: number }; upgrade?: unknown; configured?: string; deployed?: string }) => ({
        region: "us-west-2",
        stack: "region-prod-us-west-2",
        config: {},
        pending: false,
        outputs: { weights: overrides.weights ?? { blue: 100, green: 0 }, cronColor: "blue", upgrade: overrides.upgrade ?? null } as any,
        clusters: {
            blue: {
                color: "blue" as const,
                stack: "mitene-prod-us-west-2-blue",
                config: { "mitene:kubernetesVersion": overrides.configured ?? "1.34" },
                outputs: { kubernetesVersion: overrides.deployed ?? "1.34" } as any,
                resourceCount: 50,
                version: overrides.deployed ?? "1.34",
                pending: false,
            },
        },
    });
    const env = (r: ReturnType<typeof region>, pending = false) => ({ env: "prod", ops: null, regions: [{ ...r, pending }] });
    const lease = (runId: string) => ({ env: "prod", expiresAt: "9999", holder: { runId, command: "mitene upgrade", host: "h", pid: 1, startedAt: "t" } });
    const ids = (findings: { id: string; severity: string }[]) => findings.map((f) => `${f.severity}:${f.id}`);

    it("passes a region standing as its stack files say", () => {
        assert.deepEqual(stateFindings(env(region({})), null, null), []);
    });
    it("blocks on pending operations", () => {
        assert.deepEqual(ids(stateFindings(env(region({}), true), null, null)), ["blocking:pending-operations"]);
    });
    it("blocks on a lease held by another run, not on this run's own", () => {
        assert.deepEqual(ids(stateFindings(env(region({})), lease("other"), "mine")), ["blocking:lease-held"]);
        assert.deepEqual(stateFindings(env(region({})), lease("mine"), "mine"), []);
    });
    it("blocks when the serving cluster runs another version than its stack file says", () => {
        const [finding] = stateFindings(env(region({ configured: "1.35", deployed: "1.34" })), null, null);
        assert.match(finding.message, /runs 1\.34 but its stack file says 1\.35/);
    });
    it("blocks when traffic is split with no upgrade in progress", () => {
        assert.deepEqual(ids(stateFindings(env(region({ weights: { blue: 90, green: 10 } })), null, null)), ["blocking:serving-state"]);
    });
    it("warns about an earlier attempt that was rolled back", () => {
        assert.deepEqual(ids(stateFindings(env(region({ upgrade: { newColor: "green", state: "rolled_back", reason: "gate" } })), null, null)), ["warning:serving-state"]);
    });
});


