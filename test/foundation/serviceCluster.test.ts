import { strict as assert } from "node:assert";
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import { ADDON_CATALOG, AddonContext, selectAddons } from "../../components/addonCatalog";
import { chartSource } from "../../components/addonRelease";
import { PolicyDocument } from "../../components/iamPolicies";
import { IrsaRole, IrsaRoleArgs } from "../../components/irsaRole";
import { ServiceCluster, ServiceClusterArgs } from "../../components/serviceCluster";
import { ArgsError } from "../../components/validation";
import { onDemandGroup, spotGroup } from "../helpers/fixtures";
import { Resource, Run, constructedAfter, isMasked, parseJson, runComponent, runFailing, usesProvider } from "../helpers/harness";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const TGB = "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding";
const SECRET = "kubernetes:core/v1:Secret";
const CLUSTER = "mitene-prod-usw2-green";
const ARGOCD_ROLE = "arn:aws:iam::123456789012:role/mitene-prod-argocd";
const ROLES = {
    deploy: "arn:aws:iam::123456789012:role/mitene-prod-deploy",
    preview: "arn:aws:iam::123456789012:role/mitene-prod-preview",
    rollback: "arn:aws:iam::123456789012:role/mitene-prod-rollback",
};
const tgArn = (service: string) => `arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/prod-usw2-${service}-green/0123456789abcdef`;

type Overrides = Partial<Omit<ServiceClusterArgs, "provider" | "opsKubernetesProvider">>;

function serviceCluster(overrides: Overrides = {}) {
    return () => {
        const provider = new aws.Provider("aws", { region: "us-west-2" });
        const ops = new k8s.Provider("ops", { kubeconfig: "{}" });
        new ServiceCluster("svc", {
            provider,
            env: "prod",
            region: "us-west-2",
            color: "green",
            clusterName: CLUSTER,
            kubernetesVersion: "1.35",
            nodeGroups: [onDemandGroup, spotGroup],
            kubernetesRoleArn: ROLES.deploy,
            roles: ROLES,
            supportType: "EXTENDED",
            controlPlaneLogRetentionDays: 90,
            cron: false,
            vpcId: "vpc-0123",
            privateSubnetIds: ["subnet-a", "subnet-b", "subnet-c"],
            loadBalancerSecurityGroupId: "sg-alb",
            services: [
                { name: "api", namespace: "mitene", serviceName: "api", port: 3000, servicePort: 3000, targetGroupArn: tgArn("api") },
                { name: "web", namespace: "mitene", serviceName: "web-frontend", port: 8080, servicePort: 80, targetGroupArn: tgArn("web") },
            ],
            opsKubernetesProvider: ops,
            argocdRoleArn: ARGOCD_ROLE,
            ampWorkspaceId: "ws-0123",
            parameterPath: "/mitene/prod",
            logRetentionDays: 90,
            ...overrides,
        });
    };
}

/** The context the add-ons see, as the fake cloud answers it. */
const CONTEXT: AddonContext = {
    partition: "aws",
    accountId: "123456789012",
    region: "us-west-2",
    clusterName: CLUSTER,
    vpcId: "vpc-0123",
    kubernetesVersion: "1.35",
    targetGroupPattern: "prod-usw2-*-green",
    roleArn: "",
    ampWorkspaceId: "ws-0123",
    logGroupName: `/mitene/prod/${CLUSTER}/containers`,
    parameterPath: "/mitene/prod",
};

describe("ServiceCluster: defaults", function () {
    let run: Run;
    before(async () => {
        run = await runComponent(serviceCluster());
    });
    const clusterProvider = () => run.one("pulumi:providers:kubernetes", "svc-cluster-k8s");
    const eksState = () => run.one("eks:index:Cluster").state as { oidcProviderArn: string; oidcProviderUrl: string; eksCluster: { endpoint: string; certificateAuthority: { data: string } } };

    it("installs every catalog add-on but the opt-in ones as a Helm release with the pinned chart, version and namespace, on the cluster's provider", () => {
        assert.equal(run.ofType(RELEASE).length, selectAddons([]).length);
        assert.equal(run.named("svc-aws-node-termination-handler").length, 0);
        for (const spec of selectAddons([])) {
            const release = run.one(RELEASE, `svc-${spec.name}`);
            const source = chartSource(spec);
            assert.equal(release.inputs.name, spec.name);
            assert.equal(release.inputs.chart, source.chart);
            assert.deepEqual(release.inputs.repositoryOpts, source.repositoryOpts);
            assert.equal(release.inputs.version, spec.version);
            assert.equal(release.inputs.namespace, spec.namespace);
            assert.equal(release.inputs.createNamespace, true);
            assert.equal(release.inputs.atomic, true, "a failed upgrade rolls back");
            assert.equal(release.inputs.timeout, 600, "default Helm timeout");
            assert.ok(usesProvider(release, clusterProvider()), `${spec.name} is not on the cluster's provider`);
        }
    });

    for (const spec of ADDON_CATALOG.filter((a) => a.policy)) {
        it(`${spec.name}: its IRSA role trusts only ${spec.namespace}/${spec.serviceAccount} of this cluster's OIDC provider`, () => {
            const trust = parseJson<PolicyDocument>(run.one("aws:iam/role:Role", `svc-${spec.name}-irsa`).inputs.assumeRolePolicy);
            const issuer = eksState().oidcProviderUrl.replace("https://", "");
            assert.equal(trust.Statement.length, 1);
            assert.deepEqual(trust.Statement[0].Principal, { Federated: eksState().oidcProviderArn });
            assert.deepEqual(trust.Statement[0].Condition, {
                StringEquals: { [`${issuer}:sub`]: `system:serviceaccount:${spec.namespace}:${spec.serviceAccount}`, [`${issuer}:aud`]: "sts.amazonaws.com" },
            });
        });

        it(`${spec.name}: its role holds the catalog policy for this cluster, and the chart's service account is annotated with it`, () => {
            const role = run.one("aws:iam/role:Role", `svc-${spec.name}-irsa`);
            const policy = run.one("aws:iam/rolePolicy:RolePolicy", `svc-${spec.name}-irsa`);
            assert.equal(policy.inputs.role, role.state.name);
            assert.deepEqual(parseJson(policy.inputs.policy), spec.policy!(CONTEXT));
            const values = run.one(RELEASE, `svc-${spec.name}`).inputs.values;
            assert.deepEqual(values, spec.values({ ...CONTEXT, roleArn: role.state.arn as string }));
        });
    }

    it("gives add-ons without AWS access no IAM role", () => {
        for (const spec of ADDON_CATALOG.filter((a) => !a.policy)) assert.equal(run.named(`svc-${spec.name}-irsa`).length, 0, spec.name);
        assert.equal(run.ofType("aws:iam/role:Role").length, ADDON_CATALOG.filter((a) => a.policy).length + 1 /* node role */);
    });

    it("gives the AWS Load Balancer Controller the region and VPC id", () => {
        const values = run.one(RELEASE, "svc-aws-load-balancer-controller").inputs.values as Record<string, unknown>;
        assert.equal(values.region, "us-west-2");
        assert.equal(values.vpcId, "vpc-0123");
        assert.equal(values.clusterName, CLUSTER);
    });

    it("creates the container log group Fluent Bit writes to, with the configured retention", () => {
        const group = run.one("aws:cloudwatch/logGroup:LogGroup", "svc-containers").inputs;
        assert.equal(group.name, `/mitene/prod/${CLUSTER}/containers`);
        assert.equal(group.retentionInDays, 90);
    });

    it("creates each service namespace once, with Pod Security labels", () => {
        const namespaces = run.ofType("kubernetes:core/v1:Namespace");
        assert.equal(namespaces.length, 1);
        assert.deepEqual((namespaces[0].inputs.metadata as { labels: unknown }).labels, { "pod-security.kubernetes.io/enforce": "baseline", "pod-security.kubernetes.io/warn": "restricted" });
    });

    it("binds each service's Kubernetes Service onto the given target group, by IP, from the ALB's security group only", () => {
        const bindings = run.ofType(TGB);
        assert.equal(bindings.length, 2);
        // The Service port names the endpoints; the pods' port is what the ALB must be let through to.
        for (const [service, serviceName, servicePort, port] of [["api", "api", 3000, 3000], ["web", "web-frontend", 80, 8080]] as const) {
            const tgb = run.one(TGB, `svc-tgb-${service}`);
            assert.deepEqual(tgb.inputs.metadata, { name: serviceName, namespace: "mitene" });
            assert.deepEqual(tgb.inputs.spec, {
                targetGroupARN: tgArn(service),
                targetType: "ip",
                serviceRef: { name: serviceName, port: servicePort },
                networking: { ingress: [{ from: [{ securityGroup: { groupID: "sg-alb" } }], ports: [{ protocol: "TCP", port }] }] },
            });
            assert.ok(usesProvider(tgb, clusterProvider()));
        }
    });

    it("makes every TargetGroupBinding depend on the AWS Load Balancer Controller (its CRD) and its namespace", () => {
        const controller = run.one("mitene:addons:AddonRelease", "svc-aws-load-balancer-controller").object!;
        const namespace = run.one("kubernetes:core/v1:Namespace").object!;
        for (const tgb of run.ofType(TGB)) {
            assert.ok(run.dependsOn(tgb, controller), `${tgb.name} does not depend on the controller`);
            assert.ok(run.dependsOn(tgb, namespace), `${tgb.name} does not depend on its namespace`);
        }
    });

    it("gives the env's deploy (admin), preview (view), rollback (view) roles and Argo CD's role (admin) their access entries", () => {
        const entries = run.one("eks:index:Cluster").inputs.accessEntries as Record<string, { principalArn: string; kubernetesGroups?: string[]; accessPolicies: Record<string, { policyArn: string }> }>;
        const summary = Object.entries(entries).map(([name, e]) => [name, e.principalArn, Object.values(e.accessPolicies).map((p) => p.policyArn.split("/").pop()), e.kubernetesGroups]).sort();
        assert.deepEqual(summary, [
            ["argocd", ARGOCD_ROLE, ["AmazonEKSClusterAdminPolicy"], undefined],
            ["deploy", ROLES.deploy, ["AmazonEKSClusterAdminPolicy"], undefined],
            ["preview", ROLES.preview, ["AmazonEKSViewPolicy"], undefined],
            ["rollback", ROLES.rollback, ["AmazonEKSViewPolicy"], undefined],
        ]);
    });

    it("starts the add-ons whose Helm wait needs pods scheduled after the node groups (through CoreDNS), the DaemonSet-only ones at once", () => {
        const coredns = run.one("aws:eks/addon:Addon", "svc-cluster-coredns").object!;
        for (const spec of selectAddons([])) {
            const addon = run.one("mitene:addons:AddonRelease", `svc-${spec.name}`);
            assert.equal(run.dependsOn(addon, coredns), spec.needsNodes, spec.name);
        }
        assert.deepEqual(ADDON_CATALOG.filter((a) => !a.needsNodes).map((a) => a.name).sort(), ["aws-node-termination-handler", "fluent-bit"]);
    });

    it("registers in Argo CD by default: a cluster Secret on the Ops cluster's provider, labelled env/region/color/cron", () => {
        const secret = run.one(SECRET);
        assert.ok(usesProvider(secret, run.one("pulumi:providers:kubernetes", "ops")), `on ${secret.provider}`);
        assert.deepEqual(secret.inputs.metadata, {
            name: `cluster-${CLUSTER}`,
            namespace: "argocd",
            labels: {
                "argocd.argoproj.io/secret-type": "cluster",
                "mitene.io/env": "prod",
                "mitene.io/region": "us-west-2",
                "mitene.io/color": "green",
                "mitene.io/cron": "false",
            },
        });
    });

    it("the cluster Secret's data is secret and holds the endpoint, CA and awsAuthConfig with Argo CD's role", () => {
        const secret = run.one(SECRET);
        assert.ok(isMasked(secret.inputs.stringData), "stringData must reach the engine as a secret");
        const data = secret.revealed.stringData as { name: string; server: string; config: string };
        assert.equal(data.name, CLUSTER);
        assert.equal(data.server, eksState().eksCluster.endpoint);
        assert.deepEqual(JSON.parse(data.config), {
            awsAuthConfig: { clusterName: CLUSTER, roleARN: ARGOCD_ROLE },
            tlsClientConfig: { insecure: false, caData: eksState().eksCluster.certificateAuthority.data },
        });
    });

    it("lets the rollback role's group on the Ops cluster get and patch this cluster's Secret, by name, and nothing else", () => {
        const ops = run.one("pulumi:providers:kubernetes", "ops");
        const role = run.one("kubernetes:rbac.authorization.k8s.io/v1:Role");
        const binding = run.one("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding");
        assert.ok(usesProvider(role, ops) && usesProvider(binding, ops));
        assert.deepEqual(role.inputs.metadata, { name: `mitene-rollback-${CLUSTER}`, namespace: "argocd" });
        assert.deepEqual(role.inputs.rules, [{ apiGroups: [""], resources: ["secrets"], resourceNames: [`cluster-${CLUSTER}`], verbs: ["get", "patch"] }]);
        assert.deepEqual(binding.inputs.roleRef, { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: `mitene-rollback-${CLUSTER}` });
        assert.deepEqual(binding.inputs.subjects, [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "mitene:rollback" }]);
    });

    it("registers in Argo CD only after every add-on (the apps need them)", () => {
        const registration = run.one("mitene:argocd:ClusterRegistration");
        const addons = run.ofType("mitene:addons:AddonRelease");
        assert.equal(addons.length, selectAddons([]).length);
        for (const addon of addons) assert.ok(run.dependsOn(registration, addon.object!), addon.name);
    });

    it("tags the cluster with env and color", () => {
        assert.deepEqual(run.one("eks:index:Cluster").inputs.tags, { "mitene.io/env": "prod", "mitene.io/color": "green" });
    });

    it("never touches the default AWS provider", () => {
        const provider = run.one("pulumi:providers:aws", "aws");
        for (const r of run.resources.filter((x) => x.type.startsWith("aws:"))) assert.ok(usesProvider(r, provider), `${r.type} ${r.name}`);
    });
});

describe("ServiceCluster: not registered in Argo CD, a subset of add-ons", function () {
    let run: Run;
    before(async () => {
        run = await runComponent(serviceCluster({
            argocdRegistered: false,
            cron: true,
            addons: ADDON_CATALOG.filter((a) => ["aws-load-balancer-controller", "metrics-server"].includes(a.name)),
        }));
    });

    it("argocdRegistered=false creates no cluster Secret and no registration", () => {
        assert.deepEqual(run.ofType(SECRET), []);
        assert.deepEqual(run.ofType("mitene:argocd:ClusterRegistration"), []);
    });
    it("keeps Argo CD's access entry (deregistering is not revoking)", () => {
        assert.ok((run.one("eks:index:Cluster").inputs.accessEntries as Record<string, unknown>).argocd);
    });
    it("installs only the add-ons given", () => {
        assert.deepEqual(run.ofType(RELEASE).map((r: Resource) => r.inputs.name).sort(), ["aws-load-balancer-controller", "metrics-server"]);
    });
    it("still binds the services", () => assert.equal(run.ofType(TGB).length, 2));
});

describe("ServiceCluster: validation, before any resource exists", () => {
    const api = { name: "api", namespace: "mitene", serviceName: "api", port: 3000, servicePort: 3000, targetGroupArn: tgArn("api") };
    const cases: { title: string; overrides: Overrides; message: RegExp }[] = [
        { title: "two services binding the same Kubernetes Service", overrides: { services: [api, { ...api, name: "api2" }] }, message: /two services bind the same Kubernetes Service: mitene\/api, mitene\/api/ },
        { title: "a parameter path without a leading /", overrides: { parameterPath: "mitene/prod" }, message: /parameterPath "mitene\/prod" must start with \// },
        { title: "services without the load balancer controller", overrides: { addons: ADDON_CATALOG.filter((a) => a.name === "metrics-server") }, message: /TargetGroupBindings need the aws-load-balancer-controller add-on/ },
    ];
    for (const c of cases) {
        it(`rejects ${c.title}`, async () => {
            const failed = await runFailing(serviceCluster(c.overrides));
            const [cause] = failed.error.causes;
            assert.ok(cause instanceof ArgsError, String(cause));
            assert.equal(cause.problems.length, 1, cause.problems.join(" | "));
            assert.match(cause.problems[0], c.message);
            assert.deepEqual(constructedAfter(failed, "mitene:cluster:ServiceCluster").map((r) => `${r.type} ${r.name}`), []);
        });
    }
});

describe("IrsaRole", () => {
    type Overrides = Partial<Omit<IrsaRoleArgs, "provider">>;
    const irsa = (overrides: Overrides = {}) => () => {
        const provider = new aws.Provider("aws", { region: "us-west-2" });
        new IrsaRole("role", {
            provider,
            oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/ABC",
            oidcProviderUrl: "https://oidc.eks.us-west-2.amazonaws.com/id/ABC",
            namespace: "mitene",
            serviceAccount: "uploader",
            policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["s3:PutObject"], Resource: "arn:aws:s3:::photos/*" }] },
            ...overrides,
        });
    };

    it("describes the role by its service account by default, and attaches the policy inline", async () => {
        const run = await runComponent(irsa());
        const role = run.one("aws:iam/role:Role", "role");
        assert.equal(role.inputs.description, "IRSA role of mitene/uploader");
        const trust = parseJson<PolicyDocument>(role.inputs.assumeRolePolicy);
        assert.equal(trust.Statement[0].Condition!.StringEquals["oidc.eks.us-west-2.amazonaws.com/id/ABC:sub"], "system:serviceaccount:mitene:uploader");
        const policy = run.one("aws:iam/rolePolicy:RolePolicy", "role");
        assert.equal(policy.inputs.role, role.state.name);
        assert.deepEqual(parseJson(policy.inputs.policy), { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["s3:PutObject"], Resource: "arn:aws:s3:::photos/*" }] });
    });

    const cases: { title: string; overrides: Overrides; message: RegExp }[] = [
        { title: "a namespace that is not a Kubernetes name", overrides: { namespace: "Mitene" }, message: /namespace "Mitene" is not a Kubernetes name/ },
        { title: "a service account that is not a Kubernetes name", overrides: { serviceAccount: "uploader*" }, message: /serviceAccount "uploader\*" is not a Kubernetes name/ },
    ];
    for (const c of cases) {
        it(`rejects ${c.title}`, async () => {
            const failed = await runFailing(irsa(c.overrides));
            const [cause] = failed.error.causes;
            assert.ok(cause instanceof ArgsError, String(cause));
            assert.equal(cause.problems.length, 1, cause.problems.join(" | "));
            assert.match(cause.problems[0], c.message);
            assert.deepEqual(constructedAfter(failed, "mitene:iam:IrsaRole"), []);
        });
    }
});
