/**
 * ArgoHealth and ClusterJobs on the Kubernetes API: Argo CD `Application`s on the Ops cluster, and Jobs in a
 * service cluster. Both clusters are EKS, reached with an exec user running `aws eks get-token`, so the
 * caller's AWS identity is the Kubernetes identity (no long-lived tokens on disk).
 *
 * `@kubernetes/client-node` is loaded only when a real cluster is contacted: it is large, and the sim never
 * needs it. It is pinned to 1.x, the line that runs on Node 20 (2.x needs Node >= 22.19).
 */
import { DescribeClusterCommand, EKSClient } from "@aws-sdk/client-eks";
import type { BatchV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import { opsClusterName, opsStack } from "../../components/naming";
import { AppsHealth, ArgoHealth, ClusterJobs, ClusterRef } from "../core/ports";
import { ClientFor } from "./clients";
import type { PulumiEngine } from "./pulumiEngine";

export type ApplicationsApi = Pick<CustomObjectsApi, "listNamespacedCustomObject">;
export type JobsApi = Pick<BatchV1Api, "listJobForAllNamespaces">;

/** What it takes to reach an EKS cluster's API. */
export interface EksClusterAccess {
    name: string;
    endpoint: string;
    /** Base64 PEM of the cluster CA, as EKS returns it. */
    caData: string;
    region: string;
}

/** A kubeconfig (JSON is valid YAML, so `loadFromString` takes it as is). */
export function eksKubeconfig(cluster: EksClusterAccess): string {
    return JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: cluster.name, cluster: { server: cluster.endpoint, "certificate-authority-data": cluster.caData } }],
        users: [
            {
                name: cluster.name,
                user: {
                    exec: {
                        apiVersion: "client.authentication.k8s.io/v1beta1",
                        command: "aws",
                        args: ["eks", "get-token", "--cluster-name", cluster.name, "--region", cluster.region, "--output", "json"],
                        interactiveMode: "Never",
                    },
                },
            },
        ],
        contexts: [{ name: cluster.name, context: { cluster: cluster.name, user: cluster.name } }],
        "current-context": cluster.name,
    });
}

async function kubeClient(kubeconfig: string) {
    const k8s = await import("@kubernetes/client-node");
    const config = new k8s.KubeConfig();
    config.loadFromString(kubeconfig);
    return { k8s, config };
}

export async function applicationsApi(kubeconfig: string): Promise<ApplicationsApi> {
    const { k8s, config } = await kubeClient(kubeconfig);
    return config.makeApiClient(k8s.CustomObjectsApi);
}

export async function jobsApi(kubeconfig: string): Promise<JobsApi> {
    const { k8s, config } = await kubeClient(kubeconfig);
    return config.makeApiClient(k8s.BatchV1Api);
}

/** The Ops cluster's admin kubeconfig: the ops stack's `kubeconfig` output (a JSON string, or already parsed). */
export function opsKubeconfig(engine: Pick<PulumiEngine, "secretOutput">): (env: string) => Promise<string> {
    return async (env) => {
        // A secret output: the one read that needs the stack's decrypt rights.
        const kubeconfig = await engine.secretOutput(opsStack(env), "kubeconfig");
        if (kubeconfig === undefined || kubeconfig === null) throw new Error(`stack ${opsStack(env)} has no kubeconfig output`);
        return typeof kubeconfig === "string" ? kubeconfig : JSON.stringify(kubeconfig);
    };
}

/** The service cluster's endpoint and CA from EKS itself (ClusterRef carries no CA). */
export function eksClusterAccess(eks: ClientFor<EKSClient>): (cluster: ClusterRef) => Promise<EksClusterAccess> {
    return async ({ region, clusterName }) => {
        const { cluster } = await eks(region).send(new DescribeClusterCommand({ name: clusterName }));
        if (!cluster?.endpoint || !cluster.certificateAuthority?.data) throw new Error(`EKS cluster ${clusterName} in ${region} has no endpoint or CA yet`);
        return { name: clusterName, endpoint: cluster.endpoint, caData: cluster.certificateAuthority.data, region };
    };
}

/** Lists every page (the API server pages large lists; a missed page would hide apps or jobs). */
async function listAll<T>(page: (cont: string | undefined) => Promise<{ items: T[]; next?: string }>): Promise<T[]> {
    const items: T[] = [];
    let cont: string | undefined;
    do {
        const result = await page(cont);
        items.push(...result.items);
        cont = result.next || undefined;
    } while (cont !== undefined);
    return items;
}

/** Clients are kept per cluster: the exec token is cached inside one, and the kubeconfig may be costly to get. */
function cached<A, T>(key: (arg: A) => string, connect: (arg: A) => Promise<T>): (arg: A) => Promise<T> {
    const clients = new Map<string, Promise<T>>();
    return (arg) => {
        let client = clients.get(key(arg));
        if (client === undefined) {
            client = connect(arg);
            clients.set(key(arg), client);
            // A failed connection is not kept: the next poll tries again.
            void client.catch(() => clients.delete(key(arg)));
        }
        return client;
    };
}

const PAGE = 500;
const trimSlash = (url: string | undefined) => url?.replace(/\/+$/, "");

interface Application {
    metadata: { name: string };
    spec?: { destination?: { name?: string; server?: string } };
    status?: { sync?: { status?: string }; health?: { status?: string } };
}

/** Argo CD on the Ops cluster of the env, whose admin kubeconfig is the ops stack's `kubeconfig` output. */
export class ArgoCdHealth implements ArgoHealth {
    private readonly api: (env: string) => Promise<ApplicationsApi>;

    constructor(opsKubeconfig: (env: string) => Promise<string>, connect: (kubeconfig: string) => Promise<ApplicationsApi> = applicationsApi) {
        this.api = cached(
            (env) => env,
            async (env) => connect(await opsKubeconfig(env)),
        );
    }

    async applications(env: string, cluster: ClusterRef): Promise<AppsHealth> {
        return this.health(env, cluster, [cluster.clusterName], [cluster.endpoint]);
    }

    /** Argo CD names its own cluster `in-cluster` at `https://kubernetes.default.svc` unless registered by name. */
    async opsApplications(env: string, opsCluster: ClusterRef): Promise<AppsHealth> {
        return this.health(env, opsCluster, [opsCluster.clusterName, "in-cluster"], [opsCluster.endpoint, "https://kubernetes.default.svc"]);
    }

    /** The Applications whose destination is one of `names` or `servers`, and those not Synced and Healthy. */
    private async health(env: string, cluster: ClusterRef, names: string[], servers: string[]): Promise<AppsHealth> {
        let apps: Application[];
        try {
            const api = await this.api(env);
            apps = await listAll(async (cont) => {
                const list = await api.listNamespacedCustomObject({
                    group: "argoproj.io",
                    version: "v1alpha1",
                    namespace: "argocd",
                    plural: "applications",
                    limit: PAGE,
                    _continue: cont,
                });
                return { items: list.items as Application[], next: list.metadata?.continue };
            });
        } catch (error) {
            throw new Error(`Argo CD applications for ${cluster.clusterName} (${opsClusterName(env)}): ${(error as Error).message}`, { cause: error });
        }
        const endpoints = servers.map(trimSlash);
        const targeting = apps.filter((app) => {
            const destination = app.spec?.destination ?? {};
            return names.includes(destination.name ?? "") || endpoints.includes(trimSlash(destination.server));
        });
        const notReady = targeting
            .map((app) => ({ name: app.metadata.name, sync: app.status?.sync?.status ?? "Unknown", health: app.status?.health?.status ?? "Unknown" }))
            .filter((app) => app.sync !== "Synced" || app.health !== "Healthy");
        return { total: targeting.length, notReady };
    }
}

/** Jobs in a service cluster, reached through its EKS endpoint and CA. */
export class KubernetesClusterJobs implements ClusterJobs {
    private readonly api: (cluster: ClusterRef) => Promise<JobsApi>;

    constructor(access: (cluster: ClusterRef) => Promise<EksClusterAccess>, connect: (kubeconfig: string) => Promise<JobsApi> = jobsApi) {
        this.api = cached(
            (cluster) => `${cluster.region}/${cluster.clusterName}`,
            async (cluster) => connect(eksKubeconfig(await access(cluster))),
        );
    }

    async runningCronJobs(cluster: ClusterRef): Promise<string[]> {
        try {
            const api = await this.api(cluster);
            const jobs = await listAll(async (cont) => {
                const list = await api.listJobForAllNamespaces({ limit: PAGE, _continue: cont });
                return { items: list.items, next: list.metadata?._continue };
            });
            return jobs
                .filter((job) => (job.status?.active ?? 0) > 0 && (job.metadata?.ownerReferences ?? []).some((owner) => owner.kind === "CronJob"))
                .map((job) => `${job.metadata!.namespace}/${job.metadata!.name}`)
                .sort();
        } catch (error) {
            throw new Error(`jobs in cluster ${cluster.clusterName} (${cluster.region}): ${(error as Error).message}`, { cause: error });
        }
    }
}
