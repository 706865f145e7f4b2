/**
 * The long-lived Ops (manager) cluster: the EKS base, Argo CD with SSO behind an internal ALB on an internal
 * domain, the app-of-apps, the role Argo CD uses to reach service clusters, and optionally Grafana.
 */
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ADDON_CATALOG, OPS_CHARTS } from "./addonCatalog";
import { callerScope, chartSource, installAddons } from "./addonRelease";
import { ARGOCD_CLUSTER_CLIENTS, appOfAppsSpec, argocdValues } from "./argocdValues";
import { ARGOCD_NAMESPACE } from "./argoClusterRegistration";
import { EnvRoleArns, OperatorAccess, envAccessEntries } from "./clusterAccess";
import { ApiClient, EksCluster, NodeGroupSpec, SupportType } from "./eksCluster";
import { HttpsLoadBalancer } from "./httpsLoadBalancer";
import { roleTrustPolicy } from "./iamPolicies";
import { IrsaRole } from "./irsaRole";
import { argocdRoleName } from "./naming";
import { newTargetGroupBinding } from "./targetGroupBinding";
import { UI_PORTS } from "./upstream/charts";
import { throwIfProblems } from "./validation";

/** Add-ons the Ops cluster needs from the service-cluster catalog. */
export const OPS_ADDONS = ["aws-load-balancer-controller", "metrics-server"] as const;

export interface OpsClusterArgs {
    /** AWS provider of the Ops region. */
    provider: aws.Provider;
    env: string;
    region: string;
    clusterName: string;
    vpcId: pulumi.Input<string>;
    vpcCidr: string;
    privateSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** Control plane, core add-ons and node groups may differ during an in-place upgrade. */
    kubernetesVersion: string;
    coreAddonsVersion: string;
    nodeGroupVersion: string;
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
    /** Public API allow-list. Default none. */
    publicAccessCidrs?: string[];
    /** Clients admitted to the private API besides the nodes, e.g. the CI runners. Default none. */
    apiClients?: ApiClient[];
    /** Bucket for the internal ALB's access logs. */
    accessLogsBucket: string;
    argocd: {
        hostname: string;
        certificateArn: string;
        privateHostedZoneId: string;
        gitopsRepoUrl: string;
        gitopsPath: string;
        gitopsRevision: string;
        sso: { issuer: string; clientId: string; adminGroups: string[] };
        /** SSO client secret (a Pulumi secret). */
        clientSecret: pulumi.Input<string>;
    };
    /** Grafana behind the same internal ALB. Default off. */
    grafana?: { enabled: boolean; hostname?: string };
}

/** Helm values of Grafana behind the internal ALB. */
export const grafanaValues = (hostname: string) => ({
    "grafana.ini": { server: { root_url: `https://${hostname}` } },
    service: { type: "ClusterIP", port: UI_PORTS.grafana.servicePort },
});

export function opsClusterProblems(args: OpsClusterArgs): string[] {
    const problems: string[] = [];
    if (args.grafana?.enabled && !args.grafana.hostname) problems.push("grafana.hostname is required when Grafana is enabled");
    if (args.grafana?.enabled && args.grafana.hostname === args.argocd.hostname) problems.push("Grafana and Argo CD need different host names");
    return problems;
}

export class OpsCluster extends pulumi.ComponentResource {
    readonly cluster: EksCluster;
    /** The role Argo CD assumes in service clusters (they give it an access entry). */
    readonly argocdRoleArn: pulumi.Output<string>;
    readonly argocdUrl: pulumi.Output<string>;

    constructor(name: string, args: OpsClusterArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("mitene:ops:OpsCluster", name, {}, opts);
        throwIfProblems(`OpsCluster ${name}`, opsClusterProblems(args));
        const child = { parent: this, provider: args.provider };

        this.cluster = new EksCluster(`${name}-cluster`, {
            provider: args.provider,
            clusterName: args.clusterName,
            vpcId: args.vpcId,
            privateSubnetIds: args.privateSubnetIds,
            kubernetesVersion: args.kubernetesVersion,
            coreAddonsVersion: args.coreAddonsVersion,
            nodeGroupVersion: args.nodeGroupVersion,
            nodeGroups: args.nodeGroups,
            publicAccessCidrs: args.publicAccessCidrs,
            apiClients: args.apiClients,
            kubernetesRoleArn: args.kubernetesRoleArn,
            access: envAccessEntries(args.roles, args.operators ?? [], true),
            supportType: args.supportType,
            controlPlaneLogRetentionDays: args.controlPlaneLogRetentionDays,
            tags: { "mitene.io/env": args.env, "mitene.io/role": "ops" },
        }, { parent: this });
        const k8sProvider = this.cluster.kubernetesProvider;

        const scope = callerScope(args.provider, this);
        const opsAddons = ADDON_CATALOG.filter((spec) => (OPS_ADDONS as readonly string[]).includes(spec.name));
        const addons = Object.values(installAddons(name, opsAddons, this.cluster, args.provider, {
            region: args.region,
            clusterName: args.clusterName,
            vpcId: args.vpcId,
            kubernetesVersion: args.kubernetesVersion,
            // Neither add-on on the Ops cluster reads metrics, logs or parameters.
            ampWorkspaceId: "",
            logGroupName: "",
            parameterPath: "/",
            targetGroupPattern: `${args.clusterName}-*`,
        }, this));

        const deployerRoleName = argocdRoleName(args.env);
        // Argo CD's pods get IRSA roles; those may only assume the deployer role that clusters trust.
        const clientRoles = Object.entries(ARGOCD_CLUSTER_CLIENTS).map(([key, serviceAccount]) => new IrsaRole(`${name}-argocd-${key}`, {
            provider: args.provider,
            oidcProviderArn: this.cluster.oidcProviderArn,
            oidcProviderUrl: this.cluster.oidcProviderUrl,
            namespace: ARGOCD_NAMESPACE,
            serviceAccount,
            policy: scope.apply(({ accountId, partition: partitionName }) => ({
                Version: "2012-10-17" as const,
                Statement: [{ Effect: "Allow" as const, Action: ["sts:AssumeRole"], Resource: `arn:${partitionName}:iam::${accountId}:role/${deployerRoleName}` }],
            })),
        }, { parent: this }));
        const deployer = new aws.iam.Role(`${name}-argocd-deployer`, {
            name: deployerRoleName,
            description: "Assumed by Argo CD to deploy onto service clusters (access entry there)",
            assumeRolePolicy: pulumi.all(clientRoles.map((r) => r.arn)).apply((arns) => JSON.stringify(roleTrustPolicy(arns))),
        }, child);
        this.argocdRoleArn = deployer.arn;

        const argocd = new k8s.helm.v3.Release(`${name}-argocd`, {
            name: "argocd",
            ...chartSource(OPS_CHARTS.argocd),
            version: OPS_CHARTS.argocd.version,
            namespace: ARGOCD_NAMESPACE,
            createNamespace: true,
            atomic: true,
            cleanupOnFail: true,
            timeout: 900,
            values: pulumi
                .all([pulumi.secret(args.argocd.clientSecret), clientRoles[0].arn, clientRoles[1].arn, clientRoles[2].arn])
                .apply(([clientSecret, controllerRoleArn, serverRoleArn, applicationSetRoleArn]) => argocdValues({
                    hostname: args.argocd.hostname,
                    sso: args.argocd.sso,
                    clientSecret,
                    controllerRoleArn,
                    serverRoleArn,
                    applicationSetRoleArn,
                })),
        }, { parent: this, provider: k8sProvider, dependsOn: [this.cluster.readyForWorkloads] });

        new k8s.apiextensions.CustomResource(`${name}-app-of-apps`, {
            apiVersion: "argoproj.io/v1alpha1",
            kind: "Application",
            metadata: { name: "app-of-apps", namespace: ARGOCD_NAMESPACE },
            spec: appOfAppsSpec({ repoUrl: args.argocd.gitopsRepoUrl, path: args.argocd.gitopsPath, revision: args.argocd.gitopsRevision }),
        }, { parent: this, provider: k8sProvider, dependsOn: [argocd] });

        const loadBalancer = new HttpsLoadBalancer(`${name}-lb`, {
            provider: args.provider,
            loadBalancerName: `${args.clusterName}-tools`,
            internal: true,
            vpcId: args.vpcId,
            subnetIds: args.privateSubnetIds,
            ingressCidrs: [args.vpcCidr],
            certificateArn: args.argocd.certificateArn,
            accessLogsBucket: args.accessLogsBucket,
        }, { parent: this });

        type UiPorts = (typeof UI_PORTS)[keyof typeof UI_PORTS];
        const expose = (app: string, hostname: string, ui: UiPorts, namespace: string, priority: number, after: pulumi.Resource[]) => {
            // IP targets: the target group and the binding's rule use the port the pods listen on.
            const targetGroup = new aws.lb.TargetGroup(`${name}-${app}`, {
                name: `${args.clusterName}-${app}`.slice(0, 32),
                targetType: "ip",
                protocol: "HTTP",
                port: ui.containerPort,
                vpcId: args.vpcId,
                healthCheck: { path: ui.healthCheckPath, matcher: "200" },
            }, child);
            new aws.lb.ListenerRule(`${name}-${app}`, {
                listenerArn: loadBalancer.httpsListenerArn,
                priority,
                conditions: [{ hostHeader: { values: [hostname] } }],
                actions: [{ type: "forward", targetGroupArn: targetGroup.arn }],
            }, child);
            newTargetGroupBinding(`${name}-${app}-tgb`, {
                namespace,
                serviceName: ui.service,
                servicePort: ui.servicePort,
                containerPort: ui.containerPort,
                targetGroupArn: targetGroup.arn,
                loadBalancerSecurityGroupId: loadBalancer.securityGroupId,
            }, { parent: this, provider: k8sProvider, dependsOn: after });
            new aws.route53.Record(`${name}-${app}`, {
                zoneId: args.argocd.privateHostedZoneId,
                name: hostname,
                type: "A",
                aliases: [{ name: loadBalancer.dnsName, zoneId: loadBalancer.zoneId, evaluateTargetHealth: true }],
            }, child);
        };
        expose("argocd", args.argocd.hostname, UI_PORTS.argocdServer, ARGOCD_NAMESPACE, 100, [argocd, ...addons]);

        if (args.grafana?.enabled && args.grafana.hostname) {
            const grafana = new k8s.helm.v3.Release(`${name}-grafana`, {
                name: "grafana",
                ...chartSource(OPS_CHARTS.grafana),
                version: OPS_CHARTS.grafana.version,
                namespace: OPS_CHARTS.grafana.namespace,
                createNamespace: true,
                atomic: true,
                values: grafanaValues(args.grafana.hostname),
            }, { parent: this, provider: k8sProvider, dependsOn: [this.cluster.readyForWorkloads] });
            expose("grafana", args.grafana.hostname, UI_PORTS.grafana, OPS_CHARTS.grafana.namespace, 110, [grafana, ...addons]);
        }

        this.argocdUrl = pulumi.output(`https://${args.argocd.hostname}`);
        this.registerOutputs({ argocdRoleArn: this.argocdRoleArn, argocdUrl: this.argocdUrl });
    }
}
