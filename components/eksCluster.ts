/**
 * The EKS cluster base shared by the Ops cluster and the service clusters: a hardened control plane, managed
 * node groups on a locked-down launch template, pinned core add-ons and a Kubernetes provider for it.
 */
import * as aws from "@pulumi/aws";
import * as eks from "@pulumi/eks";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { coreAddonVersions, compareMinor, isMinorVersion } from "./kubernetesVersions";
import { serviceTrustPolicy } from "./iamPolicies";
import { LOG_RETENTION_DAYS, isWholeInternet, publicAccessProblems, throwIfProblems } from "./validation";

export const CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"] as const;

/** EKS access policies (EKS user guide, "Review access policy permissions"): admin is cluster-admin, view is Kubernetes' `view` (no Secrets, no writes). */
export const ACCESS_POLICIES = {
    admin: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
    view: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy",
} as const;
export type AccessPolicy = keyof typeof ACCESS_POLICIES;

export const SUPPORT_TYPES = ["STANDARD", "EXTENDED"] as const;
export type SupportType = (typeof SUPPORT_TYPES)[number];

const CONTROL_PLANE = "aws:eks/cluster:Cluster";

/**
 * Sets `accessConfig.bootstrapClusterCreatorAdminPermissions: false` on the control plane pulumi-eks creates.
 * pulumi-eks 4.3.0 hard-codes it to true whenever authenticationMode is set and has no input for it
 * (nodejs/eks/cluster/cluster.ts, createCore; pulumi/pulumi-eks#2373), and `transforms` reach the children of
 * packaged components (Pulumi docs, "Resource option: transforms"). False, because the creator's implicit
 * admin entry lives outside Pulumi state, cannot be reviewed, makes whichever identity created the cluster
 * its admin for life, and collides with an explicit entry for the same principal (EKS answers
 * ResourceInUseException: the deploy role, which creates the clusters, has one). pulumi-eks ignores changes
 * to the field, and EKS would replace the cluster for one (CloudFormation AWS::EKS::Cluster AccessConfig:
 * "Update requires: Replacement"), so clusters created before keep their bootstrap entry: see
 * docs/identity-kubernetes.md.
 */
export function withoutCreatorAdmin(args: pulumi.ResourceTransformArgs): pulumi.ResourceTransformResult | undefined {
    if (args.type !== CONTROL_PLANE) return undefined;
    const accessConfig = (args.props.accessConfig ?? {}) as Record<string, unknown>;
    return { props: { ...args.props, accessConfig: { ...accessConfig, bootstrapClusterCreatorAdminPermissions: false } }, opts: args.opts };
}
const NODE_POLICIES = [
    "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
    "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
    "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
    // Shell access goes through SSM Session Manager, never SSH.
    "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
];

export interface NodeGroupSpec {
    /** Suffix of the node group name. */
    name: string;
    /** SPOT or ON_DEMAND. */
    capacityType: "SPOT" | "ON_DEMAND";
    /** One or more instance types; several similar ones widen the spot pool. */
    instanceTypes: string[];
    minSize: number;
    maxSize: number;
    /** Initial size; the cluster autoscaler owns it afterwards. */
    desiredSize: number;
    /** Root volume size in GiB. */
    diskSizeGiB: number;
    /** Kubernetes labels on the nodes. */
    labels: Record<string, string>;
}

export interface ClusterAccess {
    /** Name of the access entry resource. */
    name: string;
    /** IAM role that gets access. */
    principalArn: pulumi.Input<string>;
    /** The EKS access policy associated cluster-wide; none when the entry only carries kubernetesGroups. */
    policy?: AccessPolicy;
    /** Kubernetes groups the role is mapped to, for RBAC bindings the stacks write (e.g. the rollback's cron switch). Default none. */
    kubernetesGroups?: string[];
}

/** Who may reach the private API endpoint (443) from outside the cluster, e.g. Argo CD and CI runners. */
export interface ApiClient {
    /** Shown on the security-group rule. */
    description: string;
    /** An IPv4 CIDR (another VPC), or */
    cidr?: string;
    /** a security group in the cluster's own VPC. */
    securityGroupId?: pulumi.Input<string>;
}

export interface EksClusterArgs {
    /** AWS provider of the cluster's account and region (explicit: no default provider is used). */
    provider: aws.Provider;
    /** EKS cluster name. */
    clusterName: string;
    /** VPC the cluster runs in. */
    vpcId: pulumi.Input<string>;
    /** Private subnets for the control-plane ENIs and the nodes. */
    privateSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** Control-plane Kubernetes minor, e.g. "1.34". */
    kubernetesVersion: string;
    /** Node group Kubernetes minor. Default: kubernetesVersion. Set apart only during an in-place upgrade. */
    nodeGroupVersion?: string;
    /** Kubernetes minor whose core add-on versions (vpc-cni, coredns, kube-proxy) are installed. Default: kubernetesVersion. */
    coreAddonsVersion?: string;
    /** Managed node groups; at least one. */
    nodeGroups: NodeGroupSpec[];
    /** CIDRs allowed to reach the public API endpoint. Default none: the public endpoint is off. */
    publicAccessCidrs?: string[];
    /**
     * The role the cluster's kubeconfig presents a token for (pulumi-eks `providerCredentialOpts.roleArn`, the
     * only way pulumi-eks adds `--role` to it): the run's role, so the Kubernetes provider never uses the
     * ambient credentials.
     */
    kubernetesRoleArn: string;
    /** Access entries; every caller of the cluster needs one (bootstrapClusterCreatorAdminPermissions is off). Default none. */
    access?: ClusterAccess[];
    /** `upgradePolicy.supportType`: what EKS does when the minor leaves standard support (stacks/config/schema.ts explains the default). */
    supportType: SupportType;
    /** Retention of the control-plane log group `/aws/eks/<name>/cluster`, created before the cluster and deleted with it. */
    controlPlaneLogRetentionDays: number;
    /** Clients admitted to the API endpoint on 443 besides the nodes. Default none. */
    apiClients?: ApiClient[];
    /** Tags on the cluster. Default none (the provider's default tags still apply). */
    tags?: Record<string, string>;
}

interface ResolvedArgs extends Required<Omit<EksClusterArgs, "tags">> {
    tags: Record<string, string>;
}

function resolve(args: EksClusterArgs): ResolvedArgs {
    return {
        ...args,
        nodeGroupVersion: args.nodeGroupVersion ?? args.kubernetesVersion,
        coreAddonsVersion: args.coreAddonsVersion ?? args.kubernetesVersion,
        publicAccessCidrs: args.publicAccessCidrs ?? [],
        access: args.access ?? [],
        apiClients: args.apiClients ?? [],
        tags: args.tags ?? {},
    };
}

/** Problems with the arguments; empty when valid. */
export function eksClusterProblems(args: EksClusterArgs): string[] {
    const a = resolve(args);
    const problems: string[] = [];
    for (const [key, version] of [["kubernetesVersion", a.kubernetesVersion], ["nodeGroupVersion", a.nodeGroupVersion], ["coreAddonsVersion", a.coreAddonsVersion]] as const) {
        if (!isMinorVersion(version)) problems.push(`${key} "${version}" is not a Kubernetes minor like 1.34`);
    }
    if (problems.length === 0) {
        if (compareMinor(a.nodeGroupVersion, a.kubernetesVersion) > 0) problems.push(`nodeGroupVersion ${a.nodeGroupVersion} is ahead of the control plane ${a.kubernetesVersion}`);
        if (compareMinor(a.coreAddonsVersion, a.kubernetesVersion) > 0) problems.push(`coreAddonsVersion ${a.coreAddonsVersion} is ahead of the control plane ${a.kubernetesVersion}`);
        if (!coreAddonVersions(a.coreAddonsVersion)) problems.push(`no core add-on versions are known for Kubernetes ${a.coreAddonsVersion} (components/kubernetesVersions.ts)`);
    }
    if (a.nodeGroups.length === 0) problems.push("at least one node group is needed");
    for (const group of a.nodeGroups) {
        if (group.instanceTypes.length === 0) problems.push(`node group ${group.name} has no instance types`);
        if (!(group.minSize <= group.desiredSize && group.desiredSize <= group.maxSize)) {
            problems.push(`node group ${group.name} needs minSize <= desiredSize <= maxSize`);
        }
    }
    problems.push(...publicAccessProblems(a.publicAccessCidrs));
    const entryNames = a.access.map((entry) => entry.name);
    if (new Set(entryNames).size !== entryNames.length) problems.push(`access entry names repeat: ${entryNames.join(", ")}`);
    for (const entry of a.access) {
        if (!entry.policy && (entry.kubernetesGroups ?? []).length === 0) problems.push(`access entry ${entry.name} grants nothing: give it a policy or kubernetesGroups`);
    }
    if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/.test(a.kubernetesRoleArn)) problems.push(`kubernetesRoleArn "${a.kubernetesRoleArn}" is not an IAM role ARN`);
    if (!(SUPPORT_TYPES as readonly string[]).includes(a.supportType)) problems.push(`supportType "${a.supportType}" must be one of ${SUPPORT_TYPES.join(", ")}`);
    if (!LOG_RETENTION_DAYS.includes(a.controlPlaneLogRetentionDays)) problems.push(`controlPlaneLogRetentionDays ${a.controlPlaneLogRetentionDays} is not a CloudWatch retention period`);
    for (const client of a.apiClients) {
        if ((client.cidr === undefined) === (client.securityGroupId === undefined)) problems.push(`API client "${client.description}" needs exactly one of cidr and securityGroupId`);
        if (client.cidr !== undefined && isWholeInternet(client.cidr)) problems.push(`API client "${client.description}" must not be the whole internet (${client.cidr})`);
    }
    if (a.clusterName.length > 100 || !/^[a-zA-Z0-9][a-zA-Z0-9_-]*$/.test(a.clusterName)) problems.push(`clusterName "${a.clusterName}" is not a valid EKS name`);
    return problems;
}

export class EksCluster extends pulumi.ComponentResource {
    readonly clusterName: pulumi.Output<string>;
    readonly endpoint: pulumi.Output<string>;
    readonly certificateAuthority: pulumi.Output<string>;
    readonly kubeconfig: pulumi.Output<string>;
    readonly oidcProviderArn: pulumi.Output<string>;
    readonly oidcProviderUrl: pulumi.Output<string>;
    /** The control plane's security group (the one the API clients' rules are on). */
    readonly clusterSecurityGroupId: pulumi.Output<string>;
    /** Kubernetes provider for resources inside this cluster, presenting a token for `kubernetesRoleArn`. */
    readonly kubernetesProvider: k8s.Provider;
    readonly kmsKeyArn: pulumi.Output<string>;
    /**
     * What a workload waits for: CoreDNS, itself created after every node group. A Helm release whose chart
     * runs a Deployment (pods to schedule, names to resolve) must depend on it, or its `atomic` wait times out.
     */
    readonly readyForWorkloads: pulumi.Resource;

    constructor(name: string, args: EksClusterArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("mitene:eks:EksCluster", name, {}, opts);
        throwIfProblems(`EksCluster ${name}`, eksClusterProblems(args));
        const a = resolve(args);
        const aws_ = { parent: this, provider: a.provider };
        const addons = coreAddonVersions(a.coreAddonsVersion)!;

        const key = new aws.kms.Key(`${name}-secrets`, {
            description: `EKS secrets envelope encryption for ${a.clusterName}`,
            enableKeyRotation: true,
            deletionWindowInDays: 30,
        }, aws_);
        new aws.kms.Alias(`${name}-secrets`, { name: `alias/eks/${a.clusterName}`, targetKeyId: key.keyId }, aws_);

        const nodeRole = new aws.iam.Role(`${name}-node`, {
            assumeRolePolicy: JSON.stringify(serviceTrustPolicy("ec2.amazonaws.com")),
            description: `Nodes of ${a.clusterName}`,
        }, aws_);
        NODE_POLICIES.forEach((policyArn) => {
            const policyName = policyArn.split("/").pop()!;
            new aws.iam.RolePolicyAttachment(`${name}-node-${policyName}`, { role: nodeRole.name, policyArn }, aws_);
        });

        // Before the cluster, so EKS writes into a group with a retention instead of creating one that never
        // expires; deleted with the cluster (Pulumi deletes the cluster first, it depends on the group).
        const controlPlaneLogs = new aws.cloudwatch.LogGroup(`${name}-control-plane`, {
            name: `/aws/eks/${a.clusterName}/cluster`,
            retentionInDays: a.controlPlaneLogRetentionDays,
        }, aws_);

        const cluster = new eks.Cluster(`${name}-eks`, {
            name: a.clusterName,
            version: a.kubernetesVersion,
            vpcId: a.vpcId,
            privateSubnetIds: a.privateSubnetIds,
            skipDefaultNodeGroup: true,
            authenticationMode: eks.AuthenticationMode.Api,
            endpointPrivateAccess: true,
            endpointPublicAccess: a.publicAccessCidrs.length > 0,
            publicAccessCidrs: a.publicAccessCidrs.length > 0 ? a.publicAccessCidrs : undefined,
            encryptionConfigKeyArn: key.arn,
            enabledClusterLogTypes: [...CONTROL_PLANE_LOG_TYPES],
            createOidcProvider: true,
            instanceRoles: [nodeRole],
            // vpc-cni and kube-proxy are DaemonSets: ready with no node at all, so the component installs them
            // pinned before the node groups. CoreDNS is a Deployment that stays DEGRADED until nodes exist, so
            // the component must not create it (pulumi-eks #1819: `corednsAddonOptions: {version}` alone makes
            // the SDK send enabled: true); it is added below, after the node groups.
            vpcCniOptions: { addonVersion: addons.vpcCni },
            corednsAddonOptions: { enabled: false },
            kubeProxyAddonOptions: { version: addons.kubeProxy },
            accessEntries: Object.fromEntries(
                a.access.map((entry) => [
                    entry.name,
                    {
                        principalArn: entry.principalArn,
                        kubernetesGroups: entry.kubernetesGroups,
                        accessPolicies: entry.policy ? { [entry.policy]: { policyArn: ACCESS_POLICIES[entry.policy], accessScope: { type: "cluster" } } } : {},
                    },
                ]),
            ),
            providerCredentialOpts: { roleArn: a.kubernetesRoleArn },
            upgradePolicy: { supportType: a.supportType },
            tags: a.tags,
        }, {
            parent: this,
            providers: { aws: a.provider },
            dependsOn: [controlPlaneLogs],
            // The control plane, pulumi-eks's child, is given the log group as a dependency itself, not only
            // through the component.
            transforms: [withoutCreatorAdmin, (args) => (args.type === CONTROL_PLANE ? { props: args.props, opts: pulumi.mergeOptions(args.opts, { dependsOn: [controlPlaneLogs] }) } : undefined)],
        });

        const nodeGroups = a.nodeGroups.map((group) => {
            const launchTemplate = new aws.ec2.LaunchTemplate(`${name}-${group.name}`, {
                description: `Nodes of ${a.clusterName}/${group.name}`,
                updateDefaultVersion: true,
                // IMDSv2 only, and hop limit 1 so pods cannot borrow the node role's credentials.
                metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
                blockDeviceMappings: [
                    { deviceName: "/dev/xvda", ebs: { volumeSize: group.diskSizeGiB, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" } },
                ],
                tagSpecifications: [{ resourceType: "instance", tags: { Name: `${a.clusterName}-${group.name}`, ...a.tags } }],
            }, aws_);
            return new eks.ManagedNodeGroup(`${name}-${group.name}`, {
                cluster,
                nodeGroupName: `${a.clusterName}-${group.name}`,
                // Explicit, so the control plane can move ahead of the nodes during an in-place upgrade.
                version: a.nodeGroupVersion,
                capacityType: group.capacityType,
                instanceTypes: group.instanceTypes,
                scalingConfig: { minSize: group.minSize, maxSize: group.maxSize, desiredSize: group.desiredSize },
                // The cluster autoscaler owns the desired size once the group exists.
                ignoreScalingChanges: true,
                labels: { ...group.labels, "mitene.io/node-group": group.name },
                nodeRole,
                subnetIds: a.privateSubnetIds,
                amiType: "AL2023_x86_64_STANDARD",
                launchTemplate: { id: launchTemplate.id, version: pulumi.interpolate`${launchTemplate.latestVersion}` },
                tags: { [`k8s.io/cluster-autoscaler/${a.clusterName}`]: "owned", "k8s.io/cluster-autoscaler/enabled": "true", ...a.tags },
            }, { parent: this, providers: { aws: a.provider } });
        });

        // Pinned like the other core add-ons, so the in-place upgrade moves it with coreAddonsVersion. OVERWRITE
        // takes over the self-managed CoreDNS that EKS bootstraps, and keeps the add-on as Pulumi says.
        const coredns = new aws.eks.Addon(`${name}-coredns`, {
            clusterName: cluster.eksCluster.name,
            addonName: "coredns",
            addonVersion: addons.coredns,
            resolveConflictsOnCreate: "OVERWRITE",
            resolveConflictsOnUpdate: "OVERWRITE",
        }, { ...aws_, dependsOn: nodeGroups });

        // pulumi-eks's own cluster security group (its clusterSecurityGroupId, on the control-plane ENIs) is
        // filled with aws.ec2.SecurityGroupRule (nodejs/eks/cluster/cluster.ts, nodes/securitygroup.ts); the
        // SDK docs of both rule kinds warn against mixing them on one group, so these are the same kind.
        a.apiClients.forEach((client, index) => {
            new aws.ec2.SecurityGroupRule(`${name}-api-${index}`, {
                type: "ingress",
                securityGroupId: cluster.clusterSecurityGroupId,
                description: `Kubernetes API from ${client.description}`,
                protocol: "tcp",
                fromPort: 443,
                toPort: 443,
                cidrBlocks: client.cidr === undefined ? undefined : [client.cidr],
                sourceSecurityGroupId: client.securityGroupId,
            }, aws_);
        });

        this.clusterName = cluster.eksCluster.name;
        this.endpoint = cluster.eksCluster.endpoint;
        this.certificateAuthority = cluster.eksCluster.certificateAuthority.data;
        // No credential in it (an exec of `aws eks get-token`): left readable, so renders show the role it names.
        this.kubeconfig = cluster.kubeconfigJson;
        this.oidcProviderArn = cluster.oidcProviderArn;
        this.oidcProviderUrl = cluster.oidcProviderUrl;
        this.clusterSecurityGroupId = cluster.clusterSecurityGroupId;
        this.kmsKeyArn = key.arn;
        this.readyForWorkloads = coredns;
        this.kubernetesProvider = new k8s.Provider(`${name}-k8s`, {
            kubeconfig: this.kubeconfig,
            enableServerSideApply: true,
        }, { parent: this });

        this.registerOutputs({
            clusterName: this.clusterName,
            endpoint: this.endpoint,
            oidcProviderArn: this.oidcProviderArn,
            kmsKeyArn: this.kmsKeyArn,
            clusterSecurityGroupId: this.clusterSecurityGroupId,
        });
    }
}
