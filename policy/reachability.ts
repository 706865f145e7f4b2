/**
 * Rules over all the rendered stacks of an env at once, which no single stack can show: every cluster
 * registered in Argo CD must be reachable from the Ops VPC, where Argo CD and the CI runners run. Its API
 * endpoint is private, so that takes a VPC peering between the Ops VPC and the cluster's region VPC that is
 * accepted, routes both ways covering the other VPC in every private route table, the cluster's security
 * group admitting the Ops VPC on 443, and VPC CIDRs that do not overlap.
 *
 * Credential-free only (`mitene policy`): a real preview runs one stack and cannot see the others. The rule
 * reads resource inputs and the stacks' outputs (ids exist only there: route tables, the peering, the
 * cluster's security group).
 */
import { asList, asRecord, cidrCovers, cidrsShareAddresses, portRangeCovers } from "./inputs";
import type { EnvGraphResource, EnvRule, EnvStackGraph } from "./envGraph";

const CLUSTER_SECRET_LABEL = "argocd.argoproj.io/secret-type";
const API_PORT = 443;
const PEERING = "aws:ec2/vpcPeeringConnection:VpcPeeringConnection";
const ACCEPTER = "aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter";
const ROUTE = "aws:ec2/route:Route";
const VPC = "awsx:ec2:Vpc";

/** Stack names of this project (self-contained: the pack does not import the components' naming). */
function stackKind(stack: string): { kind: "ops" | "region" | "cluster"; env: string; region?: string } | undefined {
    const region = "[a-z]{2}(?:-gov)?-[a-z]+-\\d";
    let match = stack.match(/^ops-([a-z][a-z0-9]{1,11})$/);
    if (match) return { kind: "ops", env: match[1] };
    match = stack.match(new RegExp(`^region-([a-z][a-z0-9]{1,11})-(${region})$`));
    if (match) return { kind: "region", env: match[1], region: match[2] };
    match = stack.match(new RegExp(`^mitene-([a-z][a-z0-9]{1,11})-(${region})-(blue|green)$`));
    if (match) return { kind: "cluster", env: match[1], region: match[2] };
    return undefined;
}

const isArgoClusterSecret = (r: EnvGraphResource) =>
    r.type === "kubernetes:core/v1:Secret" && asRecord(asRecord(r.inputs.metadata).labels)[CLUSTER_SECRET_LABEL] === "cluster";

/** The VPC a cluster runs in, from the @pulumi/eks component or the AWS resource. */
function clusterVpcId(graph: EnvStackGraph): unknown {
    const component = graph.resources.find((r) => r.type === "eks:index:Cluster");
    if (component) return component.inputs.vpcId;
    return asRecord(graph.resources.find((r) => r.type === "aws:eks/cluster:Cluster")?.inputs.vpcConfig).vpcId;
}

/** Whether some ingress rule on `groupId` lets TCP 443 in from every address of `cidr`. */
function admits(graph: EnvStackGraph, groupId: unknown, cidr: unknown): boolean {
    return graph.resources.some(({ type, inputs }) => {
        if (type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule") {
            return inputs.securityGroupId === groupId && portRangeCovers(inputs.ipProtocol, inputs.fromPort, inputs.toPort, API_PORT) && cidrCovers(inputs.cidrIpv4, cidr);
        }
        if (type === "aws:ec2/securityGroupRule:SecurityGroupRule") {
            return inputs.type === "ingress" && inputs.securityGroupId === groupId && portRangeCovers(inputs.protocol, inputs.fromPort, inputs.toPort, API_PORT) &&
                asList(inputs.cidrBlocks).some((block) => cidrCovers(block, cidr));
        }
        return false;
    });
}

/** Route tables of `tableIds` without a route covering `destination` through `connectionId`. */
function unrouted(resources: readonly EnvGraphResource[], tableIds: unknown[], destination: unknown, connectionId: unknown): unknown[] {
    const routes = resources.filter((r) => r.type === ROUTE && r.inputs.vpcPeeringConnectionId === connectionId);
    return tableIds.filter((table) => !routes.some((r) => r.inputs.routeTableId === table && cidrCovers(r.inputs.destinationCidrBlock, destination)));
}

/** Why the cluster of `clusterGraph` cannot be reached from the Ops VPC; empty when it can. */
function unreachable(clusterGraph: EnvStackGraph, ops: EnvStackGraph | undefined, regionGraph: EnvStackGraph | undefined, envResources: readonly EnvGraphResource[]): string[] {
    if (!ops?.outputs) return [`no rendered Ops stack (with outputs) of this env: cannot show the cluster is reachable from the Ops VPC`];
    if (!regionGraph?.outputs) return [`no rendered region stack (with outputs) for this cluster: cannot show it is reachable from the Ops VPC`];
    const opsOut = ops.outputs;
    const regionOut = regionGraph.outputs;
    const problems: string[] = [];
    if (clusterVpcId(clusterGraph) !== regionOut.vpcId) problems.push(`the cluster's VPC ${String(clusterVpcId(clusterGraph))} is not ${regionGraph.stack}'s VPC ${String(regionOut.vpcId)}`);
    if (cidrsShareAddresses(opsOut.vpcCidr, regionOut.vpcCidr)) problems.push(`the region VPC ${String(regionOut.vpcCidr)} overlaps the Ops VPC ${String(opsOut.vpcCidr)}`);

    const peering = regionGraph.resources.find((r) => r.type === PEERING && r.inputs.vpcId === regionOut.vpcId && r.inputs.peerVpcId === opsOut.vpcId);
    const connectionId = regionOut.opsPeeringConnectionId;
    if (!peering) {
        problems.push(`no VPC peering between ${regionGraph.stack}'s VPC and the Ops VPC`);
    } else {
        if (peering.inputs.peerRegion !== undefined && peering.inputs.peerRegion !== opsOut.region) problems.push(`the peering names region ${JSON.stringify(peering.inputs.peerRegion)}, but the Ops VPC is in ${String(opsOut.region)}`);
        const accepted = peering.inputs.autoAccept === true || envResources.some((r) => r.type === ACCEPTER && r.inputs.vpcPeeringConnectionId === connectionId && r.inputs.autoAccept === true);
        if (!accepted) problems.push("the peering with the Ops VPC is never accepted (no accepter with autoAccept on the Ops side)");
    }
    const missingOps = unrouted(envResources, asList(opsOut.privateRouteTableIds), regionOut.vpcCidr, connectionId);
    if (asList(opsOut.privateRouteTableIds).length === 0) problems.push("the Ops stack exports no private route tables");
    else if (missingOps.length > 0) problems.push(`Ops route tables ${missingOps.join(", ")} have no route to ${String(regionOut.vpcCidr)} through the peering`);
    const missingRegion = unrouted(envResources, asList(regionOut.privateRouteTableIds), opsOut.vpcCidr, connectionId);
    if (asList(regionOut.privateRouteTableIds).length === 0) problems.push(`${regionGraph.stack} exports no private route tables`);
    else if (missingRegion.length > 0) problems.push(`region route tables ${missingRegion.join(", ")} have no route to the Ops VPC ${String(opsOut.vpcCidr)} through the peering`);

    if (!admits(clusterGraph, clusterGraph.outputs?.clusterSecurityGroupId, opsOut.vpcCidr)) {
        problems.push(`the cluster's security group ${String(clusterGraph.outputs?.clusterSecurityGroupId)} does not admit the Ops VPC ${String(opsOut.vpcCidr)} on ${API_PORT}`);
    }
    return problems;
}

export const argocdClustersReachable: EnvRule = {
    name: "argocd-clusters-reachable",
    description: "Every cluster registered in Argo CD is reachable from the Ops VPC: accepted VPC peering, routes both ways, 443 admitted from the Ops VPC, no overlapping CIDRs.",
    enforcementLevel: "mandatory",
    check(graphs) {
        const byEnv = new Map<string, EnvStackGraph[]>();
        for (const graph of graphs) {
            const id = stackKind(graph.stack);
            if (id) byEnv.set(id.env, [...(byEnv.get(id.env) ?? []), graph]);
        }
        return [...byEnv.values()].flatMap((envGraphs) => {
            const envResources = envGraphs.flatMap((g) => g.resources);
            const ops = envGraphs.find((g) => stackKind(g.stack)?.kind === "ops");
            return envGraphs.flatMap((graph) => {
                const id = stackKind(graph.stack);
                if (id?.kind !== "cluster") return [];
                const regionGraph = envGraphs.find((g) => { const r = stackKind(g.stack); return r?.kind === "region" && r.region === id.region; });
                return graph.resources.filter(isArgoClusterSecret).flatMap((secret) =>
                    unreachable(graph, ops, regionGraph, envResources).map((message) => ({ stack: graph.stack, resource: `${secret.type}::${secret.name}`, message })));
            });
        });
    },
};

export const vpcCidrsDistinct: EnvRule = {
    name: "vpc-cidrs-distinct",
    description: "The VPCs of an env (Ops and every region, all peered with the Ops VPC) have CIDRs that do not overlap.",
    enforcementLevel: "mandatory",
    check(graphs) {
        const byEnv = new Map<string, { stack: string; vpc: EnvGraphResource }[]>();
        for (const graph of graphs) {
            const id = stackKind(graph.stack);
            if (!id || id.kind === "cluster") continue;
            for (const vpc of graph.resources.filter((r) => r.type === VPC)) byEnv.set(id.env, [...(byEnv.get(id.env) ?? []), { stack: graph.stack, vpc }]);
        }
        return [...byEnv.values()].flatMap((vpcs) =>
            vpcs.flatMap((a, i) => vpcs.slice(i + 1)
                .filter((b) => cidrsShareAddresses(a.vpc.inputs.cidrBlock, b.vpc.inputs.cidrBlock))
                .map((b) => ({
                    stack: b.stack,
                    resource: `${VPC}::${b.vpc.name}`,
                    message: `VPC ${String(b.vpc.inputs.cidrBlock)} of ${b.stack} overlaps ${String(a.vpc.inputs.cidrBlock)} of ${a.stack}`,
                }))));
    },
};

