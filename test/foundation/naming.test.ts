import { strict as assert } from "node:assert";
import fc from "fast-check";
import {
    AWS_NAME_MAX,
    COLORS,
    StackId,
    clusterStack,
    loadBalancerName,
    opsStack,
    otherColor,
    parseStackName,
    regionCode,
    regionStack,
    serviceClusterName,
    stackName,
    targetGroupName,
} from "../../components/naming";
import { parseStackConfig } from "../../stacks/config/load";
import { regionConfigSchema } from "../../stacks/config/schema";
import { listStacks } from "../../stacks/stackFiles";
import { stackConfig } from "../helpers/harness";

const REGIONS = [
    "ap-northeast-1", "ap-northeast-3", "ap-southeast-2", "ap-south-1", "us-east-1", "us-west-2", "eu-central-1",
    "eu-west-3", "eu-north-1", "sa-east-1", "ca-central-1", "me-south-1", "us-gov-west-1", "us-gov-east-1",
];
const env = fc.stringMatching(/^[a-z][a-z0-9]{1,11}$/);
const region = fc.constantFrom(...REGIONS);
const stackId: fc.Arbitrary<StackId> = fc.oneof(
    env.map((e): StackId => ({ kind: "ops", env: e })),
    fc.tuple(env, region).map(([e, r]): StackId => ({ kind: "region", env: e, region: r })),
    fc.tuple(env, region, fc.constantFrom(...COLORS)).map(([e, r, c]): StackId => ({ kind: "cluster", env: e, region: r, color: c })),
);

describe("naming: stack names", () => {
    it("parses the three kinds of stack names", () => {
        assert.deepEqual(parseStackName("ops-prod"), { kind: "ops", env: "prod" });
        assert.deepEqual(parseStackName("region-prod-ap-northeast-1"), { kind: "region", env: "prod", region: "ap-northeast-1" });
        assert.deepEqual(parseStackName("mitene-staging-us-gov-west-1-green"), { kind: "cluster", env: "staging", region: "us-gov-west-1", color: "green" });
    });

    it("property: stackName and parseStackName round-trip", () => {
        fc.assert(fc.property(stackId, (id) => assert.deepEqual(parseStackName(stackName(id)), id)));
    });

    it("the ops/region/cluster helpers build the same names as stackName", () => {
        assert.equal(opsStack("prod"), stackName({ kind: "ops", env: "prod" }));
        assert.equal(regionStack("prod", "us-west-2"), stackName({ kind: "region", env: "prod", region: "us-west-2" }));
        assert.equal(clusterStack("prod", "us-west-2", "blue"), stackName({ kind: "cluster", env: "prod", region: "us-west-2", color: "blue" }));
    });

    const unknown = [
        "", "ops", "ops-", "ops-p", "ops-Prod", "ops-prod-extra", "ops-averyveryverylongenv", "region-prod", "region-prod-mars-1",
        "region-prod-ap-northeast", "mitene-prod-ap-northeast-1", "mitene-prod-ap-northeast-1-red", "mitene-prod-ap-northeast-1-blue-2",
        "cluster-prod-ap-northeast-1-blue", "dev",
    ];
    for (const name of unknown) {
        it(`"${name}" is not a stack name`, () => assert.equal(parseStackName(name), undefined));
    }

    it("every committed stack file has a parseable name", () => {
        for (const stack of listStacks()) assert.ok(parseStackName(stack), stack);
    });

    it("otherColor alternates", () => {
        assert.equal(otherColor("blue"), "green");
        assert.equal(otherColor("green"), "blue");
    });
});

describe("naming: regionCode", () => {
    const table: [string, string][] = [
        ["ap-northeast-1", "apne1"],
        ["ap-northeast-3", "apne3"],
        ["ap-southeast-2", "apse2"],
        ["ap-south-1", "aps1"],
        ["us-west-2", "usw2"],
        ["us-east-1", "use1"],
        ["eu-central-1", "euc1"],
        ["eu-north-1", "eun1"],
        ["sa-east-1", "sae1"],
        ["ca-central-1", "cac1"],
        ["us-gov-west-1", "usgovw1"],
        ["us-gov-east-1", "usgove1"],
    ];
    for (const [r, code] of table) {
        it(`${r} -> ${code}`, () => assert.equal(regionCode(r), code));
    }

    it("rejects what is not a region", () => {
        assert.throws(() => regionCode("tokyo"), /not an AWS region: tokyo/);
        assert.throws(() => regionCode("ap-northeast"), /not an AWS region/);
    });

    it("rejects an unknown direction instead of inventing a code", () => {
        assert.throws(() => regionCode("ap-upward-1"), /unknown direction in region ap-upward-1/);
    });

    it("property: different regions get different codes", () => {
        const codes = REGIONS.map(regionCode);
        assert.equal(new Set(codes).size, codes.length);
    });
});

describe("naming: AWS names", () => {
    it("derives cluster, target group and load balancer names from env, region and color", () => {
        assert.equal(serviceClusterName("prod", "ap-northeast-1", "blue"), "mitene-prod-apne1-blue");
        assert.equal(targetGroupName("prod", "us-west-2", "api", "green"), "prod-usw2-api-green");
        assert.equal(loadBalancerName("staging", "ap-northeast-1"), "mitene-staging-apne1");
    });

    for (const stack of listStacks().filter((s) => parseStackName(s)?.kind === "region")) {
        it(`${stack}: every target group and the ALB name fit AWS's ${AWS_NAME_MAX} characters`, () => {
            const id = parseStackName(stack) as Extract<StackId, { kind: "region" }>;
            const config = parseStackConfig(stack, regionConfigSchema, stackConfig(stack).values);
            assert.ok(config.services.length > 0);
            for (const service of config.services) {
                for (const c of COLORS) {
                    const name = targetGroupName(id.env, id.region, service.name, c);
                    assert.ok(name.length <= AWS_NAME_MAX, `${name} has ${name.length} characters`);
                }
            }
            assert.ok(loadBalancerName(id.env, id.region).length <= AWS_NAME_MAX);
        });
    }

    it("property: names of different colors, services or regions never collide", () => {
        fc.assert(
            fc.property(env, region, region, fc.constantFrom("api", "web", "admin"), fc.constantFrom("api", "web", "admin"), (e, r1, r2, s1, s2) => {
                fc.pre(r1 !== r2 || s1 !== s2);
                assert.notEqual(targetGroupName(e, r1, s1, "blue"), targetGroupName(e, r2, s2, "blue"));
                assert.notEqual(targetGroupName(e, r1, s1, "blue"), targetGroupName(e, r1, s1, "green"));
                assert.notEqual(serviceClusterName(e, r1, "blue"), serviceClusterName(e, r1, "green"));
            }),
        );
    });
});
