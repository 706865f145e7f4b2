/**
 * The outputs each stack exports: the contract between stacks (StackReferences) and with the driver.
 */
import * as pulumi from "@pulumi/pulumi";
import { Color } from "../components/naming";
import { Weights } from "../components/weights";
import { GateConfig } from "./config/schema";
import { UpgradeRecord } from "./upgradeRecord";

export interface OpsOutputs {
    /** The Ops region and the env's account (regions check theirs against it). */
    region: string;
    accountId: string;
    /** The Ops VPC, which every region VPC peers with. */
    vpcId: string;
    vpcCidr: string;
    /** Route tables of the Ops VPC's private subnets: the region stacks add their routes there. */
    privateRouteTableIds: string[];
    /** CodeBuild projects of the env's GitHub Actions runners, per kind; null without runners. */
    ciRunnerProjects: { deploy: string; preview: string } | null;
    clusterName: string;
    /**
     * The Ops cluster's API server and CA: each cluster stack builds its own kubeconfig from them with its
     * run's role (components/kubeconfig.ts), so no kubeconfig with the Ops deploy's role is handed on.
     */
    clusterEndpoint: string;
    /** Base64 PEM of the Ops cluster's CA. */
    clusterCertificateAuthority: string;
    kubernetesVersion: string;
    coreAddonsVersion: string;
    nodeGroupVersion: string;
    /** Role Argo CD assumes in service clusters. */
    argocdRoleArn: string;
    argocdUrl: string;
}

export interface TargetGroupOutput {
    arn: string;
    /** `targetgroup/<name>/<id>`, the CloudWatch dimension. */
    arnSuffix: string;
}

export interface RegionServiceOutput {
    name: string;
    host: string;
    namespace: string;
    serviceName: string;
    /** The port the pods listen on. */
    port: number;
    /** The Kubernetes Service's port. */
    servicePort: number;
}

export interface RegionOutputs {
    region: string;
    accountId: string;
    vpcId: string;
    vpcCidr: string;
    /** Route tables of the private subnets (where the route to the Ops VPC is). */
    privateRouteTableIds: string[];
    /** The VPC peering with the Ops VPC. */
    opsPeeringConnectionId: string;
    privateSubnetIds: string[];
    publicSubnetIds: string[];
    /** CIDRs of the private subnets, for IP capacity checks. */
    privateSubnetCidrs: string[];
    loadBalancer: { arn: string; arnSuffix: string; dnsName: string; securityGroupId: string; httpsListenerArn: string };
    services: RegionServiceOutput[];
    /** Per service, per color. */
    targetGroups: Record<string, Record<Color, TargetGroupOutput>>;
    /** Per service, the listener rule that carries the weights. */
    ruleArns: Record<string, string>;
    weights: Weights;
    /** The color owning the cron jobs. */
    cronColor: Color;
    gate: GateConfig;
    upgrade: UpgradeRecord | null;
}

export interface ClusterOutputs {
    clusterName: string;
    color: Color;
    kubernetesVersion: string;
    cron: boolean;
    argocdRegistered: boolean;
    endpoint: string;
    /** The control plane's security group, which admits the Ops VPC on 443. */
    clusterSecurityGroupId: string;
    /** For IP capacity planning: what the node groups may grow to. */
    nodeGroups: { name: string; maxSize: number; maxPodsPerNode: number }[];
    /** The catalog add-ons it installs (opt-in ones only when chosen); absent on clusters deployed before. */
    addons?: string[];
}

/** What a program returns for outputs of type T: any level may still be an Input. */
export type ProgramOutputs<T> = { [K in keyof T]: DeepInput<T[K]> };
type DeepInput<T> = pulumi.Input<T> | (T extends object ? { [K in keyof T]: DeepInput<T[K]> } : never);
