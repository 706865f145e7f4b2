/**
 * Each env pinned to its AWS account: preflight compares the caller's account with the env's before anything
 * changes, and checks the env's stacks agree on one account and on VPCs that do not overlap.
 */
import { strict as assert } from "node:assert";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { accountFindings } from "../../automation/preflight/checks";
import { cli, sim, tempState } from "./harness";

const PROD = "123456789012";
const files = (accounts: string[], cidrs: string[] = ["10.100.0.0/16", "10.20.0.0/16"]) =>
    accounts.map((accountId, i) => ({
        stack: i === 0 ? "ops-prod" : `region-prod-${["ap-northeast-1", "us-west-2", "eu-west-1"][i - 1]}`,
        config: { "mitene:accountId": accountId, "mitene:vpcCidr": cidrs[i] },
    }));
const caller = (accountId: string) => ({ accountId, arn: `arn:aws:sts::${accountId}:assumed-role/operator/jane` });

describe("preflight: the env's AWS account", () => {
    it("finds nothing when the stacks agree and the credentials are the env's", () => {
        assert.deepEqual(accountFindings("prod", files([PROD, PROD]), caller(PROD)), []);
    });

    it("blocks credentials of another account, naming both accounts and the caller", () => {
        const findings = accountFindings("prod", files([PROD, PROD]), caller("210987654321"));
        assert.deepEqual(findings.map((f) => [f.id, f.severity]), [["aws-account", "blocking"]]);
        assert.equal(
            findings[0].message,
            "the AWS credentials belong to account 210987654321 (arn:aws:sts::210987654321:assumed-role/operator/jane), but prod's stacks are in account 123456789012: use prod's credentials",
        );
    });

    it("blocks when the caller's account cannot be read", () => {
        const [finding] = accountFindings("prod", files([PROD]), new Error("ExpiredToken"));
        assert.deepEqual([finding.id, finding.severity], ["aws-account", "blocking"]);
        assert.match(finding.message, /cannot tell which AWS account .*ExpiredToken/);
    });

    it("blocks stacks that disagree on the account, and overlapping VPCs, as env-config", () => {
        const findings = accountFindings("prod", files([PROD, "210987654321", PROD], ["10.100.0.0/16", "10.20.0.0/16", "10.100.0.0/17"]), caller(PROD));
        assert.deepEqual(findings.map((f) => f.id), ["env-config", "env-config"]);
        assert.match(findings[0].message, /disagree on mitene:accountId/);
        assert.match(findings[1].message, /ops-prod 10\.100\.0\.0\/16 overlaps region-prod-us-west-2 10\.100\.0\.0\/17/);
    });

    it("blocks an env whose stacks name no account", () => {
        const [finding] = accountFindings("prod", [{ stack: "ops-prod", config: {} }], caller(PROD));
        assert.match(finding.message, /no stack of prod names its AWS account/);
    });
});

describe("preflight on the sim engine: the caller's account", () => {
    const scenario = (state: string, content: unknown) => {
        const file = path.join(path.dirname(state), "scenario.json");
        writeFileSync(file, JSON.stringify(content));
        return file;
    };

    it("passes when the scenario says nothing (the credentials are the env's)", async () => {
        const run = await cli(sim(tempState(), "preflight", "--env", "prod", "--to", "1.35", "--json"));
        assert.equal(run.code, 0, run.stderr);
    });

    for (const mode of [[], ["--ops"]]) {
        it(`blocks ${mode.length ? "ops-upgrade's" : "an upgrade's"} preflight with another account's credentials, naming both ids`, async () => {
            const state = tempState();
            const run = await cli(sim(state, "preflight", "--env", "prod", "--to", "1.35", ...mode, "--json", "--scenario", scenario(state, { callerAccountId: "210987654321" })));
            assert.equal(run.code, 1);
            const finding = run.json.findings.find((f: { id: string }) => f.id === "aws-account");
            assert.equal(finding.severity, "blocking");
            assert.match(finding.message, /account 210987654321 .* in account 123456789012/);
        });
    }

    it("refuses the upgrade before changing anything", async () => {
        const state = tempState();
        const file = scenario(state, { callerAccountId: "210987654321" });
        const before = await cli(sim(state, "status", "--env", "prod", "--json"));
        const run = await cli(sim(state, "upgrade", "--env", "prod", "--to", "1.35", "--json", "--scenario", file));
        assert.equal(run.code, 1);
        assert.match(run.stderr + run.stdout, /210987654321/);
        const after = await cli(sim(state, "status", "--env", "prod", "--json"));
        assert.deepEqual(after.json.regions, before.json.regions);
    });

    it("takes a malformed callerAccountId as bad input", async () => {
        const state = tempState();
        const run = await cli(sim(state, "preflight", "--env", "prod", "--to", "1.35", "--scenario", scenario(state, { callerAccountId: "12345" })));
        assert.equal(run.code, 2);
        assert.match(run.stderr, /callerAccountId: expected a 12-digit AWS account id/);
    });
});
