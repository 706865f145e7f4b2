/**
 * The fake cloud itself: what a resource looks like once created (IDs, ARNs and computed attributes with AWS's
 * shapes) and what the functions the programs call answer. Everything is derived from (stack, type, name) and
 * the inputs, so the same program always yields the same graph, and so an unchanged resource reads back
 * exactly as it was: the provider plugins diff against this. Two front doors serve it: the mock runtime
 * (cloud.ts: tests, sim, render) and the provider plugins of the local engine (providers/).
 */
import { createHash } from "node:crypto";

export const FAKE_ACCOUNT_ID = "123456789012";

/** Where a resource is created: the stack (part of every derived ID), the region and the account. */
export interface FakeContext {
    stack: string;
    region: string;
    accountId: string;
}

export interface FakeResource {
    id: string;
    state: Record<string, unknown>;
}

/** Hosted zone ids of ALBs per region, as AWS publishes them (the alias target zone). */
const ALB_ZONE_IDS: Record<string, string> = {
    "ap-northeast-1": "Z14GRHDCWA56QT",
    "us-west-2": "Z1H1FL5HABSF5",
    "us-east-1": "Z35SXDOTRQ7X7K",
    "eu-west-1": "Z32O12XQLNTSW2",
};

export const albZoneId = (region: string) => ALB_ZONE_IDS[region] ?? "Z0000000000000";

/** A stable hex string for this stack, resource type and name. */
export function fakeHex(stack: string, type: string, name: string, length: number): string {
    let out = "";
    for (let i = 0; out.length < length; i++) out += createHash("sha256").update(`${stack}|${type}|${name}|${i}`).digest("hex");
    return out.slice(0, length);
}

type Hex = (length: number) => string;

/** An EKS control plane as `aws:eks/cluster:Cluster` reports it (also the `eksCluster` of `eks:index:Cluster`). */
export function eksControlPlane(ctx: FakeContext, clusterName: string, inputs: Record<string, unknown>, hex: Hex) {
    const oidcId = hex(32).toUpperCase();
    const vpcConfig = (inputs.vpcConfig as Record<string, unknown> | undefined) ?? {};
    return {
        name: clusterName,
        arn: `arn:aws:eks:${ctx.region}:${ctx.accountId}:cluster/${clusterName}`,
        version: inputs.version,
        endpoint: `https://${oidcId}.gr7.${ctx.region}.eks.amazonaws.com`,
        status: "ACTIVE",
        certificateAuthority: { data: Buffer.from(`fake CA of ${clusterName}`).toString("base64") },
        identities: [{ oidcs: [{ issuer: `https://oidc.eks.${ctx.region}.amazonaws.com/id/${oidcId}` }] }],
        vpcConfig: { ...vpcConfig, clusterSecurityGroupId: `sg-${hex(17)}`, vpcId: vpcConfig.vpcId ?? inputs.vpcId },
    };
}

/** `eks:index:Cluster`'s `providerCredentialOpts` (pulumi-eks KubeconfigOptions). */
export interface KubeconfigOptions {
    roleArn?: string;
    profileName?: string;
}

/**
 * The kubeconfig `eks:index:Cluster` exports, as pulumi-eks 4.3.0 generates it (nodejs/eks/cluster/cluster.ts,
 * generateKubeconfig): `aws --region <r> eks get-token --cluster-name <n> --output json`, then `--role <arn>`
 * when providerCredentialOpts.roleArn is set (the only way the role gets in). A profileName goes in as
 * `--profile` only in the component's own provider's kubeconfig; the exported one is generated without it
 * (genKubeconfig(false), since pulumi/pulumi-eks#1484 replaced the AWS_PROFILE env entry).
 */
export function eksKubeconfig(region: string, clusterName: string, endpoint: string, caData: string, credentials: KubeconfigOptions = {}) {
    const args = ["--region", region, "eks", "get-token", "--cluster-name", clusterName, "--output", "json", ...(credentials.roleArn ? ["--role", credentials.roleArn] : [])];
    return {
        apiVersion: "v1",
        clusters: [{ cluster: { server: endpoint, "certificate-authority-data": caData }, name: "kubernetes" }],
        contexts: [{ context: { cluster: "kubernetes", user: "aws" }, name: "aws" }],
        "current-context": "aws",
        kind: "Config",
        users: [
            {
                name: "aws",
                user: {
                    exec: {
                        apiVersion: "client.authentication.k8s.io/v1beta1",
                        command: "aws",
                        args,
                        env: [{ name: "KUBERNETES_EXEC_INFO", value: `{"apiVersion": "client.authentication.k8s.io/v1beta1"}` }],
                    },
                },
            },
        ],
    };
}

/** What `eks:index:Cluster` derives from its control plane: kubeconfig (exec through `aws eks get-token`) and OIDC. */
export function eksClusterAccess(
    accountId: string,
    region: string,
    plane: { name: string; endpoint: string; certificateAuthority: { data: string }; identities: { oidcs: { issuer: string }[] }[] },
    credentials: KubeconfigOptions = {},
) {
    const kubeconfig = eksKubeconfig(region, plane.name, plane.endpoint, plane.certificateAuthority.data, credentials);
    const oidcProviderUrl = plane.identities[0].oidcs[0].issuer;
    const oidcIssuer = oidcProviderUrl.replace("https://", "");
    return {
        kubeconfig,
        kubeconfigJson: JSON.stringify(kubeconfig),
        oidcProviderArn: `arn:aws:iam::${accountId}:oidc-provider/${oidcIssuer}`,
        oidcProviderUrl,
        oidcIssuer,
    };
}

export const CONTROL_PLANE = "aws:eks/cluster:Cluster";
export const SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup";
export const SECURITY_GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule";

/** The names of the children pulumi-eks 4.3.0 gives `eks:index:Cluster` `<component>` (createCore, createNodeGroupSecurityGroup). */
export const eksChildNames = (component: string) => ({
    controlPlane: `${component}-eksCluster`,
    clusterSecurityGroup: `${component}-eksClusterSecurityGroup`,
    nodeSecurityGroup: `${component}-nodeSecurityGroup`,
});

/**
 * The inputs pulumi-eks 4.3.0 gives the control plane it creates (nodejs/eks/cluster/cluster.ts, createCore):
 * its own cluster security group on the ENIs, `accessConfig.bootstrapClusterCreatorAdminPermissions`
 * hard-coded to true whenever an authentication mode is given, the upgrade policy passed through.
 */
export function eksControlPlaneArgs(component: string, inputs: Record<string, unknown>, clusterSecurityGroupId: string): Record<string, unknown> {
    const keyArn = inputs.encryptionConfigKeyArn as string | undefined;
    return {
        name: inputs.name,
        version: inputs.version,
        vpcConfig: {
            securityGroupIds: [clusterSecurityGroupId],
            subnetIds: inputs.privateSubnetIds,
            endpointPrivateAccess: inputs.endpointPrivateAccess,
            endpointPublicAccess: inputs.endpointPublicAccess,
            publicAccessCidrs: inputs.publicAccessCidrs,
            // An output of the real resource; the fake keeps it from the component's input.
            vpcId: inputs.vpcId,
        },
        encryptionConfig: keyArn ? { provider: { keyArn }, resources: ["secrets"] } : undefined,
        enabledClusterLogTypes: inputs.enabledClusterLogTypes,
        accessConfig: inputs.authenticationMode ? { authenticationMode: inputs.authenticationMode, bootstrapClusterCreatorAdminPermissions: true } : undefined,
        upgradePolicy: inputs.upgradePolicy,
        tags: { Name: `${component}-eksCluster`, ...(inputs.tags as Record<string, string> | undefined) },
    };
}

/**
 * The outputs of `eks:index:Cluster` from its children: `eksCluster` is the control plane, and
 * `clusterSecurityGroupId` pulumi-eks's own group (core.clusterSecurityGroup.id), not the one EKS creates
 * (eksCluster.vpcConfig.clusterSecurityGroupId, which only clusters without default security groups export).
 */
export function eksClusterOutputs(accountId: string, region: string, plane: Parameters<typeof eksClusterAccess>[2], securityGroups: { cluster: string; node: string }, credentials: KubeconfigOptions = {}) {
    return { eksCluster: plane, ...eksClusterAccess(accountId, region, plane, credentials), clusterSecurityGroupId: securityGroups.cluster, nodeSecurityGroupId: securityGroups.node };
}

/** A managed node group as `aws:eks/nodeGroup:NodeGroup` reports it (the `nodeGroup` of `eks:index:ManagedNodeGroup`). */
export function eksNodeGroup(ctx: FakeContext, inputs: Record<string, unknown>, hex: Hex) {
    return {
        ...inputs,
        nodeGroupName: inputs.nodeGroupName,
        version: inputs.version,
        capacityType: inputs.capacityType,
        status: "ACTIVE",
        arn: `arn:aws:eks:${ctx.region}:${ctx.accountId}:nodegroup/${String(inputs.nodeGroupName)}/${hex(8)}`,
    };
}

/** The IDs of pulumi-eks's two security groups of `eks:index:Cluster` `<name>`. */
export function eksSecurityGroupIds(ctx: FakeContext, name: string) {
    const names = eksChildNames(name);
    return { cluster: fakeResource(ctx, SECURITY_GROUP, names.clusterSecurityGroup, {}).id, node: fakeResource(ctx, SECURITY_GROUP, names.nodeSecurityGroup, {}).id };
}

/**
 * `eks:index:Cluster` as the mock runtime shows it: its outputs, derived from the children the provider
 * plugin creates (same names, so the same IDs). `transformPlane` stands for the program's transforms of the
 * control plane child, which the engine applies on the plugin's side (cloud.ts applies them here).
 */
export function fakeEksCluster(ctx: FakeContext, name: string, inputs: Record<string, unknown>, transformedPlane?: Record<string, unknown>): FakeResource {
    const securityGroups = eksSecurityGroupIds(ctx, name);
    const planeArgs = transformedPlane ?? eksControlPlaneArgs(name, inputs, securityGroups.cluster);
    const plane = fakeResource(ctx, CONTROL_PLANE, eksChildNames(name).controlPlane, planeArgs).state as Parameters<typeof eksClusterAccess>[2];
    const state = eksClusterOutputs(ctx.accountId, ctx.region, plane, securityGroups, inputs.providerCredentialOpts as KubeconfigOptions | undefined);
    return { id: `${name}-${fakeHex(ctx.stack, "eks:index:Cluster", name, 8)}`, state };
}

/** Custom resources, and the remote components as the mock runtime shows them (their outputs, no children). */
export function fakeResource(ctx: FakeContext, type: string, name: string, inputs: Record<string, unknown>, custom = true): FakeResource {
    const hex: Hex = (n) => fakeHex(ctx.stack, type, name, n);
    const { region, accountId: acct } = ctx;
    const physical = (inputs.name as string | undefined) ?? `${name}-${hex(7)}`;
    // The inputs that become parts of IDs and ARNs are strings in every program.
    const text = inputs as Record<string, string | undefined>;
    switch (type) {
        case "eks:index:Cluster":
            return fakeEksCluster(ctx, name, inputs);
        case "aws:eks/cluster:Cluster":
            return { id: physical, state: { ...inputs, ...eksControlPlane(ctx, physical, inputs, hex) } };
        case "eks:index:ManagedNodeGroup": {
            const { nodeGroupName, version, capacityType, status, arn } = eksNodeGroup(ctx, inputs, hex);
            return { id: `${name}-${hex(8)}`, state: { nodeGroup: { nodeGroupName, version, capacityType, status, arn } } };
        }
        case "aws:eks/nodeGroup:NodeGroup":
            return { id: `${text.clusterName}:${text.nodeGroupName}`, state: eksNodeGroup(ctx, inputs, hex) };
        case "awsx:ec2:Vpc":
            return { id: `${name}-${hex(8)}`, state: fakeVpc(ctx, inputs, hex) };
        case "aws:lb/loadBalancer:LoadBalancer": {
            const suffix = `app/${physical}/${hex(16)}`;
            const arn = `arn:aws:elasticloadbalancing:${region}:${acct}:loadbalancer/${suffix}`;
            const dnsName = `${inputs.internal ? "internal-" : ""}${physical}-${parseInt(hex(8), 16)}.${region}.elb.amazonaws.com`;
            return { id: arn, state: { ...inputs, arn, arnSuffix: suffix, name: physical, dnsName, zoneId: albZoneId(region) } };
        }
        case "aws:lb/targetGroup:TargetGroup": {
            const suffix = `targetgroup/${physical}/${hex(16)}`;
            const arn = `arn:aws:elasticloadbalancing:${region}:${acct}:${suffix}`;
            return { id: arn, state: { ...inputs, arn, arnSuffix: suffix, name: physical } };
        }
        case "aws:lb/listener:Listener":
        case "aws:lb/listenerRule:ListenerRule": {
            const kind = type.endsWith("Rule") ? "listener-rule" : "listener";
            const arn = `arn:aws:elasticloadbalancing:${region}:${acct}:${kind}/app/${name}/${hex(16)}/${hex(16).split("").reverse().join("")}`;
            return { id: arn, state: { ...inputs, arn } };
        }
        case "aws:ec2/securityGroup:SecurityGroup":
            return { id: `sg-${hex(17)}`, state: { ...inputs, arn: `arn:aws:ec2:${region}:${acct}:security-group/sg-${hex(17)}` } };
        // Same account and region with autoAccept: active at once; otherwise it waits for its accepter.
        case "aws:ec2/vpcPeeringConnection:VpcPeeringConnection":
            return { id: `pcx-${hex(17)}`, state: { ...inputs, acceptStatus: inputs.autoAccept === true ? "active" : "pending-acceptance" } };
        // The accepter manages the same connection: AWS knows it by the connection's id.
        case "aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter":
            return { id: String(inputs.vpcPeeringConnectionId), state: { ...inputs, acceptStatus: "active" } };
        case "aws:ec2/launchTemplate:LaunchTemplate":
            return { id: `lt-${hex(17)}`, state: { ...inputs, latestVersion: 1, defaultVersion: 1, arn: `arn:aws:ec2:${region}:${acct}:launch-template/lt-${hex(17)}` } };
        case "aws:kms/key:Key": {
            const keyId = `${hex(8)}-${hex(12).slice(0, 4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
            return { id: keyId, state: { ...inputs, keyId, arn: `arn:aws:kms:${region}:${acct}:key/${keyId}` } };
        }
        case "aws:iam/role:Role":
            return { id: physical, state: { ...inputs, name: physical, arn: `arn:aws:iam::${acct}:role/${physical}`, uniqueId: `AROA${hex(17).toUpperCase()}` } };
        case "aws:iam/openIdConnectProvider:OpenIdConnectProvider": {
            const issuer = (text.url ?? "").replace("https://", "");
            return { id: `arn:aws:iam::${acct}:oidc-provider/${issuer}`, state: { ...inputs, arn: `arn:aws:iam::${acct}:oidc-provider/${issuer}` } };
        }
        case "aws:cloudwatch/logGroup:LogGroup":
            return { id: physical, state: { ...inputs, name: physical, arn: `arn:aws:logs:${region}:${acct}:log-group:${physical}` } };
        case "aws:route53/record:Record":
            return { id: `${text.zoneId}_${text.name}_${text.type}${text.setIdentifier ? `_${text.setIdentifier}` : ""}`, state: { ...inputs, fqdn: inputs.name } };
        case "kubernetes:helm.sh/v3:Release":
            return {
                id: `${text.namespace}/${text.name}`,
                state: { ...inputs, status: { status: "deployed", name: inputs.name, namespace: inputs.namespace, version: inputs.version, revision: 1 } },
            };
        default:
            return { id: custom ? `${name}-${hex(8)}` : "", state: { ...inputs, arn: `arn:aws:fake:${region}:${acct}:${type.split(":").pop()}/${physical}` } };
    }
}

/** awsx's VPC outputs: subnet IDs per subnet spec, one per CIDR (or per availability zone). */
function fakeVpc(ctx: FakeContext, inputs: Record<string, unknown>, hex: Hex) {
    const azs = (inputs.availabilityZoneNames as string[] | undefined) ?? [];
    const specs = (inputs.subnetSpecs as { type: string; cidrBlocks?: string[] }[] | undefined) ?? [];
    const subnetIds = (kind: string) =>
        (specs.find((s) => s.type === kind)?.cidrBlocks ?? azs).map((_, i) => `subnet-${fakeHex(ctx.stack, `subnet-${kind}`, `${hex(6)}-${i}`, 17)}`);
    const vpcId = `vpc-${hex(17)}`;
    const privateSubnetIds = subnetIds("Private");
    const publicSubnetIds = subnetIds("Public");
    // awsx gives every subnet its own route table.
    const routeTableAssociations = [...privateSubnetIds, ...publicSubnetIds].map((subnetId) => ({ subnetId, routeTableId: `rtb-${fakeHex(ctx.stack, "route-table", subnetId, 17)}` }));
    return {
        vpcId,
        vpc: { id: vpcId, cidrBlock: inputs.cidrBlock },
        privateSubnetIds,
        publicSubnetIds,
        isolatedSubnetIds: [],
        routeTableAssociations,
    };
}

/** The functions (invokes) the stack programs call, with fake answers. */
export function fakeInvoke(ctx: FakeContext, token: string, inputs: Record<string, unknown>): Record<string, unknown> {
    switch (token) {
        case "aws:index/getCallerIdentity:getCallerIdentity":
            return { accountId: ctx.accountId, arn: `arn:aws:iam::${ctx.accountId}:role/sim`, userId: "AROASIM", id: ctx.accountId };
        case "aws:index/getPartition:getPartition":
            return { partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws", id: "aws" };
        case "aws:index/getRegion:getRegion":
            return { name: ctx.region, region: ctx.region, id: ctx.region };
        case "aws:ssm/getParameter:getParameter": {
            const name = String(inputs.name);
            return { name, type: "SecureString", value: `sim-value-of-${name}`, version: 1, arn: `arn:aws:ssm:${ctx.region}:${ctx.accountId}:parameter${name}`, id: name };
        }
        default:
            throw new Error(`the fake cloud has no answer for ${token}`);
    }
}
