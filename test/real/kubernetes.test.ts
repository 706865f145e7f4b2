import { strict as assert } from "node:assert";
import { DescribeClusterCommand, EKSClient } from "@aws-sdk/client-eks";
import type { CustomObjectsApiListNamespacedCustomObjectRequest, V1Job } from "@kubernetes/client-node";
import { mockClient } from "aws-sdk-client-mock";
import {
    ApplicationsApi,
    ArgoCdHealth,
    EksClusterAccess,
    JobsApi,
    KubernetesClusterJobs,
    eksClusterAccess,
    applicationsApi,
    eksKubeconfig,
    jobsApi,
    opsKubeconfig,
} from "../../automation/real/kubernetes";
import { ClusterRef } from "../../automation/core/ports";

const green: ClusterRef = {
    region: "ap-northeast-1",
    color: "green",
    clusterName: "mitene-prod-apne1-green",
    endpoint: "https://GREEN.gr7.ap-northeast-1.eks.amazonaws.com",
};
const access: EksClusterAccess = { name: green.clusterName, endpoint: green.endpoint, caData: "Q0EK", region: green.region };

const app = (name: string, destination: object, sync?: string, health?: string) => ({
    metadata: { name },
    spec: { destination },
    ...(sync ? { status: { sync: { status: sync }, health: { status: health } } } : {}),
});

/** An Applications API answering the given pages in order, recording what it was asked. */
function applications(pages: object[][]) {
    const asked: CustomObjectsApiListNamespacedCustomObjectRequest[] = [];
    const api: ApplicationsApi = {
        listNamespacedCustomObject: async (param) => {
            asked.push(param);
            const page = param._continue ? Number(param._continue.slice(1)) : 0;
            return { items: pages[page], metadata: page + 1 < pages.length ? { continue: `c${page + 1}` } : {} };
        },
    };
    return { api, asked };
}

describe("real/kubernetes eksKubeconfig", () => {
    it("points at the cluster with its CA and an `aws eks get-token` exec user", () => {
        const config = JSON.parse(eksKubeconfig(access));
        assert.deepEqual(config.clusters, [{ name: access.name, cluster: { server: access.endpoint, "certificate-authority-data": "Q0EK" } }]);
        assert.equal(config.users[0].user.exec.command, "aws");
        assert.deepEqual(config.users[0].user.exec.args, ["eks", "get-token", "--cluster-name", access.name, "--region", "ap-northeast-1", "--output", "json"]);
        assert.equal(config["current-context"], access.name);
        assert.deepEqual(config.contexts[0].context, { cluster: access.name, user: access.name });
    });
});

describe("real/kubernetes client", () => {
    it("builds real API clients from an EKS kubeconfig on this Node version", async () => {
        const kubeconfig = eksKubeconfig({ name: "c", endpoint: "https://example.invalid", caData: "", region: "us-west-2" });
        assert.equal(typeof (await applicationsApi(kubeconfig)).listNamespacedCustomObject, "function");
        assert.equal(typeof (await jobsApi(kubeconfig)).listJobForAllNamespaces, "function");
    });
});

describe("real/kubernetes ArgoCdHealth", () => {
    it("lists Applications in argocd and reports those targeting the cluster by name or server", async () => {
        const { api, asked } = applications([
            [
                app("api", { name: green.clusterName }, "Synced", "Healthy"),
                app("web", { server: `${green.endpoint}/` }, "OutOfSync", "Progressing"),
                app("worker", { name: green.clusterName }),
                app("blue-api", { name: "mitene-prod-apne1-blue" }, "OutOfSync", "Degraded"),
            ],
        ]);
        const kubeconfigs: string[] = [];
        const argo = new ArgoCdHealth(async (env) => `kubeconfig-of-${env}`, async (kc) => (kubeconfigs.push(kc), api));
        assert.deepEqual(await argo.applications("prod", green), {
            total: 3,
            notReady: [
                { name: "web", sync: "OutOfSync", health: "Progressing" },
                { name: "worker", sync: "Unknown", health: "Unknown" },
            ],
        });
        assert.deepEqual(kubeconfigs, ["kubeconfig-of-prod"]);
        assert.deepEqual(asked[0], { group: "argoproj.io", version: "v1alpha1", namespace: "argocd", plural: "applications", limit: 500, _continue: undefined });
    });

    it("reports the Ops cluster's own Applications: in-cluster by name or server, or registered by its name", async () => {
        const { api } = applications([
            [
                app("app-of-apps", { name: "in-cluster" }, "Synced", "Healthy"),
                app("grafana", { server: "https://kubernetes.default.svc" }, "Synced", "Degraded"),
                app("argocd-applicationsets", { name: "ops-prod" }, "Synced", "Healthy"),
                app("api", { name: green.clusterName }, "OutOfSync", "Missing"),
            ],
        ]);
        const ops: ClusterRef = { region: "ops", color: "blue", clusterName: "ops-prod", endpoint: "https://kubernetes.default.svc" };
        const argo = new ArgoCdHealth(async () => "kc", async () => api);
        assert.deepEqual(await argo.opsApplications("prod", ops), { total: 3, notReady: [{ name: "grafana", sync: "Synced", health: "Degraded" }] });
    });

    it("follows the list's continue token", async () => {
        const { api, asked } = applications([[app("api", { name: green.clusterName }, "Synced", "Healthy")], [app("web", { name: green.clusterName }, "Synced", "Healthy")]]);
        const argo = new ArgoCdHealth(async () => "kc", async () => api);
        assert.deepEqual(await argo.applications("prod", green), { total: 2, notReady: [] });
        assert.equal(asked[1]._continue, "c1");
    });

    it("connects once per env and reuses the client", async () => {
        const { api } = applications([[]]);
        let connects = 0;
        const argo = new ArgoCdHealth(async () => "kc", async () => (connects++, api));
        await argo.applications("prod", green);
        await argo.applications("prod", green);
        assert.equal(connects, 1);
    });

    it("does not keep a failed connection, and names the cluster in the error", async () => {
        const { api } = applications([[]]);
        let attempts = 0;
        const argo = new ArgoCdHealth(
            async () => {
                if (++attempts === 1) throw new Error("ops stack has no kubeconfig output");
                return "kc";
            },
            async () => api,
        );
        await assert.rejects(argo.applications("prod", green), /^Error: Argo CD applications for mitene-prod-apne1-green \(ops-prod\): ops stack has no kubeconfig output$/);
        assert.deepEqual(await argo.applications("prod", green), { total: 0, notReady: [] });
    });

    it("names the cluster when the API call fails", async () => {
        const api: ApplicationsApi = { listNamespacedCustomObject: async () => Promise.reject(new Error("HTTP-Code: 403 Forbidden")) };
        const argo = new ArgoCdHealth(async () => "kc", async () => api);
        await assert.rejects(argo.applications("prod", green), /Argo CD applications for mitene-prod-apne1-green \(ops-prod\): HTTP-Code: 403/);
    });
});

const job = (namespace: string, name: string, active: number | undefined, ownerKind?: string): V1Job => ({
    metadata: { namespace, name, ownerReferences: ownerKind ? [{ kind: ownerKind, name: "owner", apiVersion: "batch/v1", uid: "u" }] : undefined },
    status: active === undefined ? undefined : { active },
});

describe("real/kubernetes KubernetesClusterJobs", () => {
    it("reports running Jobs owned by CronJobs, as namespace/name, sorted, reaching the cluster through EKS", async () => {
        const asked: unknown[] = [];
        const api: JobsApi = {
            listJobForAllNamespaces: async (param) => {
                asked.push(param);
                return asked.length === 1
                    ? { items: [job("batch", "nightly-export-29500", 1, "CronJob"), job("batch", "one-off-migrate", 1)], metadata: { _continue: "c1" } }
                    : { items: [job("app", "cleanup-29501", 2, "CronJob"), job("app", "cleanup-29499", 0, "CronJob"), job("app", "old", undefined, "CronJob")] };
            },
        };
        const refs: ClusterRef[] = [];
        const kubeconfigs: string[] = [];
        const jobs = new KubernetesClusterJobs(async (ref) => (refs.push(ref), access), async (kc) => (kubeconfigs.push(kc), api));
        assert.deepEqual(await jobs.runningCronJobs(green), ["app/cleanup-29501", "batch/nightly-export-29500"]);
        assert.deepEqual(refs, [green]);
        assert.deepEqual(kubeconfigs, [eksKubeconfig(access)]);
        assert.deepEqual(asked, [{ limit: 500, _continue: undefined }, { limit: 500, _continue: "c1" }]);
    });

    it("names the cluster when the Jobs cannot be listed", async () => {
        const api: JobsApi = { listJobForAllNamespaces: async () => Promise.reject(new Error("connect ETIMEDOUT")) };
        const jobs = new KubernetesClusterJobs(async () => access, async () => api);
        await assert.rejects(jobs.runningCronJobs(green), /^Error: jobs in cluster mitene-prod-apne1-green \(ap-northeast-1\): connect ETIMEDOUT$/);
    });
});

describe("real/kubernetes eksClusterAccess", () => {
    const eks = mockClient(EKSClient);
    const client = new EKSClient({ region: "ap-northeast-1" });
    beforeEach(() => eks.reset());

    it("takes the endpoint and CA from DescribeCluster", async () => {
        eks.on(DescribeClusterCommand).resolves({ cluster: { endpoint: green.endpoint, certificateAuthority: { data: "Q0EK" } } });
        assert.deepEqual(await eksClusterAccess(() => client)(green), access);
        assert.deepEqual(eks.commandCalls(DescribeClusterCommand)[0].args[0].input, { name: green.clusterName });
    });

    it("rejects a cluster that has no CA yet (still creating)", async () => {
        eks.on(DescribeClusterCommand).resolves({ cluster: { status: "CREATING" } });
        await assert.rejects(eksClusterAccess(() => client)(green), /EKS cluster mitene-prod-apne1-green in ap-northeast-1 has no endpoint or CA yet/);
    });
});

describe("real/kubernetes opsKubeconfig", () => {
    const engine = (outputs: Record<string, unknown> | null) => ({
        secretOutput: async (name: string, key: string) => (assert.equal(name, "ops-prod"), outputs?.[key]),
    });

    it("takes the ops stack's kubeconfig output as it is", async () => {
        assert.equal(await opsKubeconfig(engine({ kubeconfig: '{"kind":"Config"}' }))("prod"), '{"kind":"Config"}');
    });

    it("serialises a kubeconfig output that came back parsed", async () => {
        assert.equal(await opsKubeconfig(engine({ kubeconfig: { kind: "Config" } }))("prod"), '{"kind":"Config"}');
    });

    it("names the ops stack when it has no kubeconfig", async () => {
        await assert.rejects(opsKubeconfig(engine(null))("prod"), /^Error: stack ops-prod has no kubeconfig output$/);
    });
});
