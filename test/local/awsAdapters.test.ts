import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import * as path from "node:path";
import { promisify } from "node:util";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EC2Client } from "@aws-sdk/client-ec2";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { hostname } from "node:os";
import { LEASE_TABLE, provisionAccount } from "../../automation/local/emulator";
import { DeadHolderTakeover } from "../../automation/local/lease";
import { LeaseHolder, RuleRef } from "../../automation/core/ports";
import { perRegion } from "../../automation/real/clients";
import { DynamoEnvControl } from "../../automation/real/dynamoControl";
import { DynamoLeaseStore } from "../../automation/real/dynamoLease";
import { Ec2Subnets } from "../../automation/real/ec2Subnets";
import { Elbv2Weights } from "../../automation/real/elbv2Weights";
import { FakeAwsProvider } from "../../fakecloud/providers/aws";
import { TestEmulator, credentials, startEmulator } from "./emulator";

const REGION = "us-west-2";
const CERTIFICATE = "arn:aws:acm:us-west-2:123456789012:certificate/5a6b7c8d-3333-4e5f-9a0b-1c2d3e4f5a6b";
const urn = (type: string, name: string) => `urn:pulumi:region-prod-us-west-2::mitene::mitene:edge:RegionEdge$${type}::${name}`;
const forward = (blue: string, green: string, weights: [number, number]) => [
    { type: "forward", forward: { targetGroups: [{ arn: blue, weight: weights[0] }, { arn: green, weight: weights[1] }], stickiness: { enabled: false, duration: 1 } } },
];

describe("the AWS adapters and the fake aws provider against the AWS emulator", function () {
    let emulator: TestEmulator;
    before(async () => {
        emulator = await startEmulator();
    });
    after(() => emulator.stop());

    describe("a load balancer the fake aws provider made, read back and changed by the driver's ELBv2 adapter", () => {
        let provider: FakeAwsProvider;
        let weights: Elbv2Weights;
        let refs: RuleRef[];
        let rule: { id: string; outs: Record<string, unknown> };
        let subnets: string[];
        const create = async (type: string, name: string, inputs: Record<string, unknown>) => provider.create(urn(type, name), inputs) as Promise<{ id: string; outs: Record<string, unknown> }>;

        before(async () => {
            provider = new FakeAwsProvider(emulator.endpoint);
            provider.configure({ region: REGION });
            weights = new Elbv2Weights(perRegion((region) => new ElasticLoadBalancingV2Client({ endpoint: emulator.endpoint, region, credentials })));
            const vpc = await create("aws:ec2/vpc:Vpc", "edge-vpc", { cidrBlock: "10.30.0.0/16" });
            subnets = [];
            for (const [i, cidrBlock] of ["10.30.0.0/19", "10.30.32.0/19"].entries()) {
                subnets.push((await create("aws:ec2/subnet:Subnet", `edge-private-${i}`, { vpcId: vpc.id, cidrBlock, availabilityZone: `${REGION}${"ab"[i]}` })).id);
            }
            const lb = await create("aws:lb/loadBalancer:LoadBalancer", "edge-alb", { name: "mitene-prod-usw2", subnets, loadBalancerType: "application" });
            assert.match(String(lb.outs.arnSuffix), /^app\/mitene-prod-usw2\/[0-9a-f]+$/);
            const listener = await create("aws:lb/listener:Listener", "edge-https", {
                loadBalancerArn: lb.id,
                port: 443,
                protocol: "HTTPS",
                certificateArn: CERTIFICATE,
                defaultActions: [{ type: "fixed-response", fixedResponse: { contentType: "text/plain", statusCode: "404" } }],
            });
            const group = async (color: string) => (await create("aws:lb/targetGroup:TargetGroup", `edge-api-${color}`, { name: `mitene-prod-usw2-api-${color}`, port: 3000, protocol: "HTTP", targetType: "ip", vpcId: vpc.id })).id;
            const [blue, green] = [await group("blue"), await group("green")];
            rule = await create("aws:lb/listenerRule:ListenerRule", "edge-api", {
                listenerArn: listener.id,
                priority: 100,
                conditions: [{ hostHeader: { values: ["api.mitene.example"] } }],
                actions: forward(blue, green, [100, 0]),
            });
            refs = [{ service: "api", ruleArn: rule.id, targetGroupArns: { blue, green } }];
        });

        it("reads back the weights the rule was created with", async () => {
            assert.deepEqual(await weights.read(REGION, refs), { api: { blue: 100, green: 0 } });
        });

        it("the emergency path sets them with ModifyRule; a second identical write makes no call", async () => {
            const before = weights.apiCalls;
            await weights.write(REGION, refs, { blue: 25, green: 75 });
            assert.deepEqual(await weights.read(REGION, refs), { api: { blue: 25, green: 75 } });
            const calls = weights.apiCalls;
            await weights.write(REGION, refs, { blue: 25, green: 75 });
            assert.equal(weights.apiCalls - calls, 1, "one DescribeRules, no ModifyRule");
            assert.ok(calls - before >= 2);
        });

        it("a refresh shows the weights set behind the engine's back as drift, and the next update puts the declared ones back", async () => {
            const { props } = await provider.read(rule.id, urn("aws:lb/listenerRule:ListenerRule", "edge-api"), rule.outs);
            const drifted = props as Record<string, unknown>;
            assert.deepEqual((drifted.actions as any)[0].forward.targetGroups.map((g: any) => g.weight), [25, 75]);
            const declared = { ...rule.outs };
            delete declared.arn;
            const diff = await provider.diff(rule.id, urn("aws:lb/listenerRule:ListenerRule", "edge-api"), drifted, declared);
            assert.equal(diff.changes, true);
            await provider.update(rule.id, urn("aws:lb/listenerRule:ListenerRule", "edge-api"), drifted, declared);
            assert.deepEqual(await weights.read(REGION, refs), { api: { blue: 100, green: 0 } });
            assert.equal((await provider.diff(rule.id, urn("aws:lb/listenerRule:ListenerRule", "edge-api"), rule.outs, declared)).changes, false);
        });

        it("free IPs per subnet come from EC2 (a /19 has 8192 addresses, 5 reserved)", async () => {
            const ec2 = new Ec2Subnets(perRegion((region) => new EC2Client({ endpoint: emulator.endpoint, region, credentials })));
            assert.deepEqual(await ec2.freeIps(REGION, subnets), [
                { subnetId: subnets[0], availabilityZone: `${REGION}a`, freeIps: 8187 },
                { subnetId: subnets[1], availabilityZone: `${REGION}b`, freeIps: 8187 },
            ]);
            await assert.rejects(ec2.freeIps(REGION, ["subnet-0000000000000000f"]), /InvalidSubnetID|not found/);
        });

        it("a deleted rule is gone for the adapter and for a refresh", async () => {
            await provider.delete(rule.id, urn("aws:lb/listenerRule:ListenerRule", "edge-api"), rule.outs);
            await assert.rejects(weights.read(REGION, refs), /not found/);
            assert.deepEqual(await provider.read(rule.id, urn("aws:lb/listenerRule:ListenerRule", "edge-api"), rule.outs), { id: "", props: {} });
        });
    });

    describe("the DynamoDB lease", () => {
        const dynamodb = () => new DynamoDBClient({ endpoint: emulator.endpoint, region: "ap-northeast-1", credentials });
        const holder = (runId: string, pid = 4242, host = "ci-runner-1"): LeaseHolder => ({ runId, command: "mitene upgrade", host, pid, startedAt: "2026-11-27T10:00:00.000Z" });
        let env = 0;
        const nextEnv = () => `env${++env}`;
        before(() => provisionAccount(emulator.endpoint, { leaseRegion: "ap-northeast-1", parameters: [] }));

        it("goes to one run; another is told who holds it; the holder may take it again; released, it is free", async () => {
            const store = new DynamoLeaseStore(dynamodb(), LEASE_TABLE);
            const e = nextEnv();
            assert.deepEqual(await store.acquire(e, holder("a"), { breakLease: false }), { acquired: true });
            assert.deepEqual(await store.acquire(e, holder("b"), { breakLease: false }), { acquired: false, heldBy: holder("a") });
            assert.deepEqual(await store.acquire(e, holder("a"), { breakLease: false }), { acquired: true });
            await store.release(e, holder("b"));
            assert.equal((await store.current(e))!.holder.runId, "a");
            await store.release(e, holder("a"));
            assert.equal(await store.current(e), null);
        });

        it("expires when its holder stops renewing, and is then taken over", async () => {
            let now = Date.parse("2026-11-27T10:00:00Z");
            const store = new DynamoLeaseStore(dynamodb(), LEASE_TABLE, { durationMs: 60_000, now: () => now });
            const e = nextEnv();
            await store.acquire(e, holder("a"), { breakLease: false });
            now += 30_000;
            await store.renew(e, holder("a"));
            now += 61_000 - 30_000;
            assert.equal((await store.acquire(e, holder("b"), { breakLease: false })).acquired, false, "renewed 31 s ago: still alive");
            now += 30_000;
            assert.deepEqual(await store.acquire(e, holder("b"), { breakLease: false }), { acquired: true, tookOverFrom: holder("a") });
            await assert.rejects(store.renew(e, holder("a")), /lease on .* lost by run a: now held by run b/);
        });

        it("two processes racing for it: exactly one wins, and the other names the winner", async () => {
            const e = nextEnv();
            const racer = path.join(__dirname, "fixtures", "acquireLease.ts");
            const startAt = String(Date.now() + 1500);
            const race = (runId: string) => promisify(execFile)(process.execPath, ["--import", "tsx", racer, emulator.endpoint, e, runId, startAt]);
            const results = (await Promise.all([race("left"), race("right")])).map((r) => JSON.parse(r.stdout));
            const winners = results.filter((r) => r.acquired);
            assert.equal(winners.length, 1, JSON.stringify(results));
            const loser = results.find((r) => !r.acquired);
            assert.equal(loser.heldBy.runId, (await new DynamoLeaseStore(dynamodb(), LEASE_TABLE).current(e))!.holder.runId);
        });

        it("a dead holder on this host is taken over, by one of two runs finding it dead at once", async () => {
            const store = new DynamoLeaseStore(dynamodb(), LEASE_TABLE);
            const e = nextEnv();
            const dead = holder("crashed", 2 ** 22 + 7, hostname());
            await store.acquire(e, dead, { breakLease: false });
            const identity = { pid: process.pid, host: hostname(), isAlive: () => false };
            const [x, y] = await Promise.all([new DeadHolderTakeover(store, identity).acquire(e, holder("x", 1, hostname()), { breakLease: false }), new DeadHolderTakeover(store, identity).acquire(e, holder("y", 2, hostname()), { breakLease: false })]);
            assert.deepEqual([x.acquired, y.acquired].sort(), [false, true]);
            assert.deepEqual((x.acquired ? x : y), { acquired: true, tookOverFrom: dead });
        });

        it("a holder on another host, or alive here, keeps it", async () => {
            const store = new DynamoLeaseStore(dynamodb(), LEASE_TABLE);
            const [remote, local] = [nextEnv(), nextEnv()];
            await store.acquire(remote, holder("elsewhere", 1, "ci-runner-9"), { breakLease: false });
            await store.acquire(local, holder("alive", process.pid, hostname()), { breakLease: false });
            const takeover = new DeadHolderTakeover(store, { pid: 1, host: hostname(), isAlive: (pid) => pid === process.pid });
            assert.equal((await takeover.acquire(remote, holder("z"), { breakLease: false })).acquired, false);
            assert.equal((await takeover.acquire(local, holder("z"), { breakLease: false })).acquired, false);
        });
    });

    describe("the stop-the-line switch beside the lease", () => {
        const dynamodb = () => new DynamoDBClient({ endpoint: emulator.endpoint, region: "ap-northeast-1", credentials });
        before(() => provisionAccount(emulator.endpoint, { leaseRegion: "ap-northeast-1", parameters: [] }));

        it("is pulled once (the first halt stands), read back while a lease is held, lifted by resume; the lease is untouched", async () => {
            const control = new DynamoEnvControl(dynamodb(), LEASE_TABLE);
            const leases = new DynamoLeaseStore(dynamodb(), LEASE_TABLE);
            const holder: LeaseHolder = { runId: "upgrading", command: "mitene upgrade", host: "ci-runner-1", pid: 1, startedAt: "2026-11-27T10:00:00.000Z" };
            await leases.acquire("haltenv", holder, { breakLease: false });
            const first = { by: "alice@laptop", at: "2026-11-27T10:05:00.000Z", reason: "checkout errors" };
            assert.deepEqual(await control.setHalt("haltenv", first), { halt: first, already: false });
            assert.deepEqual(await control.setHalt("haltenv", { ...first, by: "bob@laptop" }), { halt: first, already: true });
            assert.deepEqual(await control.halt("haltenv"), first);
            assert.equal((await leases.current("haltenv"))!.holder.runId, "upgrading");
            assert.deepEqual(await control.clearHalt("haltenv"), first);
            assert.equal(await control.halt("haltenv"), null);
            const plan = { runId: "upgrading", to: "1.35", at: "2026-11-27T10:00:00.000Z", waves: [["us-west-2"], ["ap-northeast-1"]] };
            await control.setRollout("haltenv", plan);
            assert.deepEqual(await control.rollout("haltenv"), plan);
        });
    });

    describe("SSM and STS, through the fake aws provider's invokes", () => {
        let provider: FakeAwsProvider;
        before(async () => {
            await provisionAccount(emulator.endpoint, { leaseRegion: "ap-northeast-1", parameters: [{ region: "ap-northeast-1", name: "/mitene/prod/argocd/sso-client-secret", value: "s3cret" }] });
            provider = new FakeAwsProvider(emulator.endpoint);
            provider.configure({ region: "ap-northeast-1" });
        });

        it("reads a SecureString parameter the account holds, decrypted", async () => {
            const { outputs } = await provider.invoke("aws:ssm/getParameter:getParameter", { name: "/mitene/prod/argocd/sso-client-secret", withDecryption: true });
            assert.equal(outputs.value, "s3cret");
            assert.equal(outputs.type, "SecureString");
            assert.match(outputs.arn, /^arn:aws:ssm:ap-northeast-1:123456789012:parameter\/mitene\/prod\/argocd\/sso-client-secret$/);
        });

        it("fails on a parameter the account does not hold, as a real stack would", async () => {
            await assert.rejects(provider.invoke("aws:ssm/getParameter:getParameter", { name: "/mitene/nope" }), /ParameterNotFound|not found/i);
        });

        it("answers the caller identity from STS: the emulator's account", async () => {
            const { outputs } = await provider.invoke("aws:index/getCallerIdentity:getCallerIdentity", {});
            assert.equal(outputs.accountId, "123456789012");
            assert.match(outputs.arn, /^arn:aws:(iam|sts)::123456789012:/);
        });

        it("answers the region it was configured with", async () => {
            assert.equal((await provider.invoke("aws:index/getRegion:getRegion", {})).outputs.name, "ap-northeast-1");
        });
    });
});
