/**
 * Helm values of Argo CD on the Ops cluster and its app-of-apps, as plain functions.
 */

export interface ArgocdValuesInput {
    /** Internal host name of the UI and API. */
    hostname: string;
    sso: {
        issuer: string;
        clientId: string;
        /** Identity-provider groups that get Argo CD admin. */
        adminGroups: string[];
    };
    /** Client secret, stored in argocd-secret and referenced as $oidc.clientSecret. */
    clientSecret: string;
    /** IRSA roles of the components that reach service clusters (ARGOCD_CLUSTER_CLIENTS). */
    controllerRoleArn: string;
    serverRoleArn: string;
    applicationSetRoleArn: string;
}

/** Policy lines giving each admin group `role:admin`; everyone else who logs in is read-only. */
export const argocdRbacPolicy = (adminGroups: string[]) => adminGroups.map((group) => `g, ${group}, role:admin`).join("\n");

export function argocdValues(input: ArgocdValuesInput): Record<string, unknown> {
    const irsa = (roleArn: string) => ({ annotations: { "eks.amazonaws.com/role-arn": roleArn } });
    return {
        global: { domain: input.hostname },
        configs: {
            // TLS ends at the internal ALB.
            params: { "server.insecure": true },
            cm: {
                url: `https://${input.hostname}`,
                "admin.enabled": false,
                "oidc.config": [
                    "name: SSO",
                    `issuer: ${input.sso.issuer}`,
                    `clientID: ${input.sso.clientId}`,
                    "clientSecret: $oidc.clientSecret",
                    "requestedScopes: [openid, profile, email, groups]",
                ].join("\n"),
            },
            rbac: { "policy.default": "role:readonly", "policy.csv": argocdRbacPolicy(input.sso.adminGroups), scopes: "[groups]" },
            secret: { extra: { "oidc.clientSecret": input.clientSecret } },
        },
        controller: { replicas: 1, serviceAccount: irsa(input.controllerRoleArn) },
        server: { replicas: 2, serviceAccount: irsa(input.serverRoleArn), service: { type: "ClusterIP" } },
        repoServer: { replicas: 2 },
        applicationSet: { replicas: 2, serviceAccount: irsa(input.applicationSetRoleArn) },
        dex: { enabled: false },
    };
}

export interface AppOfAppsInput {
    repoUrl: string;
    path: string;
    revision: string;
}

/** The root Application: everything else (ApplicationSets per cluster label) lives in the GitOps repository. */
export const appOfAppsSpec = (input: AppOfAppsInput) => ({
    project: "default",
    source: { repoURL: input.repoUrl, path: input.path, targetRevision: input.revision },
    destination: { server: "https://kubernetes.default.svc", namespace: "argocd" },
    syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ["CreateNamespace=true"] },
});

/**
 * Argo CD service accounts that reach service clusters and so get an IRSA role: the three Argo CD's docs
 * list for EKS (docs/operator-manual/declarative-setup.md, "Argo CD Management Role", v3.4.7).
 */
export const ARGOCD_CLUSTER_CLIENTS = {
    controller: "argocd-application-controller",
    server: "argocd-server",
    applicationset: "argocd-applicationset-controller",
} as const;
