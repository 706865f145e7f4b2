import { strict as assert } from "node:assert";
import fc from "fast-check";
import { ConfigureRequest } from "@pulumi/pulumi/proto/provider_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { FakeAwsProvider } from "../../fakecloud/providers/aws";
import { PulumiAction, fromApiAction, toApiAction, toApiCondition } from "../../fakecloud/providers/elbv2Shapes";
import { FakeResourceProvider } from "../../fakecloud/providers/fakeProvider";
import { configOf, parseUrn, sameData } from "../../fakecloud/providers/plugin";

const urn = (type: string, name: string, stack = "region-prod-us-west-2") => `urn:pulumi:${stack}::mitene::mitene:edge:RegionEdge$${type}::${name}`;
const inputsArb = fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }).filter((k) => k !== "__proto__"), fc.jsonValue(), { maxKeys: 6 });

describe("fakecloud/providers: the provider plugins' decisions", () => {
    const kubernetes = new FakeResourceProvider("4.34.2");
    const aws = new FakeAwsProvider("http://127.0.0.1:1");
    before(() => aws.configure({ region: "us-west-2" }));

    it("parses URNs, the type being the last of the parent chain", () => {
        assert.deepEqual(parseUrn("urn:pulumi:ops-prod::mitene::mitene:eks:EksCluster$eks:index:Cluster$aws:eks/cluster:Cluster::ops-cluster-eks-eksCluster"), {
            stack: "ops-prod",
            project: "mitene",
            type: "aws:eks/cluster:Cluster",
            name: "ops-cluster-eks-eksCluster",
        });
        assert.throws(() => parseUrn("not-a-urn"), /not a resource URN/);
    });

    it("compares plain data whatever the key order, ignoring undefined keys", () => {
        fc.assert(fc.property(fc.jsonValue(), (value) => sameData(value, structuredClone(value))));
        assert.ok(sameData({ a: 1, b: [1, { c: 2 }], d: undefined }, { b: [1, { c: 2 }], a: 1 }));
        assert.ok(!sameData({ a: 1 }, { a: 1, b: 2 }));
        assert.ok(!sameData([1, 2], [2, 1]));
    });

    it("a resource created from some inputs shows no diff against the same inputs, and one against any change", async () => {
        await fc.assert(
            fc.asyncProperty(inputsArb, inputsArb, async (inputs, other) => {
                const name = "api";
                const { outs } = await kubernetes.create(urn("kubernetes:core/v1:Secret", name), inputs);
                assert.equal((await kubernetes.diff("id", urn("kubernetes:core/v1:Secret", name), outs, structuredClone(inputs))).changes, false);
                const changed = { ...inputs, ...other };
                if (!sameData(changed, inputs)) assert.equal((await kubernetes.diff("id", urn("kubernetes:core/v1:Secret", name), outs, changed)).changes, true);
            }),
        );
    });

    it("a removed input is a change too", async () => {
        const { outs } = await aws.create(urn("aws:iam/role:Role", "node"), { assumeRolePolicy: "{}", description: "nodes" });
        assert.equal((await aws.diff("id", urn("aws:iam/role:Role", "node"), outs, { assumeRolePolicy: "{}" })).changes, true);
    });

    it("reads its state back unchanged: a refresh of the fake cloud finds no drift", async () => {
        assert.deepEqual(await kubernetes.read("ns/x", urn("kubernetes:core/v1:Namespace", "x"), { a: 1 }), { id: "ns/x", props: { a: 1 } });
    });

    it("diffs an emulated resource on its inputs: attributes the cloud computed are not changes", async () => {
        const olds = { name: "mitene-prod-usw2-api-blue", port: 3000, arn: "arn:tg", arnSuffix: "targetgroup/x/1" };
        assert.deepEqual(await aws.diff("arn:tg", urn("aws:lb/targetGroup:TargetGroup", "api-blue"), olds, { name: "mitene-prod-usw2-api-blue", port: 3000 }), {
            changes: false,
            replaces: [],
            deleteBeforeReplace: false,
        });
        const health = await aws.diff("arn:tg", urn("aws:lb/targetGroup:TargetGroup", "api-blue"), olds, { name: "mitene-prod-usw2-api-blue", port: 3000, healthCheck: { path: "/up" } });
        assert.deepEqual(health, { changes: true, replaces: [], deleteBeforeReplace: false });
    });

    it("replaces an emulated resource whose immutable input changed, a named one before its replacement comes", async () => {
        const olds = { name: "mitene-prod-usw2-api-blue", port: 3000, arn: "arn:tg" };
        assert.deepEqual(await aws.diff("arn:tg", urn("aws:lb/targetGroup:TargetGroup", "api-blue"), olds, { name: "mitene-prod-usw2-api-blue", port: 8080 }), {
            changes: true,
            replaces: ["port"],
            deleteBeforeReplace: true,
        });
    });

    it("needs a region and the emulator to be configured", () => {
        assert.throws(() => new FakeAwsProvider(undefined).configure({ region: "us-west-2" }), /MITENE_AWS_ENDPOINT is not set/);
        assert.throws(() => new FakeAwsProvider("http://x").configure({}), /needs a region/);
    });

    it("reads the provider's configuration from the Configure request, arguments over variables", () => {
        const request = new ConfigureRequest().setArgs(Struct.fromJavaScript({ region: "us-west-2", skipCredentialsValidation: true }));
        request.getVariablesMap().set("aws:region", "ap-northeast-1").set("aws:config:profile", "ops");
        assert.deepEqual(configOf(request), { region: "us-west-2", profile: "ops", skipCredentialsValidation: true });
    });

    it("writes listener actions in the ELBv2 API's shape and reads the weights back", () => {
        const weight = fc.integer({ min: 0, max: 999 });
        fc.assert(
            fc.property(weight, weight, (blue, green) => {
                const action: PulumiAction = { type: "forward", forward: { targetGroups: [{ arn: "arn:blue", weight: blue }, { arn: "arn:green", weight: green }], stickiness: { enabled: false, duration: 1 } } };
                const api = toApiAction(action);
                assert.deepEqual(api.ForwardConfig!.TargetGroups, [{ TargetGroupArn: "arn:blue", Weight: blue }, { TargetGroupArn: "arn:green", Weight: green }]);
                assert.deepEqual(fromApiAction(api, action), action);
            }),
        );
        assert.deepEqual(toApiAction({ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }).RedirectConfig, { Protocol: "HTTPS", Port: "443", Host: undefined, Path: undefined, Query: undefined, StatusCode: "HTTP_301" });
        assert.deepEqual(toApiCondition({ hostHeader: { values: ["api.mitene.example"] } }), { Field: "host-header", HostHeaderConfig: { Values: ["api.mitene.example"] } });
        assert.throws(() => toApiCondition({}), /supports host-header and path-pattern/);
    });

    it("a rule whose weights were set behind the engine's back reads back with those weights", () => {
        const declared: PulumiAction = { type: "forward", forward: { targetGroups: [{ arn: "arn:blue", weight: 75 }, { arn: "arn:green", weight: 25 }] } };
        const live = toApiAction({ type: "forward", forward: { targetGroups: [{ arn: "arn:blue", weight: 100 }, { arn: "arn:green", weight: 0 }] } });
        assert.deepEqual(fromApiAction(live, declared).forward!.targetGroups, [{ arn: "arn:blue", weight: 100 }, { arn: "arn:green", weight: 0 }]);
    });
});
