/**
 * The cycle's order, held by preflight, upgrade, ops-upgrade and rehearse: the Ops cluster before the service
 * clusters, staging (with its soak) before prod, and a deliberate override that the journal keeps.
 */
import { phaseText } from "../../automation/commands/status";
import { strict as assert } from "node:assert";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { eksSupport, supportPhase } from "../../components/kubernetesVersions";
import { formatInstant, parseInstant } from "../../components/validation";
import { envOrderFindings, opsFirstFindings, overrideOrder } from "../../automation/plan/order";
import { EnvSnapshot, snapshotFromFiles } from "../../automation/plan/snapshot";
import { cli, sim, tempState } from "../driver/harness";

const DAY = 86_400_000;
const prod = () => snapshotFromFiles("prod")!;
const staging = (version: string, servingSince: string | null): EnvSnapshot => {
    const snapshot = snapshotFromFiles("staging")!;
    return { ...snapshot, clusters: snapshot.clusters.map((c) => ({ ...c, version, coreAddonsVersion: version, servingSince: c.role === "service" ? servingSince : null })) };
};

describe("plan: the order of a version cycle", () => {
    it("the committed prod follows staging with a 7-day soak", () => {
        assert.deepEqual(prod().cycle, { after: "staging", soakDays: 7 });
        assert.equal(snapshotFromFiles("staging")!.cycle, null);
    });

    it("blocks the service clusters while the Ops cluster trails the target, naming the next in-place step", () => {
        const [finding] = opsFirstFindings(prod(), "1.36");
        assert.equal(finding.severity, "blocking");
        assert.match(finding.message, /Ops cluster of prod runs Kubernetes 1\.34, behind the target 1\.36: .*mitene ops-upgrade --env prod --to 1\.35/);
        assert.deepEqual(opsFirstFindings(prod(), "1.34"), []);
    });

    it("blocks prod until staging has served the target for the soak, and says when it will have", () => {
        const now = Date.parse("2026-12-10T00:00:00Z");
        assert.match(envOrderFindings(prod(), staging("1.34", null), "1.35", now)[0].message, /staging has served it for 7 days: its Ops cluster runs 1\.34; ap-northeast-1 serves 1\.34/);
        assert.match(envOrderFindings(prod(), staging("1.35", null), "1.35", now)[0].message, /does not say since when/);
        const since = new Date(now - 3 * DAY).toISOString();
        assert.match(envOrderFindings(prod(), staging("1.35", since), "1.35", now)[0].message, /served 1\.35 for 3\.0 of 7 days .*soaked at 2026-12-14 00:00 UTC/);
        assert.deepEqual(envOrderFindings(prod(), staging("1.35", new Date(now - 7 * DAY).toISOString()), "1.35", now), []);
        assert.deepEqual(envOrderFindings(prod(), staging("1.36", new Date(now - 8 * DAY).toISOString()), "1.35", now), [], "staging ahead of the target has served it");
        assert.match(envOrderFindings(prod(), null, "1.35", now)[0].message, /no stack of staging was found/);
    });

    it("an override keeps the findings, as warnings naming the reason", () => {
        const findings = overrideOrder([...opsFirstFindings(prod(), "1.35"), { id: "lease-held", severity: "blocking", message: "m" }], "hotfix");
        assert.deepEqual(findings.map((f) => [f.id, f.severity]), [["ops-order", "warning"], ["lease-held", "blocking"]]);
        assert.match(findings[0].message, /\[order check skipped: hotfix\]$/);
    });
});

describe("the cycle's order on the sim engine", () => {
    it("upgrade refuses prod while its Ops cluster and staging run 1.34, changes nothing; --skip-order-check goes on and is journaled", async () => {
        const state = tempState();
        const blocked = await cli(sim(state, "upgrade", "--env", "prod", "--to", "1.35", "--json"), { orderCheck: true });
        assert.equal(blocked.code, 1, blocked.stderr);
        assert.deepEqual(blocked.json.preflight.filter((f: any) => f.severity === "blocking").map((f: any) => f.id), ["ops-order", "env-order"]);
        assert.ok(blocked.json.regions.every((r: any) => r.steps.length === 0));
        assert.deepEqual((await cli(sim(state, "status", "--env", "prod", "--json"))).json.regions.map((r: any) => r.weights), [{ blue: 100, green: 0 }, { blue: 100, green: 0 }]);

        const forced = await cli(sim(state, "upgrade", "--env", "prod", "--to", "1.35", "--skip-order-check", "drill: prod first on purpose", "--json"), { orderCheck: true });
        assert.equal(forced.code, 0, forced.stderr);
        const journal = readFileSync(forced.json.journal, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
        const skipped = journal.find((e) => e.event.startsWith("order check skipped on purpose"));
        assert.equal(skipped.detail.skipOrderCheck, "drill: prod first on purpose");
        assert.deepEqual(skipped.detail.overridden.map((f: any) => f.id), ["ops-order", "env-order"]);
    });

    it("an empty override reason is bad input", async () => {
        const run = await cli(sim(tempState(), "upgrade", "--env", "prod", "--to", "1.35", "--skip-order-check", " ", "--json"), { orderCheck: true });
        assert.equal(run.code, 2);
        assert.match(run.json.error, /--skip-order-check " " names nothing/);
    });

    it("a whole cycle in order: staging (Ops, then service clusters), its soak, then prod (Ops, then service clusters)", async () => {
        const state = tempState();
        const stacks = path.join(path.dirname(state), "stacks");
        cpSync(path.resolve("stacks"), stacks, { recursive: true, filter: (f) => !f.endsWith(".ts") });
        const step = async (...args: string[]) => cli(sim(state, ...args, "--stacks", stacks, "--json"), { orderCheck: true });
        // Where everything already runs the target, no step is left, and no soak waits for nothing.
        assert.deepEqual((await step("plan", "--env", "prod", "--to", "1.34")).json.steps, []);

        assert.equal((await step("ops-upgrade", "--env", "staging", "--to", "1.35")).code, 0);
        const stagingUp = await step("upgrade", "--env", "staging", "--to", "1.35");
        assert.equal(stagingUp.code, 0, stagingUp.stderr);
        // Staging has served 1.35 for minutes of virtual time, not seven days.
        // (preflight and plan read only: prod is not seeded into the state before its stack file changes below)
        const early = await step("preflight", "--env", "prod", "--ops", "--to", "1.35");
        assert.equal(early.code, 1);
        assert.match(early.json.findings.find((f: any) => f.id === "env-order").message, /ap-northeast-1 has served 1\.35 for 0\.\d of 7 days/);
        const plan = await step("plan", "--env", "prod", "--to", "1.35");
        assert.deepEqual(plan.json.steps.map((s: any) => [s.env, s.action, s.to]), [["staging", "soak", "1.35"], ["prod", "ops-upgrade", "1.35"], ["prod", "upgrade", "1.35"]]);
        assert.equal(plan.json.steps[0].daysLeft, 7);

        // A soak of 0 days (the stack file's choice) lets prod go: Ops first, then the service clusters.
        const opsProd = path.join(stacks, "Pulumi.ops-prod.yaml");
        writeFileSync(opsProd, readFileSync(opsProd, "utf8").replace("soakDays: 7", "soakDays: 0"));
        const servicesFirst = await step("upgrade", "--env", "prod", "--to", "1.35");
        assert.equal(servicesFirst.code, 1);
        assert.deepEqual(servicesFirst.json.preflight.filter((f: any) => f.severity === "blocking").map((f: any) => f.id), ["ops-order"]);
        assert.equal((await step("ops-upgrade", "--env", "prod", "--to", "1.35")).code, 0);
        const prodUp = await step("upgrade", "--env", "prod", "--to", "1.35");
        assert.equal(prodUp.code, 0, prodUp.stderr);
        assert.equal(prodUp.json.result, "completed");
        assert.deepEqual((await step("plan", "--env", "prod", "--to", "1.35")).json.steps, []);
    });

    it("rehearse takes the Ops step first, reports it apart from the upgrade's durationMinutes, then finds nothing to do", async () => {
        const state = tempState();
        const first = await cli(["rehearse", "--state", state, "--json"]);
        assert.equal(first.code, 0, first.stderr);
        assert.equal(first.json.result, "completed");
        assert.deepEqual(first.json.ops.map((o: any) => [o.to, o.result]), [["1.35", "completed"]]);
        assert.equal(first.json.durationMinutes, 158);
        assert.ok(first.json.ops[0].durationMinutes > 0);
        const again = await cli(["rehearse", "--state", state, "--json"]);
        assert.equal(again.json.result, "nothing_to_do", again.stderr);
        assert.deepEqual(again.json.ops, []);
    });
});

describe("status shows the support phase", () => {
    it("every cluster and the Ops cluster of prod: the phase of its version today", async () => {
        const today = new Date().toISOString().slice(0, 10);
        const run = await cli(sim(tempState(), "status", "--env", "prod", "--json"));
        assert.equal(run.json.ops.phase, supportPhase("1.34", today));
        for (const region of run.json.regions) assert.deepEqual(region.clusters.map((c: any) => [c.phase, c.datesVerified]), [[supportPhase("1.34", today), eksSupport("1.34")!.verified]]);
        assert.equal(run.json.ops.datesVerified, eksSupport("1.34")!.verified);
        assert.match((await cli(sim(tempState(), "status", "--env", "prod"))).stdout, /blue {3}1\.34 {3}mitene-prod-ap-northeast-1-blue {2}(extended|standard) support {2}\[cron\]/);
        // A version whose calendar row was not read in AWS's own table says so (1.35 here).
        assert.equal(phaseText("standard", "1.35"), "standard support, dates unverified");
        assert.equal(phaseText("extended", "1.34"), "extended support");
    });
});

describe("servingSince as stack files hold it", () => {
    it("reads the driver's form and the text Pulumi's Go YAML reader makes of an unquoted timestamp; nothing else", () => {
        const at = Date.parse("2026-12-04T10:15:00Z");
        assert.equal(formatInstant(at + 42_000), "2026-12-04T10:15Z");
        for (const text of ["2026-12-04T10:15Z", "2026-12-04T10:15:00.000Z", "2026-12-04 10:15:00 +0000 UTC", "2026-12-04 19:15:00 +0900 JST", "2026-12-04T19:15+09:00"]) assert.equal(parseInstant(text), at, text);
        for (const text of ["2026-12-04", "yesterday", "2026-12-04T10:15", ""]) assert.ok(Number.isNaN(parseInstant(text)), text);
    });
});
