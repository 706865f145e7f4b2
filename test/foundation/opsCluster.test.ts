import { strict as assert } from "node:assert";
import * as aws from "@pulumi/aws";
import { OPS_CHARTS } from "../../components/addonCatalog";
import { CORE_ADDON_VERSIONS } from "../../components/kubernetesVersions";
import { PolicyDocument } from "../../components/iamPolicies";
import { OPS_ADDONS, OpsCluster, OpsClusterArgs } from "../../components/opsCluster";
import { ArgsError } from "../../components/validation";
import { onDemandGroup } from "../helpers/fixtures";
import { Run, constructedAfter, isMasked, parseJson, runComponent, runFailing, usesProvider } from "../helpers/harness";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const TG = "aws:lb/targetGroup:TargetGroup";
const RULE = "aws:lb/listenerRule:ListenerRule";
const RECORD = "aws:route53/record:Record";
const TGB = "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding";
const HOST = "argocd.ops-prod.mitene.internal";
const ROLES = {
    deploy: "arn:aws:iam::123456789012:role/mitene-prod-deploy",
    preview: "arn:aws:iam::123456789012:role/mitene-prod-preview",
    rollback: "arn:aws:iam::123456789012:role/mitene-prod-rollback",
};

type Overrides = Partial<Omit<OpsClusterArgs, "provider">>;

function opsCluster(overrides: Overrides = {}) {
    return () => {
        const provider = new aws.Provider("aws", { region: "ap-northeast-1" });
        const ops = new OpsCluster("ops", {
            provider,
            env: "prod",
            region: "ap-northeast-1",
            clusterName: "ops-prod",
            vpcId: "vpc-ops",
            vpcCidr: "10.100.0.0/16",
            privateSubnetIds: ["subnet-a", "subnet-b", "subnet-c"],
            kubernetesVersion: "1.35",
            coreAddonsVersion: "1.34",
            nodeGroupVersion: "1.34",
            nodeGroups: [onDemandGroup],
            kubernetesRoleArn: ROLES.deploy,
            roles: ROLES,
            supportType: "EXTENDED",
            controlPlaneLogRetentionDays: 90,
            accessLogsBucket: "mitene-prod-alb-logs",
            argocd: {
                hostname: HOST,
                certificateArn: "arn:aws:acm:ap-northeast-1:123456789012:certificate/ops",
                privateHostedZoneId: "Z0PRIVATE",
                gitopsRepoUrl: "https://github.com/mitene/gitops.git",
                gitopsPath: "envs/prod",
                gitopsRevision: "release-2026-11",
                sso: { issuer: "https://sso.mitene.example", clientId: "argocd-prod", adminGroups: ["sre"] },
                // Given plain on purpose: the component must still treat it as a secret.
                clientSecret: "s3cr3t",
            },
            ...overrides,
        });
        return { argocdRoleArn: ops.argocdRoleArn, argocdUrl: ops.argocdUrl };
    };
}

describe("OpsCluster: defaults (Grafana off)", function () {
    let run: Run;
    before(async () => {
        run = await runComponent(opsCluster());
    });
    const argocd = () => run.one(RELEASE, "ops-argocd");
    const opsProvider = () => run.one("pulumi:providers:kubernetes", "ops-cluster-k8s");

    it("installs the pinned Argo CD chart into argocd on the Ops cluster", () => {
        const inputs = argocd().inputs;
        assert.equal(inputs.chart, OPS_CHARTS.argocd.chart);
        assert.deepEqual(inputs.repositoryOpts, { repo: OPS_CHARTS.argocd.repository });
        assert.equal(inputs.version, OPS_CHARTS.argocd.version);
        assert.equal(inputs.namespace, "argocd");
        assert.ok(usesProvider(argocd(), opsProvider()));
    });
    it("passes Argo CD's values as a secret, since they hold the SSO client secret", () => {
        assert.ok(isMasked(argocd().inputs.values));
    });
    it("configures SSO (oidc.config) and puts the client secret in argocd-secret", () => {
        const values = argocd().revealed.values as { configs: { cm: Record<string, string>; secret: { extra: Record<string, string> } } };
        assert.match(values.configs.cm["oidc.config"], /issuer: https:\/\/sso\.mitene\.example/);
        assert.match(values.configs.cm["oidc.config"], /clientID: argocd-prod/);
        assert.equal(values.configs.secret.extra["oidc.clientSecret"], "s3cr3t");
    });
    it("annotates Argo CD's controller, server and applicationset controller with their IRSA roles", () => {
        const values = argocd().revealed.values as Record<string, { serviceAccount: { annotations: Record<string, string> } }>;
        assert.equal(values.controller.serviceAccount.annotations["eks.amazonaws.com/role-arn"], run.one("aws:iam/role:Role", "ops-argocd-controller").state.arn);
        assert.equal(values.server.serviceAccount.annotations["eks.amazonaws.com/role-arn"], run.one("aws:iam/role:Role", "ops-argocd-server").state.arn);
        assert.equal(values.applicationSet.serviceAccount.annotations["eks.amazonaws.com/role-arn"], run.one("aws:iam/role:Role", "ops-argocd-applicationset").state.arn);
    });
    it("points the app-of-apps Application at the GitOps repository, after Argo CD is installed", () => {
        const app = run.one("kubernetes:argoproj.io/v1alpha1:Application");
        assert.equal(app.inputs.kind, "Application");
        assert.deepEqual(app.inputs.metadata, { name: "app-of-apps", namespace: "argocd" });
        assert.deepEqual((app.inputs.spec as { source: unknown }).source, { repoURL: "https://github.com/mitene/gitops.git", path: "envs/prod", targetRevision: "release-2026-11" });
        assert.ok(run.dependsOn(app, argocd().object!));
        assert.ok(usesProvider(app, opsProvider()));
    });
    it("exposes Argo CD through an internal ALB reachable from the VPC only", () => {
        const alb = run.one("aws:lb/loadBalancer:LoadBalancer").inputs;
        assert.equal(alb.internal, true);
        assert.equal(alb.name, "ops-prod-tools");
        assert.deepEqual(alb.subnets, ["subnet-a", "subnet-b", "subnet-c"]);
        for (const rule of run.one("aws:ec2/securityGroup:SecurityGroup").inputs.ingress as { cidrBlocks: string[] }[]) assert.deepEqual(rule.cidrBlocks, ["10.100.0.0/16"]);
    });
    it("routes the Argo CD host to an IP target group bound to argocd-server", () => {
        const tg = run.one(TG, "ops-argocd");
        assert.equal(tg.inputs.targetType, "ip");
        assert.equal(tg.inputs.port, 8080);
        const rule = run.one(RULE, "ops-argocd").inputs;
        assert.deepEqual(rule.conditions, [{ hostHeader: { values: [HOST] } }]);
        assert.deepEqual(rule.actions, [{ type: "forward", targetGroupArn: tg.state.arn }]);
        const tgb = run.one(TGB, "ops-argocd-tgb");
        assert.deepEqual(tgb.inputs.metadata, { name: "argocd-server", namespace: "argocd" });
        const spec = tgb.inputs.spec as { targetGroupARN: string; serviceRef: { port: number }; networking: { ingress: { ports: { port: number }[] }[] } };
        assert.equal(spec.targetGroupARN, tg.state.arn);
        // The Service port names the endpoints; the pods listen on 8080, which is what the ALB must reach.
        assert.equal(spec.serviceRef.port, 80);
        assert.deepEqual(spec.networking.ingress[0].ports, [{ protocol: "TCP", port: 8080 }]);
        assert.ok(run.dependsOn(tgb, argocd().object!));
        assert.ok(run.dependsOn(tgb, run.one("mitene:addons:AddonRelease", "ops-aws-load-balancer-controller").object!));
    });
    it("publishes the Argo CD host in the private hosted zone, aliased to the internal ALB", () => {
        const alb = run.one("aws:lb/loadBalancer:LoadBalancer").state;
        const record = run.one(RECORD, "ops-argocd").inputs;
        assert.equal(record.zoneId, "Z0PRIVATE");
        assert.equal(record.name, HOST);
        assert.deepEqual(record.aliases, [{ name: alb.dnsName, zoneId: alb.zoneId, evaluateTargetHealth: true }]);
        assert.match(alb.dnsName as string, /^internal-/);
    });
    it("creates the deployer role trusted by exactly Argo CD's three IRSA roles, and outputs it", async () => {
        const deployer = run.one("aws:iam/role:Role", "ops-argocd-deployer");
        assert.equal(deployer.inputs.name, "mitene-prod-argocd");
        const trust = parseJson<PolicyDocument>(deployer.inputs.assumeRolePolicy);
        const clients = ["ops-argocd-controller", "ops-argocd-server", "ops-argocd-applicationset"].map((n) => run.one("aws:iam/role:Role", n).state.arn);
        assert.deepEqual(trust.Statement, [{ Effect: "Allow", Principal: { AWS: clients }, Action: ["sts:AssumeRole"] }]);
        assert.equal(run.outputs.argocdRoleArn, deployer.state.arn);
        assert.equal(run.outputs.argocdUrl, `https://${HOST}`);
    });
    it("gives Argo CD's IRSA roles only sts:AssumeRole on the deployer role, trusted by their own service accounts", () => {
        const deployerArn = run.one("aws:iam/role:Role", "ops-argocd-deployer").state.arn;
        for (const [key, serviceAccount] of [["controller", "argocd-application-controller"], ["server", "argocd-server"], ["applicationset", "argocd-applicationset-controller"]]) {
            const policy = parseJson<PolicyDocument>(run.one("aws:iam/rolePolicy:RolePolicy", `ops-argocd-${key}`).inputs.policy);
            assert.deepEqual(policy.Statement, [{ Effect: "Allow", Action: ["sts:AssumeRole"], Resource: deployerArn }]);
            const trust = parseJson<PolicyDocument>(run.one("aws:iam/role:Role", `ops-argocd-${key}`).inputs.assumeRolePolicy);
            const sub = Object.entries(trust.Statement[0].Condition!.StringEquals).find(([k]) => k.endsWith(":sub"))![1];
            assert.equal(sub, `system:serviceaccount:argocd:${serviceAccount}`);
        }
    });
    it("gives the env's deploy (admin), preview (view) and rollback (view, and the group its cron switch is bound to) roles access entries, and nobody else", () => {
        const entries = run.one("eks:index:Cluster").inputs.accessEntries as Record<string, { principalArn: string; kubernetesGroups?: string[]; accessPolicies: Record<string, { policyArn: string }> }>;
        const summary = Object.entries(entries).map(([name, e]) => [name, e.principalArn, Object.values(e.accessPolicies).map((p) => p.policyArn.split("/").pop()), e.kubernetesGroups]).sort();
        assert.deepEqual(summary, [
            ["deploy", ROLES.deploy, ["AmazonEKSClusterAdminPolicy"], undefined],
            ["preview", ROLES.preview, ["AmazonEKSViewPolicy"], undefined],
            ["rollback", ROLES.rollback, ["AmazonEKSViewPolicy"], ["mitene:rollback"]],
        ]);
    });
    it("presents a token for the run's role to its own cluster, and adds operators' entries", async () => {
        const kubeconfig = JSON.parse(run.one("pulumi:providers:kubernetes", "ops-cluster-k8s").inputs.kubeconfig as string) as { users: { user: { exec: { args: string[] } } }[] };
        assert.deepEqual(kubeconfig.users[0].user.exec.args.slice(-2), ["--role", ROLES.deploy]);
        const oncall = "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/ap-northeast-1/AWSReservedSSO_SRE_0123456789abcdef";
        const withOperator = await runComponent(opsCluster({ operators: [{ name: "sre", principalArn: oncall, access: "admin" }] }));
        const entries = withOperator.one("eks:index:Cluster").inputs.accessEntries as Record<string, { principalArn: string }>;
        assert.equal(entries.sre.principalArn, oncall);
    });
    it("installs Argo CD once the node groups and CoreDNS are up (its atomic wait needs pods scheduled)", () => {
        assert.ok(run.dependsOn(argocd(), run.one("aws:eks/addon:Addon", "ops-cluster-coredns").object!));
    });
    it("installs only the add-ons the Ops cluster needs", () => {
        assert.deepEqual(run.ofType("mitene:addons:AddonRelease").map((a) => a.name).sort(), OPS_ADDONS.map((a) => `ops-${a}`).sort());
    });
    it("keeps control plane, core add-ons and node groups at their own versions (in-place upgrade order)", () => {
        const eks = run.one("eks:index:Cluster").inputs;
        assert.equal(eks.version, "1.35");
        assert.equal((eks.kubeProxyAddonOptions as { version: string }).version, CORE_ADDON_VERSIONS["1.34"].kubeProxy);
        for (const g of run.ofType("eks:index:ManagedNodeGroup")) assert.equal(g.inputs.version, "1.34");
    });
    it("installs no Grafana by default", () => {
        assert.deepEqual(run.named("ops-grafana"), []);
        assert.deepEqual(run.named("ops-grafana-tgb"), []);
        assert.equal(run.ofType(RELEASE).filter((r) => r.inputs.name === "grafana").length, 0);
    });
});

describe("OpsCluster: Grafana enabled", function () {
    let run: Run;
    before(async () => {
        run = await runComponent(opsCluster({ grafana: { enabled: true, hostname: "grafana.ops-prod.mitene.internal" } }));
    });

    it("installs Grafana once the node groups and CoreDNS are up", () => {
        assert.ok(run.dependsOn(run.one(RELEASE, "ops-grafana"), run.one("aws:eks/addon:Addon", "ops-cluster-coredns").object!));
    });
    it("installs the pinned Grafana chart", () => {
        const release = run.one(RELEASE, "ops-grafana").inputs;
        assert.equal(release.version, OPS_CHARTS.grafana.version);
        assert.equal(release.namespace, "grafana");
        assert.deepEqual(release.repositoryOpts, { repo: OPS_CHARTS.grafana.repository });
    });
    // grafana.github.io/helm-charts stopped at 10.5.15 (deprecated 2026-01-30); the chart moved.
    it("takes Grafana from the grafana-community repository, where the pinned version is published", () => {
        assert.deepEqual(run.one(RELEASE, "ops-grafana").inputs.repositoryOpts, { repo: "https://grafana-community.github.io/helm-charts" });
        assert.equal(run.one(RELEASE, "ops-grafana").inputs.version, "12.11.1");
    });
    it("binds Grafana's Service port and opens the pods' 3000 to the ALB", () => {
        const spec = run.one(TGB, "ops-grafana-tgb").inputs.spec as { serviceRef: { port: number }; networking: { ingress: { ports: { port: number }[] }[] } };
        assert.equal(spec.serviceRef.port, 80);
        assert.deepEqual(spec.networking.ingress[0].ports, [{ protocol: "TCP", port: 3000 }]);
    });
    it("exposes Grafana on its own host behind the same internal ALB, in the private zone", () => {
        const rule = run.one(RULE, "ops-grafana").inputs;
        assert.deepEqual(rule.conditions, [{ hostHeader: { values: ["grafana.ops-prod.mitene.internal"] } }]);
        assert.notEqual(rule.priority, run.one(RULE, "ops-argocd").inputs.priority);
        assert.equal(rule.listenerArn, run.one(RULE, "ops-argocd").inputs.listenerArn);
        assert.equal(run.one(TG, "ops-grafana").inputs.port, 3000);
        assert.equal(run.one(RECORD, "ops-grafana").inputs.zoneId, "Z0PRIVATE");
        assert.deepEqual(run.one(TGB, "ops-grafana-tgb").inputs.metadata, { name: "grafana", namespace: "grafana" });
    });
});

describe("OpsCluster: validation, before any resource exists", () => {
    const cases: { title: string; overrides: Overrides; message: RegExp }[] = [
        { title: "Grafana enabled without a host name", overrides: { grafana: { enabled: true } }, message: /grafana\.hostname is required when Grafana is enabled/ },
        { title: "Grafana on Argo CD's host name", overrides: { grafana: { enabled: true, hostname: HOST } }, message: /Grafana and Argo CD need different host names/ },
    ];
    for (const c of cases) {
        it(`rejects ${c.title}`, async () => {
            const failed = await runFailing(opsCluster(c.overrides));
            const [cause] = failed.error.causes;
            assert.ok(cause instanceof ArgsError, String(cause));
            assert.equal(cause.problems.length, 1, cause.problems.join(" | "));
            assert.match(cause.problems[0], c.message);
            assert.deepEqual(constructedAfter(failed, "mitene:ops:OpsCluster"), []);
        });
    }
});
