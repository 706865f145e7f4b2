import { strict as assert } from "node:assert";
import fc from "fast-check";
import { externalSecretsPolicy, irsaTrustPolicy, roleTrustPolicy, serviceTrustPolicy } from "../../components/iamPolicies";

const PROVIDER_ARN = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/ABCDEF0123456789";
const ISSUER = "oidc.eks.us-west-2.amazonaws.com/id/ABCDEF0123456789";

describe("iamPolicies: irsaTrustPolicy", () => {
    const policy = irsaTrustPolicy(PROVIDER_ARN, `https://${ISSUER}`, "kube-system", "cluster-autoscaler");
    const [statement] = policy.Statement;

    it("has one statement: web identity from the cluster's OIDC provider", () => {
        assert.equal(policy.Statement.length, 1);
        assert.equal(statement.Effect, "Allow");
        assert.deepEqual(statement.Principal, { Federated: PROVIDER_ARN });
        assert.deepEqual(statement.Action, ["sts:AssumeRoleWithWebIdentity"]);
    });

    it("is scoped to exactly one service account and the STS audience, with exact matching", () => {
        assert.deepEqual(statement.Condition, {
            StringEquals: {
                [`${ISSUER}:sub`]: "system:serviceaccount:kube-system:cluster-autoscaler",
                [`${ISSUER}:aud`]: "sts.amazonaws.com",
            },
        });
    });

    it("uses the issuer without https:// in condition keys, whether or not the URL has it", () => {
        const withScheme = irsaTrustPolicy(PROVIDER_ARN, `https://${ISSUER}`, "ns", "sa");
        const without = irsaTrustPolicy(PROVIDER_ARN, ISSUER, "ns", "sa");
        assert.deepEqual(withScheme, without);
        for (const key of Object.keys(withScheme.Statement[0].Condition!.StringEquals)) assert.ok(!key.includes("https://"), key);
    });

    it("property: the subject always names the given namespace and service account, nothing wider", () => {
        const name = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,20}[a-z0-9])?$/);
        fc.assert(
            fc.property(name, name, (namespace, serviceAccount) => {
                const condition = irsaTrustPolicy(PROVIDER_ARN, `https://${ISSUER}`, namespace, serviceAccount).Statement[0].Condition!;
                assert.deepEqual(Object.keys(condition), ["StringEquals"]);
                assert.equal(condition.StringEquals[`${ISSUER}:sub`], `system:serviceaccount:${namespace}:${serviceAccount}`);
                assert.ok(!JSON.stringify(condition).includes("*"));
            }),
        );
    });
});

describe("iamPolicies: other trust policies", () => {
    it("serviceTrustPolicy lets one AWS service assume the role", () => {
        assert.deepEqual(serviceTrustPolicy("ec2.amazonaws.com").Statement, [
            { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: ["sts:AssumeRole"] },
        ]);
    });

    it("roleTrustPolicy lets exactly the given roles assume the role", () => {
        const roles = ["arn:aws:iam::123456789012:role/a", "arn:aws:iam::123456789012:role/b"];
        assert.deepEqual(roleTrustPolicy(roles).Statement, [{ Effect: "Allow", Principal: { AWS: roles }, Action: ["sts:AssumeRole"] }]);
    });
});

describe("iamPolicies: externalSecretsPolicy", () => {
    const scope = { partition: "aws", accountId: "123456789012", region: "us-west-2", clusterName: "mitene-prod-usw2-green" };
    const doc = externalSecretsPolicy(scope, "/mitene/prod");
    const parameter = (name: string) => `arn:aws:ssm:us-west-2:123456789012:parameter${name}`;
    /** IAM's resource match: `*` is any run of characters, the rest literal. */
    const matches = (pattern: string, arn: string) => new RegExp(`^${pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, "\\$&")).join(".*")}$`).test(arn);
    const allows = (action: string, arn: string) =>
        doc.Statement.some((s) => s.Effect === "Allow" && s.Action.includes(action) && [s.Resource ?? []].flat().some((pattern) => matches(pattern, arn)));

    // SSM user guide, "How Parameter Store authorizes parameter retrieval": GetParametersByPath is authorized
    // against the path in the request, not the parameters it returns.
    it("authorizes GetParametersByPath on the env's path itself, and on its sub-paths", () => {
        assert.ok(allows("ssm:GetParametersByPath", parameter("/mitene/prod")));
        assert.ok(allows("ssm:GetParametersByPath", parameter("/mitene/prod/argocd")));
    });
    it("authorizes GetParameter(s) on the parameters under the path", () => {
        for (const action of ["ssm:GetParameter", "ssm:GetParameters"]) assert.ok(allows(action, parameter("/mitene/prod/db-password")), action);
    });
    it("reaches nothing outside the env's path (a sibling path sharing its prefix included)", () => {
        for (const action of ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"]) {
            for (const name of ["/mitene/staging", "/mitene/staging/db-password", "/mitene/production/x", "/mitene"]) assert.ok(!allows(action, parameter(name)), `${action} ${name}`);
        }
    });
});
