/**
 * `pulumi-resource-eks` and `pulumi-resource-awsx` of the local engine: the remote components the programs use,
 * constructed the way the real packages do, out of aws resources created through the caller's aws provider
 * (so in its region and, for the VPC and subnets, in the AWS emulator). The component outputs the programs
 * read (`eksCluster`, `kubeconfigJson`, `oidcProviderArn`, `nodeGroup`, `vpcId`, `privateSubnetIds`, ...)
 * come from those children, derived by the fake cloud's functions shared with the mock runtime.
 *
 * Shapes per the @pulumi/eks 4.3 and @pulumi/awsx 3.9 SDKs (their Cluster, ManagedNodeGroup and ec2.Vpc
 * argument and output types).
 */
import * as pulumi from "@pulumi/pulumi";
import type * as provider from "@pulumi/pulumi/provider";
import { eksClusterAccess } from "../resources";
import { packageVersion } from "./plugin";

type Inputs = Record<string, pulumi.Input<unknown>>;

/**
 * An input's plain value, for inputs that decide which children exist. In a preview an input may be unknown
 * (undefined here): those children appear at the update, as with any resource created from an output.
 */
function known<T>(input: pulumi.Input<T> | undefined): Promise<T | undefined> {
    if (!pulumi.Output.isInstance(input)) return Promise.resolve(input);
    if (pulumi.runtime.isDryRun()) return Promise.resolve(undefined);
    return new Promise((resolve) => input.apply((value) => (resolve(value), value)));
}

/** A custom resource of another package (aws), served by the caller's provider. */
class ForeignResource extends pulumi.CustomResource {
    constructor(type: string, name: string, props: Inputs, opts: pulumi.CustomResourceOptions) {
        super(type, name, props, opts);
    }
}

/** The component a provider constructs for a program (the real packages register theirs the same way). */
class RemoteComponent extends pulumi.ComponentResource {
    constructor(type: string, name: string, opts: pulumi.ComponentResourceOptions) {
        super(type, name, {}, opts);
    }

    publish(outputs: Inputs): provider.ConstructResult {
        this.registerOutputs(outputs);
        return { urn: this.urn, state: outputs };
    }
}

type Outputs = Record<string, pulumi.Output<any>>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A child resource with the outputs listed read back as properties (the SDK makes one per key of the props). */
function child(type: string, name: string, props: Inputs, outputs: string[], opts: pulumi.CustomResourceOptions): ForeignResource & Outputs {
    const withOutputs = { ...props, ...Object.fromEntries(outputs.filter((key) => !(key in props)).map((key) => [key, undefined])) };
    return new ForeignResource(type, name, withOutputs, opts) as ForeignResource & Outputs;
}

const valueOf = <T>(output: pulumi.Output<T>) => new Promise<T>((resolve) => output.apply((value) => (resolve(value), value)));

interface ControlPlane {
    name: string;
    arn: string;
    endpoint: string;
    certificateAuthority: { data: string };
    identities: { oidcs: { issuer: string }[] }[];
    vpcConfig: { clusterSecurityGroupId: string };
}

const ADDONS = [
    ["vpc-cni", "vpcCniOptions", "addonVersion"],
    ["coredns", "corednsAddonOptions", "version"],
    ["kube-proxy", "kubeProxyAddonOptions", "version"],
] as const;

/** `eks:index:Cluster`: the control plane, its OIDC provider, the core add-ons and the access entries. */
async function eksCluster(name: string, inputs: Inputs, options: pulumi.ComponentResourceOptions): Promise<provider.ConstructResult> {
    const component = new RemoteComponent("eks:index:Cluster", name, options);
    const opts = { parent: component };
    const plane = child(
        CONTROL_PLANE,
        controlPlaneName(name),
        {
            name: inputs.name,
            version: inputs.version,
            vpcConfig: pulumi.output({
                vpcId: inputs.vpcId,
                subnetIds: inputs.privateSubnetIds,
                endpointPrivateAccess: inputs.endpointPrivateAccess,
                endpointPublicAccess: inputs.endpointPublicAccess,
                publicAccessCidrs: inputs.publicAccessCidrs,
            }),
            encryptionConfig: pulumi.output(inputs.encryptionConfigKeyArn as pulumi.Input<string | undefined>).apply((keyArn) => (keyArn ? { provider: { keyArn }, resources: ["secrets"] } : undefined)),
            enabledClusterLogTypes: inputs.enabledClusterLogTypes,
            accessConfig: { authenticationMode: inputs.authenticationMode },
            tags: inputs.tags,
        },
        ["arn", "endpoint", "certificateAuthority", "identities", "vpcConfig"],
        opts,
    );
    const planeOutputs = pulumi.all([plane.name, plane.arn, plane.endpoint, plane.certificateAuthority, plane.identities, plane.vpcConfig]).apply(
        ([n, arn, endpoint, certificateAuthority, identities, vpcConfig]): ControlPlane => ({ name: n, arn, endpoint, certificateAuthority, identities, vpcConfig }),
    );
    const access = planeOutputs.apply((p) => {
        const [, , , region, account] = p.arn.split(":");
        return eksClusterAccess(account, region, p);
    });
    const oidc = (await known(inputs.createOidcProvider))
        ? child("aws:iam/openIdConnectProvider:OpenIdConnectProvider", `${name}-oidcProvider`, { url: access.oidcProviderUrl, clientIdLists: ["sts.amazonaws.com"] }, ["arn"], opts).arn
        : access.oidcProviderArn;
    for (const [addonName, key, versionKey] of ADDONS) {
        const addon = (await known(inputs[key])) as Record<string, unknown> | undefined;
        if (addon) child("aws:eks/addon:Addon", `${name}-${addonName}`, { clusterName: plane.name, addonName, addonVersion: addon[versionKey] }, ["arn"], opts);
    }
    type Entry = { principalArn: string; accessPolicies?: Record<string, { policyArn: string; accessScope: unknown }> };
    for (const [key, entry] of Object.entries(((await known(inputs.accessEntries)) ?? {}) as Record<string, Entry>)) {
        const accessEntry = child("aws:eks/accessEntry:AccessEntry", `${name}-${key}`, { clusterName: plane.name, principalArn: entry.principalArn, type: "STANDARD" }, ["arn"], opts);
        for (const [policyKey, policy] of Object.entries(entry.accessPolicies ?? {})) {
            const association = { clusterName: plane.name, principalArn: entry.principalArn, policyArn: policy.policyArn, accessScope: policy.accessScope };
            child("aws:eks/accessPolicyAssociation:AccessPolicyAssociation", `${name}-${key}-${policyKey}`, association, [], { parent: component, dependsOn: [accessEntry] });
        }
    }
    const state = {
        eksCluster: plane,
        kubeconfig: access.kubeconfig,
        kubeconfigJson: access.kubeconfigJson,
        oidcProviderArn: oidc,
        oidcProviderUrl: access.oidcProviderUrl,
        oidcIssuer: access.oidcIssuer,
        clusterSecurityGroupId: planeOutputs.vpcConfig.clusterSecurityGroupId,
        nodeSecurityGroupId: "",
    };
    return component.publish(state);
}

const CONTROL_PLANE = "aws:eks/cluster:Cluster";
const controlPlaneName = (clusterName: string) => `${clusterName}-eksCluster`;

/**
 * The name of the EKS cluster behind an `eks:index:Cluster` reference: its control plane is the component's
 * child (URN derived from the component's), whose ID is the cluster name, read from the engine by URN.
 */
function clusterNameOf(cluster: pulumi.Input<unknown>): pulumi.Output<string> {
    return pulumi.output(cluster as pulumi.Input<string | pulumi.Resource>).apply(async (ref) => {
        const urn = typeof ref === "string" ? ref : await valueOf(ref.urn);
        const [prefix, project, types, name] = urn.split("::");
        const planeUrn = [prefix, project, `${types}$${CONTROL_PLANE}`, controlPlaneName(name)].join("::");
        const plane = (await pulumi.runtime.invoke("pulumi:pulumi:getResource", { urn: planeUrn })) as { id: string };
        return plane.id;
    });
}

/** `eks:index:ManagedNodeGroup`: the node group, with the desired size left to the autoscaler when asked. */
function managedNodeGroup(name: string, inputs: Inputs, options: pulumi.ComponentResourceOptions): provider.ConstructResult {
    const component = new RemoteComponent("eks:index:ManagedNodeGroup", name, options);
    const nodeGroup = child(
        "aws:eks/nodeGroup:NodeGroup",
        name,
        {
            clusterName: clusterNameOf(inputs.cluster),
            nodeGroupName: inputs.nodeGroupName,
            version: inputs.version,
            capacityType: inputs.capacityType,
            instanceTypes: inputs.instanceTypes,
            scalingConfig: inputs.scalingConfig,
            labels: inputs.labels,
            subnetIds: inputs.subnetIds,
            amiType: inputs.amiType,
            launchTemplate: inputs.launchTemplate,
            tags: inputs.tags,
        },
        ["arn", "status"],
        { parent: component, ignoreChanges: inputs.ignoreScalingChanges ? ["scalingConfig.desiredSize"] : [] },
    );
    const state = { nodeGroup };
    return component.publish(state);
}

interface SubnetSpec {
    type: "Private" | "Public" | "Isolated";
    name?: string;
    cidrBlocks?: string[];
    tags?: Record<string, string>;
}

/** `awsx:ec2:Vpc` with explicit subnet CIDRs: the VPC and one subnet per spec and availability zone. */
async function vpc(name: string, inputs: Inputs, options: pulumi.ComponentResourceOptions): Promise<provider.ConstructResult> {
    const component = new RemoteComponent("awsx:ec2:Vpc", name, options);
    const theVpc = child("aws:ec2/vpc:Vpc", name, { cidrBlock: inputs.cidrBlock, enableDnsHostnames: inputs.enableDnsHostnames, enableDnsSupport: inputs.enableDnsSupport, tags: inputs.tags }, ["arn"], { parent: component });
    const azs = ((await known(inputs.availabilityZoneNames)) ?? []) as string[];
    const subnetIds: Record<string, pulumi.Output<string>[]> = { Private: [], Public: [], Isolated: [] };
    const routeTableAssociations: Outputs[] = [];
    for (const spec of ((await known(inputs.subnetSpecs)) ?? []) as SubnetSpec[]) {
        if (!spec.cidrBlocks) throw new Error(`awsx:ec2:Vpc ${name}: the fake cloud needs explicit cidrBlocks for ${spec.type} subnets`);
        spec.cidrBlocks.forEach((cidrBlock, i) => {
            const subnetName = `${name}-${(spec.name ?? spec.type).toLowerCase()}-${i + 1}`;
            const props = { vpcId: theVpc.id, cidrBlock, availabilityZone: azs[i], mapPublicIpOnLaunch: spec.type === "Public", tags: { ...spec.tags, Name: subnetName } };
            const subnet = child("aws:ec2/subnet:Subnet", subnetName, props, ["arn"], { parent: component });
            subnetIds[spec.type].push(subnet.id);
            // awsx gives every subnet a route table of its own, associated with it.
            const table = child("aws:ec2/routeTable:RouteTable", subnetName, { vpcId: theVpc.id, tags: { Name: subnetName } }, ["arn"], { parent: subnet });
            const association = child("aws:ec2/routeTableAssociation:RouteTableAssociation", subnetName, { subnetId: subnet.id, routeTableId: table.id }, [], { parent: table });
            routeTableAssociations.push({ subnetId: association.subnetId, routeTableId: association.routeTableId });
        });
    }
    const ids = (type: string) => pulumi.all(subnetIds[type]);
    const state = { vpc: theVpc, vpcId: theVpc.id, privateSubnetIds: ids("Private"), publicSubnetIds: ids("Public"), isolatedSubnetIds: ids("Isolated"), routeTableAssociations };
    return component.publish(state);
}

type Construct = (name: string, inputs: Inputs, options: pulumi.ComponentResourceOptions) => provider.ConstructResult | Promise<provider.ConstructResult>;

function componentProvider(pkg: string, components: Record<string, Construct>): provider.Provider {
    return {
        version: packageVersion(pkg),
        async construct(name, type, inputs, options) {
            const construct = components[type];
            if (!construct) throw new Error(`the fake cloud has no component ${type}`);
            return construct(name, inputs, options);
        },
    };
}

export const fakeEksProvider = () => componentProvider("@pulumi/eks", { "eks:index:Cluster": eksCluster, "eks:index:ManagedNodeGroup": managedNodeGroup });
export const fakeAwsxProvider = () => componentProvider("@pulumi/awsx", { "awsx:ec2:Vpc": vpc });
