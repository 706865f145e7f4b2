/**
 * read-only-principals over rendered graphs, both ways: a role that the preview role or a runner can assume,
 * directly or through other roles, may hold reads only, wherever its policies are (inline, a role policy of
 * its own, an attachment); roles no read-only principal can assume are left alone. End to end, the committed
 * render passes `mitene policy` and one with such a role added fails it.
 */
import { strict as assert } from "node:assert";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import type { EnvGraphResource, EnvStackGraph } from "../../policy/envGraph";
import { readOnlyReach } from "../../policy/readOnlyReach";
import { cli, renderedStack } from "../driver/harness";

const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const arn = (name: string) => `arn:aws:iam::123456789012:role/${name}`;
const doc = (...statements: Record<string, unknown>[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const trustedBy = (principal: unknown, action: unknown = ["sts:AssumeRole"]) => doc({ Effect: "Allow", Principal: principal, Action: action });
const grants = (...actions: string[]) => doc({ Effect: "Allow", Action: actions, Resource: "*" });

const role = (name: string, assumeRolePolicy: string, extra: Record<string, unknown> = {}): EnvGraphResource => ({ type: ROLE, name, inputs: { assumeRolePolicy, ...extra } });
/** A role policy linked the way the render links it: by the role's physical name. */
const rolePolicy = (name: string, roleName: string, policy: string): EnvGraphResource => ({ type: ROLE_POLICY, name, inputs: { role: roleName, policy } });
const graph = (...resources: EnvGraphResource[]): EnvStackGraph[] => [{ stack: "ops-prod", resources }];
const found = async (graphs: EnvStackGraph[]) => (await readOnlyReach.check(graphs)).map((v) => [v.resource, v.message]);

describe("policy: read-only-principals over the graph", () => {
    it("passes roles no read-only principal can assume, and reads on one it can", async () => {
        assert.deepEqual(await found(graph(
            role("deployer", trustedBy({ AWS: arn("mitene-prod-deploy") })), rolePolicy("deployer", "deployer-1a2b3c4", grants("*")),
            // The account principal defers to the caller's own policy, which may assume only the preview role itself.
            role("accountwide", trustedBy({ AWS: "arn:aws:iam::123456789012:root" }), { inlinePolicies: [{ policy: grants("iam:*") }] }),
            role("nodes", trustedBy({ Service: "ec2.amazonaws.com" }), { inlinePolicies: [{ policy: grants("ec2:*") }] }),
            role("denied", doc({ Effect: "Deny", Principal: { AWS: arn("mitene-prod-preview") }, Action: "sts:AssumeRole" }), { inlinePolicies: [{ policy: grants("s3:*") }] }),
            // Tagging the session is no assume.
            role("tags", trustedBy({ AWS: arn("mitene-prod-preview") }, "sts:TagSession"), { inlinePolicies: [{ policy: grants("s3:*") }] }),
            role("reader", trustedBy({ AWS: arn("mitene-prod-preview") })), rolePolicy("reader", "reader-0f1e2d3", grants("ec2:Describe*", "s3:GetObject")),
        )), []);
    });

    it("flags a role the preview role can assume whose own role policy grants every action", async () => {
        assert.deepEqual(await found(graph(role("sneaky", trustedBy({ AWS: arn("mitene-prod-preview") })), rolePolicy("sneaky", "sneaky-0a1b2c3", grants("*")))), [
            [`${ROLE_POLICY}::sneaky`, "role sneaky (assumable by read-only mitene-prod-preview) is granted every action (*) on *"],
        ]);
    });

    it("flags writes in a role's inline policies and its managed policies, for a runner as for the preview role", async () => {
        const messages = await found(graph(role("logs", trustedBy({ AWS: [arn("x"), arn("path/mitene-staging-preview-runner")] }), {
            name: "mitene-staging-logs",
            inlinePolicies: [{ policy: grants("s3:GetObject", "s3:PutObject") }],
            managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
        })));
        assert.deepEqual(messages, [
            [`${ROLE}::logs`, "role mitene-staging-logs (assumable by read-only mitene-staging-preview-runner) is granted s3:PutObject (Write) on *"],
            [`${ROLE}::logs`, "role mitene-staging-logs (assumable by read-only mitene-staging-preview-runner) has the managed policy arn:aws:iam::aws:policy/ReadOnlyAccess attached, whose rights this rule cannot see"],
        ]);
    });

    it("follows a chain of roles, in whatever order the graphs list them", async () => {
        const messages = await found([
            { stack: "mitene-prod-us-west-2-blue", resources: [role("second", trustedBy({ AWS: arn("first-9f8e7d6") })), rolePolicy("second", "second-1234567", grants("iam:PassRole"))] },
            { stack: "ops-prod", resources: [role("first", trustedBy({ AWS: arn("mitene-prod-deploy-runner") })), rolePolicy("first", "first-9f8e7d6", grants("sts:GetCallerIdentity"))] },
        ]);
        assert.deepEqual(messages, [[`${ROLE_POLICY}::second`, "role second (assumable by first, which read-only mitene-prod-deploy-runner can assume) is granted iam:PassRole (Write) on *"]]);
    });

    it("flags a role anyone may assume, and a trust granting every action but another", async () => {
        const messages = await found(graph(
            role("open", trustedBy("*"), { inlinePolicies: [{ policy: grants("s3:DeleteBucket") }] }),
            role("almost", doc({ Effect: "Allow", Principal: { AWS: arn("mitene-prod-preview") }, NotAction: "sts:TagSession" }), { inlinePolicies: [{ policy: grants("s3:DeleteBucket") }] }),
        ));
        assert.deepEqual(messages, [
            [`${ROLE}::open`, `role open (assumable by any principal ("*"), read-only ones included) is granted s3:DeleteBucket (Write) on *`],
            [`${ROLE}::almost`, "role almost (assumable by read-only mitene-prod-preview) is granted s3:DeleteBucket (Write) on *"],
        ]);
    });

    describe("mitene policy over the Ops render", () => {
        let dir: string;
        before(async () => {
            dir = await renderedStack("prod", "ops-prod");
        });
        after(() => rmSync(dir, { recursive: true, force: true }));

        // That the committed render passes is test/identity/documents.test.ts's.
        it("fails once a role the preview role can assume is granted everything", async () => {
            const file = path.join(dir, "ops-prod.json");
            const rendered = JSON.parse(readFileSync(file, "utf8")) as EnvStackGraph;
            rendered.resources.push(role("sneaky", trustedBy({ AWS: arn("mitene-prod-preview") })), rolePolicy("sneaky", "sneaky-0a1b2c3", grants("*")));
            writeFileSync(file, JSON.stringify(rendered));
            const { code, json } = await cli(["policy", dir, "--json"]);
            assert.equal(code, 1);
            assert.deepEqual((json as { violations: { rule: string; resource: string; level: string }[] }).violations.map((v) => [v.rule, v.resource, v.level]), [
                ["read-only-principals", `${ROLE_POLICY}::sneaky`, "mandatory"],
            ]);
        });
    });
});
