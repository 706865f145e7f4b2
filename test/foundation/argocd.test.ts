import { strict as assert } from "node:assert";
import fc from "fast-check";
import {
    ARGOCD_NAMESPACE,
    CLUSTER_SECRET_LABEL,
    argoClusterSecretData,
    argoClusterSecretMetadata,
    clusterLabels,
} from "../../components/argoClusterRegistration";
import { ARGOCD_CLUSTER_CLIENTS, appOfAppsSpec, argocdRbacPolicy, argocdValues } from "../../components/argocdValues";
import { COLORS } from "../../components/naming";
import { TARGET_GROUP_BINDING_API, targetGroupBindingSpec } from "../../components/targetGroupBinding";

const INPUT = {
    hostname: "argocd.ops-prod.mitene.internal",
    sso: { issuer: "https://sso.mitene.example", clientId: "argocd-prod", adminGroups: ["sre", "platform"] },
    clientSecret: "s3cr3t",
    controllerRoleArn: "arn:aws:iam::123456789012:role/controller",
    serverRoleArn: "arn:aws:iam::123456789012:role/server",
    applicationSetRoleArn: "arn:aws:iam::123456789012:role/applicationset",
};

type Values = {
    global: { domain: string };
    configs: {
        params: Record<string, unknown>;
        cm: Record<string, unknown>;
        rbac: Record<string, string>;
        secret: { extra: Record<string, string> };
    };
    controller: { serviceAccount: { annotations: Record<string, string> } };
    server: { serviceAccount: { annotations: Record<string, string> }; service: { type: string } };
    applicationSet: { serviceAccount: { annotations: Record<string, string> } };
    dex: { enabled: boolean };
};

describe("argocdValues: Helm values of Argo CD", () => {
    const values = argocdValues(INPUT) as unknown as Values;

    it("configures SSO through OIDC with the client secret referenced, not inlined, in argocd-cm", () => {
        const oidc = values.configs.cm["oidc.config"] as string;
        assert.match(oidc, /^issuer: https:\/\/sso\.mitene\.example$/m);
        assert.match(oidc, /^clientID: argocd-prod$/m);
        assert.match(oidc, /^clientSecret: \$oidc\.clientSecret$/m);
        assert.match(oidc, /requestedScopes: \[openid, profile, email, groups\]/);
        assert.ok(!JSON.stringify(values.configs.cm).includes(INPUT.clientSecret));
    });

    it("puts the client secret in argocd-secret under the referenced key", () => {
        assert.deepEqual(values.configs.secret.extra, { "oidc.clientSecret": "s3cr3t" });
    });

    it("disables the local admin and Dex: SSO is the only way in", () => {
        assert.equal(values.configs.cm["admin.enabled"], false);
        assert.equal(values.dex.enabled, false);
    });

    it("maps each admin group to role:admin and everyone else to read-only", () => {
        assert.equal(values.configs.rbac["policy.csv"], "g, sre, role:admin\ng, platform, role:admin");
        assert.equal(values.configs.rbac["policy.default"], "role:readonly");
        assert.equal(argocdRbacPolicy([]), "");
    });

    it("serves the internal host name, TLS ending at the ALB", () => {
        assert.equal(values.global.domain, INPUT.hostname);
        assert.equal(values.configs.cm.url, "https://argocd.ops-prod.mitene.internal");
        assert.equal(values.configs.params["server.insecure"], true);
        assert.equal(values.server.service.type, "ClusterIP");
    });

    // Argo CD's EKS docs (declarative-setup.md, "Argo CD Management Role") list these three service accounts.
    it("annotates the controller, server and applicationset controller service accounts with their IRSA roles", () => {
        assert.equal(values.controller.serviceAccount.annotations["eks.amazonaws.com/role-arn"], INPUT.controllerRoleArn);
        assert.equal(values.server.serviceAccount.annotations["eks.amazonaws.com/role-arn"], INPUT.serverRoleArn);
        assert.equal(values.applicationSet.serviceAccount.annotations["eks.amazonaws.com/role-arn"], INPUT.applicationSetRoleArn);
        assert.deepEqual(ARGOCD_CLUSTER_CLIENTS, {
            controller: "argocd-application-controller",
            server: "argocd-server",
            applicationset: "argocd-applicationset-controller",
        });
    });

    it("the app-of-apps follows the GitOps repository, path and revision, pruning and self-healing", () => {
        const spec = appOfAppsSpec({ repoUrl: "https://github.com/mitene/gitops.git", path: "envs/prod", revision: "main" });
        assert.deepEqual(spec.source, { repoURL: "https://github.com/mitene/gitops.git", path: "envs/prod", targetRevision: "main" });
        assert.deepEqual(spec.destination, { server: "https://kubernetes.default.svc", namespace: "argocd" });
        assert.deepEqual(spec.syncPolicy.automated, { prune: true, selfHeal: true });
    });
});

describe("argoClusterRegistration: the declarative cluster Secret", () => {
    const labels = { env: "prod", region: "us-west-2", color: "green" as const, cron: false };

    it("labels the Secret as an Argo CD cluster with env, region, color and cron", () => {
        assert.deepEqual(clusterLabels(labels), {
            "argocd.argoproj.io/secret-type": "cluster",
            "mitene.io/env": "prod",
            "mitene.io/region": "us-west-2",
            "mitene.io/color": "green",
            "mitene.io/cron": "false",
        });
        assert.equal(CLUSTER_SECRET_LABEL, "argocd.argoproj.io/secret-type");
    });

    it("property: every label value is a string (Kubernetes rejects booleans), cron as \"true\"/\"false\"", () => {
        fc.assert(
            fc.property(fc.constantFrom(...COLORS), fc.boolean(), (color, cron) => {
                const result = clusterLabels({ ...labels, color, cron });
                for (const value of Object.values(result)) assert.equal(typeof value, "string");
                assert.equal(result["mitene.io/cron"], cron ? "true" : "false");
            }),
        );
    });

    it("names the Secret after the cluster in Argo CD's namespace", () => {
        const metadata = argoClusterSecretMetadata("mitene-prod-usw2-green", labels);
        assert.equal(metadata.name, "cluster-mitene-prod-usw2-green");
        assert.equal(metadata.namespace, ARGOCD_NAMESPACE);
        assert.equal(ARGOCD_NAMESPACE, "argocd");
    });

    it("holds name, server and a config with awsAuthConfig {clusterName, roleARN} and tlsClientConfig.caData", () => {
        const data = argoClusterSecretData({
            clusterName: "mitene-prod-usw2-green",
            server: "https://ABC.gr7.us-west-2.eks.amazonaws.com",
            caData: "Q0EgZGF0YQ==",
            roleArn: "arn:aws:iam::123456789012:role/mitene-prod-argocd",
        });
        assert.equal(data.name, "mitene-prod-usw2-green");
        assert.equal(data.server, "https://ABC.gr7.us-west-2.eks.amazonaws.com");
        assert.equal(typeof data.config, "string");
        assert.deepEqual(JSON.parse(data.config), {
            awsAuthConfig: { clusterName: "mitene-prod-usw2-green", roleARN: "arn:aws:iam::123456789012:role/mitene-prod-argocd" },
            tlsClientConfig: { insecure: false, caData: "Q0EgZGF0YQ==" },
        });
        assert.ok(!data.config.includes("bearerToken"), "no static token");
    });
});

describe("targetGroupBinding: spec", () => {
    // With targetType ip the controller opens the ingress port on the pods' security group as written: the
    // Service port (80) would leave the ALB unable to reach pods listening on 8080.
    it("binds a Service by its port and opens the pods' container port, only to the ALB's security group", () => {
        assert.equal(TARGET_GROUP_BINDING_API, "elbv2.k8s.aws/v1beta1");
        assert.deepEqual(targetGroupBindingSpec({ targetGroupArn: "arn:tg", serviceName: "argocd-server", servicePort: 80, containerPort: 8080, loadBalancerSecurityGroupId: "sg-1" }), {
            targetGroupARN: "arn:tg",
            targetType: "ip",
            serviceRef: { name: "argocd-server", port: 80 },
            networking: { ingress: [{ from: [{ securityGroup: { groupID: "sg-1" } }], ports: [{ protocol: "TCP", port: 8080 }] }] },
        });
    });
});
