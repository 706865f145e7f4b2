import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as eks from "@pulumi/eks";
import * as pulumi from "@pulumi/pulumi";
import * as semver from "semver";
import { FakeCloud, StackNotDeployedError } from "../../fakecloud/cloud";
import { ProgramError, SECRET_MASK, runProgram } from "../../fakecloud/mockRuntime";
import { causeMessages, runComponent, runFailing } from "../helpers/harness";

/* eslint-disable @typescript-eslint/no-require-imports */
const sdk = (module: string) => require(`@pulumi/pulumi/${module}`) as Record<string, unknown>;
/* eslint-enable @typescript-eslint/no-require-imports */

describe("mocks: the Pulumi SDK internals mocks/runtime.ts and stacks/config/load.ts rely on", () => {
    const internals: [string, string, string][] = [
        ["runtime/mocks", "MockMonitor", "function"],
        ["runtime/state", "withLocalStorage", "function"],
        ["runtime/state", "getStore", "function"],
        ["runtime/settings", "setMockOptions", "function"],
        ["runtime/settings", "disconnect", "function"],
        ["runtime/config", "setAllConfig", "function"],
        // Without it isProgramConfigSecret answers true for every key, and plain-text secrets pass unnoticed.
        ["runtime/config", "isConfigSecret", "function"],
        ["runtime/stack", "runInPulumiStack", "function"],
        // The test harness records resource options through it.
        ["runtime/stack", "registerStackTransformation", "function"],
    ];
    for (const [module, name, type] of internals) {
        it(`@pulumi/pulumi/${module} exports ${name}`, () => assert.equal(typeof sdk(module)[name], type));
    }

    it("MockMonitor still registers and reads resources through the mocks", () => {
        const prototype = (sdk("runtime/mocks").MockMonitor as { prototype: Record<string, unknown> }).prototype;
        for (const method of ["registerResource", "readResource", "invoke", "supportsFeature"]) assert.equal(typeof prototype[method], "function", method);
    });

    it("@pulumi/pulumi is pinned to an exact version in package.json, and that version is installed", () => {
        const pkg = JSON.parse(readFileSync(path.join(__dirname, "../../package.json"), "utf8")) as { dependencies: Record<string, string> };
        const pinned = pkg.dependencies["@pulumi/pulumi"];
        assert.equal(semver.valid(pinned), pinned, `"${pinned}" is a range`);
        const installed = (JSON.parse(readFileSync(require.resolve("@pulumi/pulumi/package.json"), "utf8")) as { version: string }).version;
        assert.equal(installed, pinned);
    });
});

describe("mocks: runProgram", () => {
    it("records every resource with its inputs, secrets masked, and lists secret outputs", async () => {
        const run = await runProgram({
            project: "mitene",
            stack: "test",
            config: {},
            cloud: new FakeCloud({ stack: "test", stackOutputs: () => undefined }),
            program: async () => {
                const provider = new aws.Provider("p", { region: "us-west-2" });
                const role = new aws.iam.Role("r", { assumeRolePolicy: "{}", description: pulumi.secret("hidden") }, { provider });
                return { arn: role.arn, hidden: pulumi.secret("x") };
            },
        });
        const role = run.resources.find((r) => r.type === "aws:iam/role:Role")!;
        assert.equal(role.inputs.description, SECRET_MASK);
        assert.equal(role.inputs.assumeRolePolicy, "{}");
        assert.deepEqual(run.secretOutputs, ["hidden"]);
        assert.match(run.outputs.arn as string, /^arn:aws:iam::123456789012:role\/r-[0-9a-f]{7}$/);
    });

    it("gives each run its own config", async () => {
        const read = (value: string) =>
            runProgram({
                project: "mitene",
                stack: `s-${value}`,
                config: { "mitene:key": value },
                cloud: new FakeCloud({ stack: `s-${value}`, stackOutputs: () => undefined }),
                program: async () => ({ key: new pulumi.Config("mitene").require("key"), stack: pulumi.getStack() }),
            });
        const [a, b] = await Promise.all([read("a"), read("b")]);
        assert.deepEqual(a.outputs, { key: "a", stack: "s-a" });
        assert.deepEqual(b.outputs, { key: "b", stack: "s-b" });
    });

    it("is deterministic: the same program in the same stack yields the same IDs and ARNs", async () => {
        const program = () => {
            const provider = new aws.Provider("p", { region: "ap-northeast-1" });
            const tg = new aws.lb.TargetGroup("tg", { name: "prod-apne1-api-blue", port: 80, protocol: "HTTP", targetType: "ip", vpcId: "vpc-1" }, { provider });
            return { arn: tg.arn, arnSuffix: tg.arnSuffix };
        };
        const [first, second] = [await runComponent(program, { stack: "x" }), await runComponent(program, { stack: "x" })];
        assert.deepEqual(first.outputs, second.outputs);
        assert.match(first.outputs.arnSuffix as string, /^targetgroup\/prod-apne1-api-blue\/[0-9a-f]{16}$/);
        assert.ok((first.outputs.arn as string).startsWith("arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:"));
    });

    it("places components that take a providers map (eks, awsx) in the region of the stack's AWS provider", async () => {
        const run = await runComponent(() => {
            const provider = new aws.Provider("p", { region: "eu-west-1" });
            const cluster = new eks.Cluster("c", { name: "c", skipDefaultNodeGroup: true }, { providers: { aws: provider } });
            return { endpoint: cluster.eksCluster.endpoint, oidc: cluster.oidcProviderUrl };
        });
        assert.match(run.outputs.endpoint as string, /\.gr7\.eu-west-1\.eks\.amazonaws\.com$/);
        assert.match(run.outputs.oidc as string, /^https:\/\/oidc\.eks\.eu-west-1\.amazonaws\.com\/id\//);
    });

    it("answers a StackReference from the outputs of the named stack", async () => {
        const run = await runComponent(
            () => {
                const ref = new pulumi.StackReference("ref", { name: "organization/mitene/region-prod-us-west-2" });
                return { vpcId: ref.requireOutput("vpcId") };
            },
            { stackOutputs: { "region-prod-us-west-2": { vpcId: "vpc-42" } } },
        );
        assert.equal(run.outputs.vpcId, "vpc-42");
    });

    it("fails a program whose resource waits on a StackReference to a stack not deployed, instead of waiting forever", async () => {
        const failed = await runFailing(() => {
            const ref = new pulumi.StackReference("missing", { name: "organization/mitene/ops-nowhere" });
            const provider = new aws.Provider("p", { region: "us-west-2" });
            const role = new aws.iam.Role("r", { assumeRolePolicy: ref.requireOutput("policy").apply(String) }, { provider });
            return { arn: role.arn };
        });
        assert.ok(causeMessages(failed).some((m) => m.includes("organization/mitene/ops-nowhere") && m.includes("not deployed")), causeMessages(failed).join("\n"));
        assert.equal(new StackNotDeployedError("x").message, "StackReference x: that stack is not deployed (deploy it first)");
    });

    it("reports each failure once", async () => {
        const failed = await runFailing(() => {
            throw new Error("boom");
        });
        assert.ok(failed.error instanceof ProgramError);
        assert.deepEqual(causeMessages(failed), ["boom"]);
        assert.equal(failed.error.stackName, "test");
    });

    it("leaves no unhandled rejection behind after a failed program (they would crash the next run)", async () => {
        const late: unknown[] = [];
        const listener = (reason: unknown) => late.push(reason);
        await runFailing(() => {
            throw new Error("failed program");
        });
        process.on("unhandledRejection", listener);
        try {
            // Two turns of the event loop: long enough for Node to report any rejection left pending.
            for (let i = 0; i < 2; i++) await new Promise((resolve) => setImmediate(resolve));
        } finally {
            process.off("unhandledRejection", listener);
        }
        assert.deepEqual(late.map(String), []);
    });
});
