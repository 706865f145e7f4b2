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
import { CONTROL_PLANE, KubeconfigOptions, SECURITY_GROUP, SECURITY_GROUP_RULE, eksChildNames, eksClusterOutputs, eksControlPlaneArgs } from "../resources";
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

/** The security-group rules pulumi-eks 4.3.0 creates with its two groups (cluster.ts createCore, nodes/securitygroup.ts). */
function securityGroupRules(name: string, clusterGroup: pulumi.Output<string>, nodeGroup: pulumi.Output<string>) {
    const everywhere = { fromPort: 0, toPort: 0, protocol: "-1", cidrBlocks: ["0.0.0.0/0"] };
    return {
        [`${name}-eksClusterInternetEgressRule`]: { description: "Allow internet access.", type: "egress", ...everywhere, securityGroupId: clusterGroup },
        [`${name}-eksNodeIngressRule`]: { description: "Allow nodes to communicate with each other", type: "ingress", fromPort: 0, toPort: 0, protocol: "-1", securityGroupId: nodeGroup, self: true },
        [`${name}-eksNodeClusterIngressRule`]: {
            description: "Allow worker Kubelets and pods to receive communication from the cluster control plane",
            type: "ingress", fromPort: 1025, toPort: 65535, protocol: "tcp", securityGroupId: nodeGroup, sourceSecurityGroupId: clusterGroup,
        },
        [`${name}-eksExtApiServerClusterIngressRule`]: {
            description: "Allow pods running extension API servers on port 443 to receive communication from cluster control plane",
            type: "ingress", fromPort: 443, toPort: 443, protocol: "tcp", securityGroupId: nodeGroup, sourceSecurityGroupId: clusterGroup,
        },
        [`${name}-eksNodeInternetEgressRule`]: { description: "Allow internet access.", type: "egress", ...everywhere, securityGroupId: nodeGroup },
        [`${name}-eksClusterIngressRule`]: {
            description: "Allow pods to communicate with the cluster API Server", type: "ingress", fromPort: 443, toPort: 443, protocol: "tcp", securityGroupId: clusterGroup, sourceSecurityGroupId: nodeGroup,
        },
    };
}

/** The component's inputs its control plane is made from (eksControlPlaneArgs). */
const COMPONENT_INPUTS_OF_PLANE = [
    "name", "version", "vpcId", "privateSubnetIds", "endpointPrivateAccess", "endpointPublicAccess", "publicAccessCidrs", "encryptionConfigKeyArn",
    "enabledClusterLogTypes", "authenticationMode", "upgradePolicy", "tags",
] as const;

/** The control plane's inputs the fake reads back as its outputs (its own, plus what AWS computes). */
const CONTROL_PLANE_INPUTS = ["name", "version", "vpcConfig", "encryptionConfig", "enabledClusterLogTypes", "accessConfig", "upgradePolicy", "tags"] as const;

/**
 * `eks:index:Cluster`: pulumi-eks's two security groups and their rules, the control plane (through the
 * engine, so the program's transforms apply to it), its OIDC provider, the core add-ons and the access entries.
 */
async function eksCluster(name: string, inputs: Inputs, options: pulumi.ComponentResourceOptions): Promise<provider.ConstructResult> {
    const component = new RemoteComponent("eks:index:Cluster", name, options);
    const opts = { parent: component };
    const names = eksChildNames(name);
    const tags = (groupName: string) => pulumi.output(inputs.tags as pulumi.Input<Record<string, string> | undefined>).apply((t) => ({ Name: groupName, ...t }));
    const clusterGroup = child(SECURITY_GROUP, names.clusterSecurityGroup, { vpcId: inputs.vpcId, revokeRulesOnDelete: true, tags: tags(names.clusterSecurityGroup) }, ["arn"], opts);
    const nodeGroup = child(SECURITY_GROUP, names.nodeSecurityGroup, { vpcId: inputs.vpcId, revokeRulesOnDelete: true, tags: tags(names.nodeSecurityGroup) }, ["arn"], opts);
    for (const [ruleName, rule] of Object.entries(securityGroupRules(name, clusterGroup.id, nodeGroup.id))) child(SECURITY_GROUP_RULE, ruleName, rule, [], opts);

    const planeInputs = pulumi.output(Object.fromEntries(COMPONENT_INPUTS_OF_PLANE.map((key) => [key, inputs[key]])));
    const planeArgs = pulumi.all([planeInputs, clusterGroup.id]).apply(([plain, groupId]) => eksControlPlaneArgs(name, plain as Record<string, unknown>, groupId));
    const plane = child(
        CONTROL_PLANE,
        names.controlPlane,
        Object.fromEntries(CONTROL_PLANE_INPUTS.map((key) => [key, planeArgs.apply((args) => args[key])])),
        ["arn", "endpoint", "certificateAuthority", "identities"],
        // As pulumi-eks: the flag has two defaults upstream and EKS replaces a cluster for it.
        { ...opts, ignoreChanges: ["accessConfig.bootstrapClusterCreatorAdminPermissions", "bootstrapSelfManagedAddons"] },
    );
    const planeOutputs = pulumi.all([plane.name, plane.arn, plane.endpoint, plane.certificateAuthority, plane.identities, plane.vpcConfig]).apply(
        ([n, arn, endpoint, certificateAuthority, identities, vpcConfig]): ControlPlane => ({ name: n, arn, endpoint, certificateAuthority, identities, vpcConfig }),
    );
    const outputs = pulumi.all([planeOutputs, clusterGroup.id, nodeGroup.id, pulumi.output(inputs.providerCredentialOpts as pulumi.Input<KubeconfigOptions | undefined>)]).apply(([p, cluster, node, credentials]) => {
        const [, , , region, account] = p.arn.split(":");
        return eksClusterOutputs(account, region, p, { cluster, node }, credentials);
    });
    const oidc = (await known(inputs.createOidcProvider))
        ? child("aws:iam/openIdConnectProvider:OpenIdConnectProvider", `${name}-oidcProvider`, { url: outputs.oidcProviderUrl, clientIdLists: ["sts.amazonaws.com"] }, ["arn"], opts).arn
        : outputs.oidcProviderArn;
    for (const [addonName, key, versionKey] of ADDONS) {
        const addon = (await known(inputs[key])) as Record<string, unknown> | undefined;
        if (addon) child("aws:eks/addon:Addon", `${name}-${addonName}`, { clusterName: plane.name, addonName, addonVersion: addon[versionKey] }, ["arn"], opts);
    }
    type Entry = { principalArn: string; kubernetesGroups?: string[]; accessPolicies?: Record<string, { policyArn: string; accessScope: unknown }> };
    for (const [key, entry] of Object.entries(((await known(inputs.accessEntries)) ?? {}) as Record<string, Entry>)) {
        const entryInputs = { clusterName: plane.name, principalArn: entry.principalArn, kubernetesGroups: entry.kubernetesGroups, type: "STANDARD" };
        const accessEntry = child("aws:eks/accessEntry:AccessEntry", `${name}-${key}`, entryInputs, ["arn"], { ...opts, dependsOn: [plane] });
        for (const [policyKey, policy] of Object.entries(entry.accessPolicies ?? {})) {
            const association = { clusterName: plane.name, principalArn: entry.principalArn, policyArn: policy.policyArn, accessScope: policy.accessScope };
            child("aws:eks/accessPolicyAssociation:AccessPolicyAssociation", `${name}-${key}-${policyKey}`, association, [], { parent: accessEntry, dependsOn: [accessEntry] });
        }
    }
    const state = {
        eksCluster: plane,
        kubeconfig: outputs.kubeconfig,
        kubeconfigJson: outputs.kubeconfigJson,
        oidcProviderArn: oidc,
        oidcProviderUrl: outputs.oidcProviderUrl,
        oidcIssuer: outputs.oidcIssuer,
        clusterSecurityGroupId: clusterGroup.id,
        nodeSecurityGroupId: nodeGroup.id,
    };
    return component.publish(state);
}

const controlPlaneName = (component: string) => eksChildNames(component).controlPlane;

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
