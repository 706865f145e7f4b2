import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { AWS_REPLACEMENTS } from "../../automation/programs/awsReplacements";
import { diffMarkdown, diffStacks, replacingInputs } from "../../automation/programs/diff";
import { RenderedStack, renderEnv } from "../../automation/programs/render";

/** The generated JavaScript of an @pulumi/aws resource (`aws:lb/targetGroup:TargetGroup` -> lb/targetGroup.js), at the pinned version. */
const sdkSource = (type: string) => {
    const [, module, file] = type.match(/^aws:([^/]+)\/([^:]+):/)!;
    return readFileSync(path.join(path.dirname(require.resolve("@pulumi/aws/package.json")), module, `${file}.js`), "utf8");
};

describe("diff: which AWS changes replace a resource", () => {
    let graphs: RenderedStack[];
    before(async () => {
        graphs = [...(await renderEnv("staging")), ...(await renderEnv("prod"))];
    });

    it("has a row for every AWS resource type the committed stacks render", () => {
        const rendered = new Set(graphs.flatMap((g) => g.resources.map((r) => r.type)).filter((t) => t.startsWith("aws:")));
        assert.deepEqual([...rendered].filter((t) => !AWS_REPLACEMENTS[t]), []);
    });

    for (const [type, entry] of Object.entries(AWS_REPLACEMENTS)) {
        it(`${type}: every input it lists is an input of the pinned @pulumi/aws resource`, () => {
            const source = sdkSource(type);
            assert.deepEqual(entry.inputs.filter((input) => !new RegExp(`args\\?\\.${input}\\b`).test(source)), []);
        });
    }

    const change = (p: string, before: unknown = 1, after: unknown = 2) => ({ path: p, before, after });
    const cases: [string, ReturnType<typeof change>[], string[]][] = [
        ["aws:lb/targetGroup:TargetGroup", [change("port"), change("healthCheck.port"), change("deregistrationDelay")], ["port"]],
        ["aws:ec2/securityGroupRule:SecurityGroupRule", [change("cidrBlocks[0]"), change("description")], ["cidrBlocks[0]"]],
        ["aws:eks/accessPolicyAssociation:AccessPolicyAssociation", [change("accessScope.type")], ["accessScope.type"]],
        ["aws:iam/role:Role", [change("assumeRolePolicy.Statement[0].Action"), change("name")], ["name"]],
        ["aws:lb/listenerRule:ListenerRule", [change("priority"), change("actions[0].forward.targetGroups[blue].weight")], []],
        ["aws:kms/key:Key", [change("region", "us-west-2", "us-east-1")], ["region"]],
        ["aws:kms/key:Key", [{ path: "region", before: undefined, after: "us-west-2" }], []],
        ["aws:route53/record:Record", [change("region", "a", "b"), change("zoneId")], ["zoneId"]],
        ["aws:ssm/parameter:Parameter", [change("value")], []],
    ];
    for (const [type, changes, expected] of cases) {
        it(`${type}: ${changes.map((c) => c.path).join(", ")} -> ${expected.length ? expected.join(", ") : "updated in place"}`, () => {
            assert.deepEqual(replacingInputs(type, changes), expected);
        });
    }

    it("marks a target group whose port changes as replaced in the pull request's diff", () => {
        const region = graphs.find((g) => g.stack === "region-prod-us-west-2")!;
        const head: RenderedStack = JSON.parse(JSON.stringify(region));
        const group = head.resources.find((r) => r.type === "aws:lb/targetGroup:TargetGroup")!;
        (group.inputs as { port: number }).port = 8443;
        const [diff] = diffStacks([region], [head]);
        const resource = `${group.type}::${group.name}`;
        assert.deepEqual(diff.replaced, [{ resource, inputs: ["port"] }]);
        assert.ok(diffMarkdown([diff]).includes(`**± replaced** \`${resource}\` (\`port\` forces a new one)`));
    });
});
