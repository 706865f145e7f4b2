import { strict as assert } from "node:assert";
import fc from "fast-check";
import { irsaTrustPolicy, roleTrustPolicy, serviceTrustPolicy } from "../../components/iamPolicies";

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
