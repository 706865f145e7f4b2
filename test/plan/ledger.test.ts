/**
 * The readiness ledger's judgements, pure: no blocking fact is ever reported as ok (one test per kind: an EKS
 * insight ERROR, an add-on out of range, a removed API, a version past extended support), the vpc-cni chain never
 * skips a minor, and every pin supports every version the committed stacks run.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import * as semver from "semver";
import { ADDON_CATALOG, CLUSTER_AUTOSCALER_IMAGES, chartSupports } from "../../components/addonCatalog";
import { CORE_ADDON_VERSIONS, EKS_VERSIONS, coreAddonVersions } from "../../components/kubernetesVersions";
import { CHARTS } from "../../components/upstream/charts";
import { CHART_COMPATIBILITY, KubeRange } from "../../components/upstream/compatibility";
import { calendarItem, calendarRow, daysBetween, targetCalendarItem } from "../../automation/plan/calendar";
import { PINNED_CHARTS, addonItem, chooseRelease, compatibilityAt, coreAddonItems, insightItems, vpcCniChain, vpcCniMinor } from "../../automation/plan/ledger";
import { manifestItems, scanManifests } from "../../automation/plan/manifests";
import { ClusterFacts, snapshotFromFiles, upgradePolicyOf } from "../../automation/plan/snapshot";

const cluster = (changes: Partial<ClusterFacts> = {}): ClusterFacts => ({
    stack: "mitene-prod-us-west-2-blue",
    cluster: "mitene-prod-usw2-blue",
    role: "service",
    region: "us-west-2",
    version: "1.34",
    coreAddonsVersion: "1.34",
    upgradePolicy: null,
    serving: true,
    servingSince: null,
    charts: ["metrics-server"],
    ...changes,
});

describe("plan: calendar", () => {
    it("1.34 on 2026-12-04: extended support two days in, $365 a month more with the EKS default policy, dates read in AWS's calendar", () => {
        const row = calendarRow(cluster(), "2026-12-04");
        assert.deepEqual([row.phase, row.daysLeft, row.extraCostPerMonthUsd, row.upgradePolicy, row.datesVerified], ["extended", -2, 365, "EXTENDED (EKS default)", true]);
        assert.match(row.costSource, /\$0\.60 \(extended\) vs \$0\.10 \(standard\) per cluster-hour.*730 hours/);
        const item = calendarItem(row);
        assert.equal(item.severity, "warning");
        assert.doesNotMatch(item.detail, /NOT verified/);
        // A row not read in AWS's own calendar says so (1.35).
        assert.match(calendarItem(calendarRow(cluster({ version: "1.35" }), "2027-02-20")).detail, /NOT verified/);
    });

    it("upgradePolicy is mitene:supportType as the stack file sets it; nothing set reads as the EKS default", () => {
        assert.equal(upgradePolicyOf({ "mitene:supportType": "STANDARD" }), "STANDARD");
        assert.equal(upgradePolicyOf({}), null);
        assert.equal(calendarRow(cluster({ upgradePolicy: upgradePolicyOf({ "mitene:supportType": "EXTENDED" }) }), "2026-12-04").upgradePolicy, "EXTENDED");
    });

    it("past the end of extended support is blocking, never ok", () => {
        const item = calendarItem(calendarRow(cluster({ version: "1.31" }), "2026-12-04"));
        assert.equal(item.severity, "blocking");
        assert.match(item.detail, /left EKS extended support on 2026-11-26/);
    });

    it("upgradePolicy STANDARD past standard support: no extended cost, but EKS upgrades it in place: blocking", () => {
        const row = calendarRow(cluster({ upgradePolicy: "STANDARD" }), "2026-12-04");
        assert.equal(row.extraCostPerMonthUsd, 0);
        assert.equal(calendarItem(row).severity, "blocking");
    });

    it("warns within 60 days of the end of standard support, not before; a verified row far from it is ok", () => {
        assert.equal(calendarItem(calendarRow(cluster({ version: "1.33" }), "2026-05-30")).severity, "warning"); // 60 days before 2026-07-29
        assert.equal(calendarItem(calendarRow(cluster({ version: "1.33" }), "2026-05-29")).severity, "ok");
        assert.equal(calendarRow(cluster({ version: "1.33" }), "2026-05-29").extraCostPerMonthUsd, 0);
    });

    it("an unknown version or target is blocking", () => {
        assert.equal(calendarItem(calendarRow(cluster({ version: "1.29" }), "2026-12-04")).severity, "blocking");
        assert.equal(targetCalendarItem("1.40", "2026-12-04").severity, "blocking");
    });

    it("property: daysLeft counts whole days to the end of standard support", () => {
        fc.assert(fc.property(fc.integer({ min: -400, max: 400 }), (offset) => {
            const at = new Date(Date.parse("2026-12-02T00:00:00Z") - offset * 86_400_000).toISOString().slice(0, 10);
            assert.equal(daysBetween(at, "2026-12-02"), offset);
        }));
    });
});

describe("plan: add-ons", () => {
    const metricsServer = PINNED_CHARTS.find((c) => c.name === "metrics-server")!;

    it("an add-on out of the project's range is blocking, names what to do, and moves to nothing unverified", () => {
        const chart = { ...metricsServer, kubernetes: { min: "1.31", max: "1.36" } };
        const item = addonItem("c", chart, "1.37");
        assert.equal(item.severity, "blocking");
        assert.equal(item.supportsTarget, false);
        const unread = compatibilityAt(CHART_COMPATIBILITY["metrics-server"], chart.version)!.newer.filter((r) => !r.supports).map((r) => r.version);
        assert.equal(item.moveTo, null, "no release has a read range with 1.37 in it");
        assert.ok(item.detail.startsWith(`the project runs metrics-server ${chart.version} on Kubernetes 1.31-1.36 only`), item.detail);
        for (const version of unread) assert.ok(item.detail.includes(version), `${version} named as published, range not read`);
        assert.match(item.detail, /add the release to components\/upstream\/compatibility\.ts$/);
    });

    it("an ok that rests on the project's range alone says so; one backed by the chart's kubeVersion does not need to", () => {
        const bare = PINNED_CHARTS.find((c) => !CHART_COMPATIBILITY[c.upstream].kubeVersion && !CHART_COMPATIBILITY[c.upstream].tested)!;
        const item = addonItem("c", bare, bare.kubernetes.max);
        assert.equal(item.severity, "ok");
        assert.equal(item.detail, `supports ${bare.kubernetes.max} in the project's range ${bare.kubernetes.min}-${bare.kubernetes.max}: upstream states no Kubernetes range for ${bare.version}`);
        const grafana = PINNED_CHARTS.find((c) => c.name === "grafana")!;
        assert.equal(addonItem("c", grafana, grafana.kubernetes.max).detail, `supports ${grafana.kubernetes.max}`);
    });

    it("a Chart.yaml kubeVersion the target does not satisfy is blocking", () => {
        const grafana = { ...PINNED_CHARTS.find((c) => c.name === "grafana")!, kubernetes: { min: "1.20", max: "1.36" } };
        assert.equal(addonItem("c", grafana, "1.24").severity, "blocking");
        assert.match(addonItem("c", grafana, "1.24").detail, /kubeVersion "\^1\.25\.0-0"/);
    });

    it("chooses the newest release whose read range covers the target, never one whose range was not read", () => {
        const releases = [
            { version: "3.14.0", published: "p", supports: { min: "1.33", max: "1.37", source: "s" } },
            { version: "3.15.0", published: "p", supports: { min: "1.35", max: null, source: "s" } },
            { version: "3.16.0", published: "p", supports: null },
        ];
        assert.equal(chooseRelease(releases, "1.37")?.version, "3.15.0");
        assert.equal(chooseRelease(releases, "1.34")?.version, "3.14.0");
        assert.equal(chooseRelease(releases, "1.32"), null);
    });

    it("chooses only a release that also supports every version the env runs now (the pin is shared)", () => {
        const releases = [
            { version: "3.14.0", published: "p", supports: { min: "1.33", max: "1.37", source: "s" } },
            { version: "3.15.0", published: "p", supports: { min: "1.35", max: null, source: "s" } },
        ];
        assert.equal(chooseRelease(releases, "1.37", ["1.34", "1.35"])?.version, "3.14.0");
        assert.equal(chooseRelease(releases, "1.37", ["1.32"]), null);
    });

    it("a pin moved to a newer release by --write is judged by that release's read range, and offers only newer ones", () => {
        const release = (version: string, supports: KubeRange | null) => ({ version, published: "p", supports: supports && { ...supports, source: `read ${version}` } });
        const compat = { version: "1.0.0", kubeVersion: ">=1.20.0-0", chartYaml: "1.0.0/Chart.yaml", tested: null, notes: "n", newer: [release("1.1.0", { min: "1.33", max: "1.37" }), release("1.2.0", null)] };
        assert.deepEqual(compatibilityAt(compat, "1.0.0"), compat);
        const moved = compatibilityAt(compat, "1.1.0")!;
        assert.deepEqual([moved.version, moved.kubeVersion, moved.tested, moved.newer.map((r) => r.version)], ["1.1.0", null, { min: "1.33", max: "1.37", source: "read 1.1.0" }, ["1.2.0"]]);
        assert.match(moved.chartYaml, /Chart\.yaml of 1\.1\.0 \(not read yet/);
        assert.equal(compatibilityAt(compat, "1.2.0"), null, "a release whose range was not read leaves the pin without facts");
        assert.equal(compatibilityAt(compat, "0.9.0"), null);
    });

    it("every pin supports every Kubernetes version the committed stacks run (and the ledger says ok for it)", () => {
        for (const env of ["staging", "prod"]) {
            for (const facts of snapshotFromFiles(env)!.clusters) {
                for (const name of facts.charts) {
                    const chart = PINNED_CHARTS.find((c) => c.name === name)!;
                    assert.ok(chartSupports(chart, facts.version), `${name} ${chart.version} on ${facts.stack} (${facts.version})`);
                    assert.notEqual(addonItem(facts.cluster, chart, facts.version).severity, "blocking", `${name} on ${facts.version}`);
                }
                assert.ok(coreAddonVersions(facts.version), `core add-ons for ${facts.version}`);
                if (facts.charts.includes("cluster-autoscaler")) assert.ok(CLUSTER_AUTOSCALER_IMAGES[facts.version]);
            }
        }
    });

    it("every pinned chart has compatibility facts naming the Chart.yaml read", () => {
        for (const name of Object.keys(CHARTS) as (keyof typeof CHARTS)[]) {
            const facts = compatibilityAt(CHART_COMPATIBILITY[name], CHARTS[name].version);
            assert.ok(facts, `${name} ${CHARTS[name].version}: no facts for the pinned version`);
            assert.match(facts.chartYaml, /Chart\.yaml/, name);
            assert.ok(facts.newer.every((r) => semver.gt(r.version, CHARTS[name].version)), `${name}: only newer releases offered`);
        }
        assert.equal(new Set(ADDON_CATALOG.map((a) => a.upstream)).size + 2, Object.keys(CHART_COMPATIBILITY).length);
    });
});

describe("plan: core add-ons and the vpc-cni chain", () => {
    const build = (minor: number, patch = 0) => `v1.${minor}.${patch}-eksbuild.1`;

    it("property: a vpc-cni chain never skips a minor: consecutive builds are at most one minor apart, or the missing minor is a gap", () => {
        fc.assert(fc.property(fc.integer({ min: 10, max: 30 }), fc.integer({ min: 0, max: 8 }), fc.array(fc.integer({ min: 10, max: 40 }), { maxLength: 20 }), (from, span, knownMinors) => {
            const to = from + span;
            const known = knownMinors.map((m) => build(m, 1));
            const { chain, gaps } = vpcCniChain(build(from), build(to), known);
            assert.equal(chain[0], build(from));
            assert.equal(chain[chain.length - 1], span === 0 ? build(from) : build(to));
            const minors = chain.map(vpcCniMinor);
            for (let i = 1; i < minors.length; i++) {
                const skipped = minors[i] - minors[i - 1] - 1;
                assert.ok(skipped >= 0, "the chain goes forward");
                for (let m = minors[i - 1] + 1; m < minors[i]; m++) assert.ok(gaps.includes(m), `minor ${m} skipped without being reported`);
            }
            for (const gap of gaps) assert.ok(!knownMinors.includes(gap), `${gap} has a build`);
        }));
    });

    it("the Ops cluster's in-place chain to 1.36 visits each minor's build; a service cluster starts at the target's", () => {
        const ops = coreAddonItems(cluster({ role: "ops", cluster: "ops-prod" }), "1.36");
        const vpc = ops.find((i) => i.item === "vpc-cni")!;
        assert.equal(vpc.severity, "ok");
        assert.match(vpc.source, /one minor version at a time/);
        const service = coreAddonItems(cluster(), "1.36");
        assert.equal(service.find((i) => i.item === "kube-proxy")!.moveTo, CORE_ADDON_VERSIONS["1.36"].kubeProxy);
    });

    it("a target with no core add-on versions is blocking", () => {
        const [item] = coreAddonItems(cluster(), "1.37");
        assert.equal(item.severity, "blocking");
        assert.ok(EKS_VERSIONS.every((v) => v.version !== "1.37"));
    });
});

describe("plan: insights and manifests", () => {
    it("an EKS insight ERROR is blocking, WARNING and UNKNOWN warn, PASSING is ok", () => {
        const items = insightItems("c", [
            { id: "1", name: "Deprecated APIs removed in Kubernetes v1.35", status: "ERROR", reason: "in use", recommendation: "update the clients", deprecations: [{ usage: "/apis/x/v1beta1/y", replacedWith: "/apis/x/v1/y", stopServingVersion: "1.35" }] },
            { id: "2", name: "w", status: "WARNING", reason: "" },
            { id: "3", name: "u", status: "UNKNOWN", reason: "" },
            { id: "4", name: "p", status: "PASSING", reason: "" },
        ], "EKS");
        assert.deepEqual(items.map((i) => i.severity), ["blocking", "warning", "warning", "ok"]);
        assert.match(items[0].detail, /ERROR: in use; in use: \/apis\/x\/v1beta1\/y -> \/apis\/x\/v1\/y \(removed in 1\.35\); update the clients/);
        // Without a recommendation from EKS, anything not passing still says what to do; a passing one says nothing more.
        assert.match(items[1].detail, /; aws eks describe-insight --cluster-name c --id 2 names the resources; fix them, then plan again$/);
        assert.equal(items[3].detail, "PASSING: no reason given");
    });

    it("a removed API in a multi-document file is blocking and names file, kind, apiVersion, removal and replacement", () => {
        const dir = mkdtempSync(path.join(tmpdir(), "mitene-manifests-"));
        mkdirSync(path.join(dir, "apps", "api"), { recursive: true });
        writeFileSync(
            path.join(dir, "apps", "api", "all.yaml"),
            ["apiVersion: apps/v1", "kind: Deployment", "metadata: {name: api}", "---", "apiVersion: networking.k8s.io/v1beta1", "kind: Ingress", "metadata: {name: api}", "---", "apiVersion: v1", "kind: List", "items:", "  - apiVersion: v1", "    kind: Endpoints", "    metadata: {name: legacy}"].join("\n"),
        );
        writeFileSync(path.join(dir, "template.yaml"), "apiVersion: v1\nkind: {{ .Values.kind }\n");
        const scan = scanManifests(dir);
        assert.equal(scan.files, 2);
        const items = manifestItems(scan, "1.35", ["c"]);
        const removed = items.find((i) => i.severity === "blocking")!;
        assert.equal(removed.file, path.join("apps", "api", "all.yaml"));
        assert.match(removed.detail, /Ingress api .*uses networking\.k8s\.io\/v1beta1, removed in Kubernetes 1\.22: change it to networking\.k8s\.io\/v1/);
        assert.match(items.find((i) => i.item === "Endpoints v1")!.detail, /deprecated since 1\.33/);
        assert.equal(items.find((i) => i.item === "unreadable manifest")!.severity, "warning");
        assert.ok(!items.some((i) => i.item.startsWith("Deployment")), "apps/v1 is current");
    });
});
