/**
 * One blue or green service cluster: the EKS base in the region's VPC, the platform add-ons, a
 * TargetGroupBinding per service onto this color's target groups, and its registration in Argo CD.
 */
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AddonSpec, selectAddons } from "./addonCatalog";
import { AddonRelease, installAddons } from "./addonRelease";
import { ArgoClusterRegistration } from "./argoClusterRegistration";
import { EnvRoleArns, OperatorAccess, envAccessEntries } from "./clusterAccess";
import { ApiClient, EksCluster, NodeGroupSpec, SupportType } from "./eksCluster";
import { Color, targetGroupName } from "./naming";
import { newTargetGroupBinding } from "./targetGroupBinding";
import { throwIfProblems } from "./validation";

export interface ClusterService {
    /** Service name as in the region stack. */
    name: string;
    /** Namespace of the Kubernetes Service. */
    namespace: string;
    /** Kubernetes Service name. */
    serviceName: string;
    /** Port the pods listen on: the target group sends there, and the binding opens it to the ALB. */
    port: number;
    /** Port of the Kubernetes Service. */
    servicePort: number;
    /** This color's target group. */
    targetGroupArn: pulumi.Input<string>;
}

export interface ServiceClusterArgs {
    /** AWS provider of the region. */
    provider: aws.Provider;
    env: string;
    region: string;
    color: Color;
    /** EKS cluster name. */
    clusterName: string;
    kubernetesVersion: string;
    nodeGroups: NodeGroupSpec[];
    /** The run's role: the cluster's kubeconfig presents a token for it. */
    kubernetesRoleArn: string;
    /** The env's run roles, each given its access entry. */
    roles: EnvRoleArns;
    /** Operators' access entries. Default none. */
    operators?: OperatorAccess[];
    /** upgradePolicy.supportType. */
    supportType: SupportType;
    /** Retention of the control-plane log group. */
    controlPlaneLogRetentionDays: number;
    /** Public API allow-list. Default none (private endpoint only). */
    publicAccessCidrs?: string[];
    /** Who reaches the private API besides the nodes: the Ops VPC (Argo CD, CI runners). Default none. */
    apiClients?: ApiClient[];
    /** Whether the cron jobs run here (Argo CD label). */
    cron: boolean;
    /** Whether the cluster is registered in Argo CD. Default true. */
    argocdRegistered?: boolean;
    /** From the region stack. */
    vpcId: pulumi.Input<string>;
    privateSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
    loadBalancerSecurityGroupId: pulumi.Input<string>;
    services: ClusterService[];
    /** From the Ops stack: where Argo CD runs and the role it uses. */
    opsKubernetesProvider: k8s.Provider;
    argocdRoleArn: pulumi.Input<string>;
    /** Add-on settings. */
    ampWorkspaceId: string;
    parameterPath: string;
    logRetentionDays: number;
    /** The add-ons to install. Default: the catalog without its opt-in add-ons (selectAddons([])). */
    addons?: readonly AddonSpec[];
}

export function serviceClusterProblems(args: ServiceClusterArgs): string[] {
    const problems: string[] = [];
    const names = args.services.map((s) => `${s.namespace}/${s.serviceName}`);
    if (new Set(names).size !== names.length) problems.push(`two services bind the same Kubernetes Service: ${names.join(", ")}`);
    if (!args.parameterPath.startsWith("/")) problems.push(`parameterPath "${args.parameterPath}" must start with /`);
    const addons = args.addons ?? selectAddons([]);
    if (!addons.some((a) => a.name === "aws-load-balancer-controller") && args.services.length > 0) {
        problems.push("TargetGroupBindings need the aws-load-balancer-controller add-on");
    }
    return problems;
}

export class ServiceCluster extends pulumi.ComponentResource {
    readonly cluster: EksCluster;
    readonly addons: Record<string, AddonRelease>;

    constructor(name: string, args: ServiceClusterArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("mitene:cluster:ServiceCluster", name, {}, opts);
        throwIfProblems(`ServiceCluster ${name}`, serviceClusterProblems(args));
        const addonSpecs = args.addons ?? selectAddons([]);
        const child = { parent: this, provider: args.provider };

        this.cluster = new EksCluster(`${name}-cluster`, {
            provider: args.provider,
            clusterName: args.clusterName,
            vpcId: args.vpcId,
            privateSubnetIds: args.privateSubnetIds,
            kubernetesVersion: args.kubernetesVersion,
            nodeGroups: args.nodeGroups,
            publicAccessCidrs: args.publicAccessCidrs,
            apiClients: args.apiClients,
            kubernetesRoleArn: args.kubernetesRoleArn,
            // Argo CD deploys the apps: cluster admin, as the GitOps repository may hold any kind of object.
            access: [...envAccessEntries(args.roles, args.operators ?? [], false), { name: "argocd", principalArn: args.argocdRoleArn, policy: "admin" }],
            supportType: args.supportType,
            controlPlaneLogRetentionDays: args.controlPlaneLogRetentionDays,
            tags: { "mitene.io/env": args.env, "mitene.io/color": args.color },
        }, { parent: this });
        const provider = this.cluster.kubernetesProvider;

        const logGroup = new aws.cloudwatch.LogGroup(`${name}-containers`, {
            name: `/mitene/${args.env}/${args.clusterName}/containers`,
            retentionInDays: args.logRetentionDays,
        }, child);

        this.addons = installAddons(name, addonSpecs, this.cluster, args.provider, {
            region: args.region,
            clusterName: args.clusterName,
            vpcId: args.vpcId,
            kubernetesVersion: args.kubernetesVersion,
            ampWorkspaceId: args.ampWorkspaceId,
            logGroupName: logGroup.name,
            parameterPath: args.parameterPath,
            targetGroupPattern: targetGroupName(args.env, args.region, "*", args.color),
        }, this);

        const namespaces = new Map<string, k8s.core.v1.Namespace>();
        for (const service of args.services) {
            if (!namespaces.has(service.namespace)) {
                namespaces.set(service.namespace, new k8s.core.v1.Namespace(`${name}-ns-${service.namespace}`, {
                    metadata: { name: service.namespace, labels: { "pod-security.kubernetes.io/enforce": "baseline", "pod-security.kubernetes.io/warn": "restricted" } },
                }, { parent: this, provider }));
            }
        }
        const loadBalancerController = this.addons["aws-load-balancer-controller"];
        for (const service of args.services) {
            newTargetGroupBinding(`${name}-tgb-${service.name}`, {
                namespace: service.namespace,
                serviceName: service.serviceName,
                servicePort: service.servicePort,
                containerPort: service.port,
                targetGroupArn: service.targetGroupArn,
                loadBalancerSecurityGroupId: args.loadBalancerSecurityGroupId,
            }, { parent: this, provider, dependsOn: [loadBalancerController, namespaces.get(service.namespace)!] });
        }

        if (args.argocdRegistered ?? true) {
            // Registered last: Argo CD deploys the apps only once the platform add-ons are in place.
            new ArgoClusterRegistration(`${name}-argocd`, {
                opsProvider: args.opsKubernetesProvider,
                clusterName: args.clusterName,
                server: this.cluster.endpoint,
                caData: this.cluster.certificateAuthority,
                roleArn: args.argocdRoleArn,
                labels: { env: args.env, region: args.region, color: args.color, cron: args.cron },
            }, { parent: this, dependsOn: Object.values(this.addons) });
        }

        this.registerOutputs({ clusterName: this.cluster.clusterName, endpoint: this.cluster.endpoint, clusterSecurityGroupId: this.cluster.clusterSecurityGroupId });
    }
}
