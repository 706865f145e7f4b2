/**
 * The env rules, proven both ways: the committed envs' rendered graphs comply, and each way of cutting the
 * path from the Ops VPC to a registered cluster (or overlapping the VPCs) is reported with its own message.
 * Each violation takes the staging render and changes one thing.
 */
import { strict as assert } from "node:assert";
import { RenderedStack, renderEnv } from "../../automation/programs/render";
import { evaluatePolicies } from "../../policy/graph";
import type { EnvStackGraph } from "../../policy/envGraph";
import { ENV_RULES } from "../../policy/envRules";

const OPS = "ops-staging";
const REGION = "region-staging-ap-northeast-1";
const CLUSTER = "mitene-staging-ap-northeast-1-blue";
const PEERING = "aws:ec2/vpcPeeringConnection:VpcPeeringConnection";
const ACCEPTER = "aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter";
const ROUTE = "aws:ec2/route:Route";
const API_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule";
const VPC = "awsx:ec2:Vpc";

type Change = (graphs: EnvStackGraph[]) => void;
const graphOf = (graphs: EnvStackGraph[], stack: string) => graphs.find((g) => g.stack === stack)!;
const inputsOf = (graphs: EnvStackGraph[], stack: string, type: string) => graphOf(graphs, stack).resources.filter((r) => r.type === type).map((r) => r.inputs);
const remove = (stack: string, keep: (r: EnvStackGraph["resources"][number]) => boolean): Change => (graphs) => {
    const graph = graphOf(graphs, stack);
    graph.resources = graph.resources.filter(keep);
};

/** Messages of the env rules, per rule. */
const envMessages = async (graphs: EnvStackGraph[]) => (await Promise.all(ENV_RULES.map(async (rule) => (await rule.check(graphs)).map((v) => `${rule.name}: ${v.message}`)))).flat();

describe("policy env rules", () => {
    let staging: RenderedStack[];
    let prod: RenderedStack[];
    before(async () => {
        [staging, prod] = await Promise.all([renderEnv("staging"), renderEnv("prod")]);
    });
    const fresh = () => structuredClone(staging) as EnvStackGraph[];
    const opsCidr = () => graphOf(staging, OPS).outputs!.vpcCidr as string;

    it("have unique kebab-case names, a description and a level", () => {
        for (const rule of ENV_RULES) {
            assert.match(rule.name, /^[a-z0-9]+(-[a-z0-9]+)*$/);
            assert.ok(rule.description.length > 20);
            assert.equal(rule.enforcementLevel, "mandatory");
        }
    });

    it("pass the committed envs: every registered cluster is reachable, no VPCs overlap", async () => {
        assert.deepEqual(await envMessages(staging), []);
        assert.deepEqual(await envMessages(prod), []);
    });

    const violations: { title: string; change: Change; messages: RegExp[] }[] = [
        { title: "no peering", change: remove(REGION, (r) => r.type !== PEERING), messages: [/no VPC peering between region-staging-ap-northeast-1's VPC and the Ops VPC/] },
        {
            // Staging's region is the Ops region: one connection, accepted by its own autoAccept.
            title: "a same-region peering never accepted",
            change: (graphs) => { inputsOf(graphs, REGION, PEERING)[0].autoAccept = false; },
            messages: [/never accepted/],
        },
        {
            title: "a peering requested towards another region",
            change: (graphs) => { inputsOf(graphs, REGION, PEERING)[0].peerRegion = "us-east-1"; },
            messages: [/names region "us-east-1", but the Ops VPC is in ap-northeast-1/],
        },
        {
            title: "an Ops route table without the route back",
            change: (graphs) => {
                const first = (graphOf(graphs, OPS).outputs!.privateRouteTableIds as string[])[0];
                remove(REGION, (r) => !(r.type === ROUTE && r.inputs.routeTableId === first))(graphs);
            },
            messages: [/Ops route tables rtb-[0-9a-f]+ have no route to 10\.40\.0\.0\/16 through the peering/],
        },
        {
            title: "region route tables routing a narrower block than the Ops VPC",
            change: (graphs) => {
                for (const route of inputsOf(graphs, REGION, ROUTE).filter((r) => r.destinationCidrBlock === opsCidr())) route.destinationCidrBlock = "10.110.0.0/24";
            },
            messages: [/region route tables rtb-[0-9a-f]+, rtb-[0-9a-f]+, rtb-[0-9a-f]+ have no route to the Ops VPC 10\.110\.0\.0\/16/],
        },
        {
            title: "routes through another connection",
            change: (graphs) => { for (const route of inputsOf(graphs, REGION, ROUTE)) route.vpcPeeringConnectionId = "pcx-other"; },
            messages: [/Ops route tables .* have no route/, /region route tables .* have no route/],
        },
        {
            title: "the cluster admitting only port 80 from the Ops VPC",
            change: (graphs) => { for (const rule of inputsOf(graphs, CLUSTER, API_RULE)) { rule.fromPort = 80; rule.toPort = 80; } },
            messages: [/the cluster's security group sg-[0-9a-f]+ does not admit the Ops VPC 10\.110\.0\.0\/16 on 443/],
        },
        {
            title: "the cluster admitting only part of the Ops VPC",
            change: (graphs) => { for (const rule of inputsOf(graphs, CLUSTER, API_RULE)) rule.cidrBlocks = ["10.110.0.0/17"]; },
            messages: [/does not admit the Ops VPC/],
        },
        {
            title: "the rule on another security group",
            change: (graphs) => { for (const rule of inputsOf(graphs, CLUSTER, API_RULE)) rule.securityGroupId = "sg-other"; },
            messages: [/does not admit the Ops VPC/],
        },
        {
            title: "the cluster in another VPC than its region's",
            change: (graphs) => { inputsOf(graphs, CLUSTER, "eks:index:Cluster")[0].vpcId = "vpc-elsewhere"; },
            messages: [/the cluster's VPC vpc-elsewhere is not region-staging-ap-northeast-1's VPC/],
        },
        {
            title: "no Ops stack in the render",
            change: (graphs) => { graphs.splice(graphs.findIndex((g) => g.stack === OPS), 1); },
            messages: [/no rendered Ops stack \(with outputs\) of this env/],
        },
        {
            title: "a region VPC overlapping the Ops VPC",
            change: (graphs) => {
                graphOf(graphs, REGION).outputs!.vpcCidr = "10.110.128.0/17";
                inputsOf(graphs, REGION, VPC)[0].cidrBlock = "10.110.128.0/17";
            },
            messages: [
                /region VPC 10\.110\.128\.0\/17 overlaps the Ops VPC 10\.110\.0\.0\/16/,
                // The routes no longer cover the region's (changed) block either.
                /Ops route tables .* have no route to 10\.110\.128\.0\/17/,
                /^vpc-cidrs-distinct: VPC 10\.110\.128\.0\/17 of region-staging-ap-northeast-1 overlaps 10\.110\.0\.0\/16 of ops-staging$/,
            ],
        },
    ];

    for (const { title, change, messages } of violations) {
        it(`report ${title}`, async () => {
            const graphs = fresh();
            change(graphs);
            const found = await envMessages(graphs);
            assert.equal(found.length, messages.length, found.join("\n"));
            messages.forEach((message, i) => assert.match(found[i], message));
        });
    }

    it("report a cross-region peering whose accepter in the Ops region does not accept", async () => {
        const graphs = structuredClone(prod) as EnvStackGraph[];
        assert.deepEqual(await envMessages(graphs), []);
        inputsOf(graphs, "region-prod-us-west-2", ACCEPTER)[0].autoAccept = false;
        const found = await envMessages(graphs);
        assert.equal(found.length, 1, found.join("\n"));
        assert.match(found[0], /never accepted/);
    });

    it("leave a cluster that is not registered in Argo CD alone", async () => {
        const graphs = fresh();
        remove(CLUSTER, (r) => r.type !== API_RULE && r.type !== "kubernetes:core/v1:Secret")(graphs);
        assert.deepEqual(await envMessages(graphs), []);
    });

    it("report each violation at the cluster's Argo CD Secret, as a mandatory violation of the pack", async () => {
        const graphs = fresh();
        remove(REGION, (r) => r.type !== PEERING)(graphs);
        const found = (await evaluatePolicies(graphs)).filter((v) => v.rule === "argocd-clusters-reachable");
        assert.deepEqual(found.map((v) => [v.stack, v.resource, v.level]), [[CLUSTER, "kubernetes:core/v1:Secret::svc-argocd-secret", "mandatory"]]);
    });
});
