/**
 * Stack configuration schemas, one per stack program. Keys live under the `mitene:` namespace of the stack
 * files; every key is listed here with its default, so this file is the reference for the stack files.
 */
import { z } from "zod";
import { COLORS, AWS_NAME_MAX, targetGroupName } from "../../components/naming";
import { Weights, weightProblems } from "../../components/weights";
import { isMinorVersion, compareMinor, minorDistance } from "../../components/kubernetesVersions";
import { subnetPlanProblems } from "../../components/subnetPlan";
import { LOG_RETENTION_DAYS, isWholeInternet, parseInstant } from "../../components/validation";
import { recordConsistencyProblems, upgradeRecordSchema } from "../upgradeRecord";

/** Stack config values arrive as strings; structured values as JSON. These accept both forms. */
const bool = z.union([z.boolean(), z.enum(["true", "false"]).transform((v) => v === "true")], { error: "expected true or false" });
const int = (min: number, max: number) =>
    z.union([z.number(), z.string().regex(/^-?\d+$/).transform(Number)], { error: "expected a whole number" }).pipe(z.number().int({ error: "expected a whole number" }).min(min).max(max));
const num = (min: number, max: number) =>
    z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/).transform(Number)], { error: "expected a number" }).pipe(z.number().min(min).max(max));

const kubernetesVersion = z.string().refine(isMinorVersion, "expected a Kubernetes minor like 1.34");
const cidr = z.string().regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, "expected an IPv4 CIDR like 10.20.0.0/16");
const arn = (service: string) => z.string().regex(new RegExp(`^arn:aws[a-z-]*:${service}:`), `expected an ${service} ARN`);
const hostname = z.string().regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, "expected a DNS host name");
const dnsLabel = z.string().regex(/^[a-z]([a-z0-9-]{0,30}[a-z0-9])?$/, "expected a lower-case DNS label");
const awsRegion = z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, "expected an AWS region like ap-northeast-1");

export const nodeGroupSchema = z.strictObject({
    /** Suffix of the node group name. */
    name: dnsLabel,
    /** SPOT or ON_DEMAND. Default SPOT: service clusters run stateless pods that tolerate interruption. */
    capacityType: z.enum(["SPOT", "ON_DEMAND"]).default("SPOT"),
    /** Several similar types so spot capacity is found in every AZ. */
    instanceTypes: z.array(z.string().regex(/^[a-z0-9-]+\.[a-z0-9]+$/, "expected an EC2 instance type")).min(1),
    minSize: int(0, 1000),
    maxSize: int(1, 1000),
    desiredSize: int(0, 1000),
    /** Root volume size. Default 50 GiB. */
    diskSizeGiB: int(20, 2000).default(50),
    /** Pods per node the VPC CNI may place (IP capacity planning). Default 58 (m6i.xlarge class). */
    maxPodsPerNode: int(1, 737).default(58),
    /** Extra Kubernetes node labels. Default none. */
    labels: z.record(z.string(), z.string()).default({}),
});

const nodeGroups = z
    .array(nodeGroupSchema)
    .min(1)
    .superRefine((groups, ctx) => {
        const names = groups.map((g) => g.name);
        if (new Set(names).size !== names.length) ctx.addIssue({ code: "custom", message: `node group names repeat: ${names.join(", ")}` });
        groups.forEach((g, i) => {
            if (!(g.minSize <= g.desiredSize && g.desiredSize <= g.maxSize)) {
                ctx.addIssue({ code: "custom", path: [i], message: `needs minSize <= desiredSize <= maxSize, got ${g.minSize} <= ${g.desiredSize} <= ${g.maxSize}` });
            }
        });
    });

/** The public API endpoint is off unless an allow-list without the whole internet is given. */
const publicAccessCidrs = z
    .array(cidr)
    .default([])
    .refine((list) => !list.some(isWholeInternet), "the EKS API must not be open to the whole internet (a /0 CIDR)");

const network = {
    /** VPC CIDR; /16 recommended so both colors' pods fit. */
    vpcCidr: cidr,
    /** Three AZs of the region. */
    availabilityZones: z.array(z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d[a-z]$/, "expected an availability zone like ap-northeast-1a")).min(2),
    /** Private subnet size. Default /19 (8187 addresses), never smaller than /20. */
    privateSubnetPrefixLength: int(16, 28).default(19),
    /** Public subnet size (ALB and NAT only). Default /24. */
    publicSubnetPrefixLength: int(16, 28).default(24),
    /** NAT gateways: OnePerAz (default, no cross-AZ dependency) or Single (cheaper, for non-prod). */
    natGateways: z.enum(["OnePerAz", "Single"]).default("OnePerAz"),
};

const roleArn = z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/, "expected an IAM role ARN");

/**
 * Which AWS account the env lives in and the roles its runs use: every stack of an env names the same ones
 * (stacks/envChecks.ts), with the fixed names `mitene-<env>-<access>` (stacks/config/access.ts). Every AWS
 * provider assumes the run's role (MITENE_ACCESS) and every kubeconfig names it; the callers need
 * sts:AssumeRole on it.
 */
const account = {
    /** The env's AWS account id. Every AWS provider refuses any other account (allowedAccountIds). */
    accountId: z.string().regex(/^\d{12}$/, "expected a 12-digit AWS account id"),
    /** `mitene-<env>-deploy`: deploy, upgrade, ops-upgrade and discard runs (MITENE_ACCESS=deploy, the default); cluster admin everywhere. */
    deployRoleArn: roleArn,
    /** `mitene-<env>-preview`: previews (MITENE_ACCESS=preview); reads only, view on every cluster. */
    previewRoleArn: roleArn,
    /** `mitene-<env>-rollback`: rollbacks (MITENE_ACCESS=rollback); view on every cluster plus the cron switch. */
    rollbackRoleArn: roleArn,
};

/** The account segment of an ARN (empty for global ones like IAM's partition-only ARNs). */
const arnAccount = (arnText: string) => arnText.split(":")[4] ?? "";

type AccountValues = { accountId: string; deployRoleArn: string; previewRoleArn: string; rollbackRoleArn: string };

/** ARNs in the stack file must belong to the env's account: a prod stack never uses a staging certificate. */
function checkAccount(value: AccountValues, arns: Record<string, string | undefined>, ctx: z.RefinementCtx) {
    // An account id or ARN that does not parse is reported by its own check, once.
    if (!/^\d{12}$/.test(value.accountId)) return;
    const roles = { deployRoleArn: value.deployRoleArn, previewRoleArn: value.previewRoleArn, rollbackRoleArn: value.rollbackRoleArn };
    for (const [key, arnText] of Object.entries({ ...roles, ...arns })) {
        if (typeof arnText === "string" && arnText.startsWith("arn:") && arnAccount(arnText) !== value.accountId) {
            ctx.addIssue({ code: "custom", path: key.split(".").map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment)), message: `${arnText} is in account ${arnAccount(arnText)}, not the env's account ${value.accountId}` });
        }
    }
}

function checkSubnetPlan(value: { vpcCidr: string; availabilityZones: string[]; privateSubnetPrefixLength: number; publicSubnetPrefixLength: number }, ctx: z.RefinementCtx) {
    for (const problem of subnetPlanProblems({
        vpcCidr: value.vpcCidr,
        availabilityZones: value.availabilityZones,
        privatePrefixLength: value.privateSubnetPrefixLength,
        publicPrefixLength: value.publicSubnetPrefixLength,
    })) {
        ctx.addIssue({ code: "custom", path: ["vpcCidr"], message: problem });
    }
}

const logRetentionDays = int(1, 3653).refine((days) => LOG_RETENTION_DAYS.includes(days), `must be one of CloudWatch's retention periods: ${LOG_RETENTION_DAYS.join(", ")}`);

/** Access entries the clusters' own callers take: an operator's role may not be named a second time. */
export const RESERVED_ACCESS_ENTRIES = ["deploy", "preview", "rollback", "argocd"] as const;

/** An operator's role given access to the clusters of a stack (break-glass SSO roles, an on-call team). */
const operatorAccessSchema = z.strictObject({
    /** Name of the access entry. */
    name: dnsLabel,
    /** The IAM role, with its path as IAM shows it (SSO roles live under /aws-reserved/sso.amazonaws.com/). */
    principalArn: roleArn,
    /** admin: AmazonEKSClusterAdminPolicy; view: AmazonEKSViewPolicy (no Secrets, no writes). */
    access: z.enum(["admin", "view"]),
});

/** Settings every EKS cluster has (Ops and service clusters alike). */
const clusterLifecycle = {
    /**
     * What EKS does when the cluster's minor leaves standard support (EKS API UpgradePolicyRequest; the
     * pulumi-eks 4.3.0 `upgradePolicy` input, whose default is EXTENDED). Default EXTENDED: a late cluster then
     * costs $0.60 instead of $0.10 per cluster-hour (preflight warns with `version-extended-support`), while
     * STANDARD makes EKS upgrade the control plane in place at the end of standard support, when it chooses:
     * no preflight (removed APIs, add-on ranges), node groups and core add-ons left behind, and the stack file
     * still naming the old minor, so the next `up` asks EKS for a downgrade it refuses. A blue/green service
     * cluster must never be upgraded in place; the Ops cluster is upgraded in place anyway, but by
     * `mitene ops-upgrade`, in order and after preflight. Late costs money; STANDARD risks an unplanned change.
     */
    supportType: z.enum(["STANDARD", "EXTENDED"]).default("EXTENDED"),
    /**
     * Retention of the control-plane log group `/aws/eks/<cluster>/cluster`, which the stack creates before the
     * cluster and deletes with it. Default 90 days: the audit and authenticator logs are what an access review
     * or an incident reads, and a quarter covers the review cycle; EKS would otherwise create the group
     * itself, never expiring, and leave it behind when the cluster goes.
     */
    controlPlaneLogRetentionDays: logRetentionDays.default(90),
    /** Operators' roles with access to the cluster, beside the env's deploy, preview and rollback roles. Default none. */
    operatorAccess: z.array(operatorAccessSchema).default([]),
};

/** The operators' role ARNs by config key: they must be in the env's account too. */
const operatorArns = (operators: { principalArn: string }[]) => Object.fromEntries(operators.map((o, i) => [`operatorAccess.${i}.principalArn`, o.principalArn]));

/** Operator entries with their own names, none for a principal the stack already gives an entry (EKS allows one per principal). */
function checkOperators(value: AccountValues & { operatorAccess: { name: string; principalArn: string }[] }, ctx: z.RefinementCtx) {
    const envRoles = [value.deployRoleArn, value.previewRoleArn, value.rollbackRoleArn];
    const names = new Set<string>(RESERVED_ACCESS_ENTRIES);
    const principals = new Set<string>(envRoles);
    value.operatorAccess.forEach((operator, i) => {
        if (names.has(operator.name)) ctx.addIssue({ code: "custom", path: ["operatorAccess", i, "name"], message: `"${operator.name}" is taken (${RESERVED_ACCESS_ENTRIES.join(", ")} and each operator name once)` });
        if (principals.has(operator.principalArn)) ctx.addIssue({ code: "custom", path: ["operatorAccess", i, "principalArn"], message: `${operator.principalArn} already has an access entry: EKS allows one per principal` });
        names.add(operator.name);
        principals.add(operator.principalArn);
    });
}

// ---------------------------------------------------------------- ops-<env>

/** The env's CI runners in the Ops VPC (components/ciRunner.ts). */
const ciRunnerSchema = z.strictObject({
    /** The GitHub repository the workflows run in, https://github.com/<owner>/<repo>. */
    repositoryUrl: z.string().regex(/^https:\/\/github\.com\/[\w.-]+\/[\w.-]+$/, "expected https://github.com/<owner>/<repo>"),
    /** CodeConnections connection to GitHub, created once in the console (it needs a GitHub app authorization). */
    connectionArn: z.string().regex(/^arn:aws[a-z-]*:(codeconnections|codestar-connections):[a-z0-9-]+:\d{12}:connection\/[\w-]+$/, "expected a CodeConnections connection ARN"),
    /** Build host size. Default BUILD_GENERAL1_MEDIUM. */
    computeType: z.enum(["BUILD_GENERAL1_SMALL", "BUILD_GENERAL1_MEDIUM", "BUILD_GENERAL1_LARGE", "BUILD_GENERAL1_XLARGE", "BUILD_GENERAL1_2XLARGE"]).default("BUILD_GENERAL1_MEDIUM"),
    /**
     * GitHub account IDs (numbers, `gh api users/<login> --jq .id`) whose workflow jobs the deploy runner takes
     * (the webhook's ACTOR_ACCOUNT_ID filter). Default none: any actor's job that passes the workflow-name filter;
     * who may deploy stays the GitHub environments' rule either way.
     */
    deployActorAccountIds: z.array(z.string().regex(/^\d{1,20}$/, "expected a GitHub account ID (a number)")).min(1).optional(),
});

/** What the other regions of a wave do when one of them rolls back. */
export const ON_REGION_ROLLBACK = ["halt", "continue", "rollback-wave"] as const;

/**
 * How an env's upgrades move traffic from region to region (`mitene:rollout` of the Ops stack, the env's one
 * long-lived stack; read by the driver, not by the Ops program). The canary regions go first, together and
 * alone (wave 0); the rest follow in waves, by size or by list. A wave starts only when every region of the
 * one before has served 100% on the new color for `waveBakeMinutes` and `waveMinRequests` requests with its
 * gate passing. Each key has an `upgrade` option that overrides it (README "Choosing a canary and waves").
 */
export const rolloutSchema = z
    .strictObject({
        /** The regions that go first, together and alone. Default: the env's first region, sorted. */
        canary: z.array(awsRegion).min(1).optional(),
        /**
         * After the canary: how many regions move traffic at once, one wave after another (1: one region after
         * another), or the waves themselves as lists of regions, in order (every region of the env in one).
         * Default 1.
         */
        waves: z.union([int(1, 100), z.array(z.array(awsRegion).min(1)).min(1)]).default(1),
        /**
         * How long every region of a wave must have served 100% on the new color, its gate passing, before the
         * next wave starts; the 100% step's own bake counts. Default 10 (one bake: adds no time to the default steps).
         */
        waveBakeMinutes: num(0, 1440).default(10),
        /** And how many requests each must have served at 100% meanwhile; too few hold the next wave back. Default 1000. */
        waveMinRequests: int(0, 1e9).default(1000),
        /** When a region rolls back, the others of its wave stop where they are (halt), go on, or roll back too. Default halt. */
        onRegionRollback: z.enum(ON_REGION_ROLLBACK).default("halt"),
    })
    .superRefine((value, ctx) => {
        const placed = [...(value.canary ?? []), ...(Array.isArray(value.waves) ? value.waves.flat() : [])];
        const twice = [...new Set(placed.filter((region, i) => placed.indexOf(region) !== i))];
        if (twice.length > 0) ctx.addIssue({ code: "custom", message: `${twice.join(", ")} placed more than once (canary and waves name each region once)` });
    });

export type RolloutConfig = z.output<typeof rolloutSchema>;

export const opsConfigSchema = z
    .strictObject({
        ...account,
        /** Region of the Ops cluster. */
        region: awsRegion,
        /** Control-plane version. The in-place upgrade moves this first. */
        kubernetesVersion,
        /** Version of the core add-ons (vpc-cni, coredns, kube-proxy). Default: kubernetesVersion. */
        coreAddonsVersion: kubernetesVersion.optional(),
        /** Version of the managed node groups. Default: kubernetesVersion. */
        nodeGroupVersion: kubernetesVersion.optional(),
        ...network,
        nodeGroups,
        publicAccessCidrs,
        ...clusterLifecycle,
        /** S3 bucket receiving the internal tools ALB's access logs. */
        accessLogsBucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "expected an S3 bucket name"),
        argocd: z.strictObject({
            /** Internal host name of the Argo CD UI and API. */
            hostname,
            /** ACM certificate for that host name. */
            certificateArn: arn("acm"),
            /** Private hosted zone holding the host name. */
            privateHostedZoneId: z.string().regex(/^Z[A-Z0-9]{4,32}$/, "expected a Route 53 hosted zone id"),
            /** GitOps repository the app-of-apps points at. */
            gitopsRepoUrl: z.string().regex(/^(https:\/\/|git@)/, "expected an https:// or git@ repository URL"),
            /** Directory of the app-of-apps in that repository. Default `apps`. */
            gitopsPath: z.string().min(1).default("apps"),
            /** Branch or tag. Default `main`. */
            gitopsRevision: z.string().min(1).default("main"),
            sso: z.strictObject({
                /** OIDC issuer URL of the identity provider. */
                issuer: z.string().url(),
                clientId: z.string().min(1),
                /** SSM SecureString parameter holding the client secret (used when `argocdSsoClientSecret` is not set). */
                clientSecretParameter: z.string().regex(/^\/[\w./-]+$/, "expected an SSM parameter name").optional(),
                /** IdP groups mapped to Argo CD admin. Default none. */
                adminGroups: z.array(z.string()).default([]),
            }),
        }),
        /** SSO client secret as a Pulumi secret (`pulumi config set --secret`); else read from `argocd.sso.clientSecretParameter`. */
        argocdSsoClientSecret: z.string().min(1).optional(),
        /** Grafana on the Ops cluster. Default off. */
        grafana: z.strictObject({ enabled: bool.default(false), hostname: hostname.optional() }).default({ enabled: false }),
        /** CodeBuild-hosted GitHub Actions runners in the Ops VPC for the deploy and upgrade jobs. Default none. */
        ciRunner: ciRunnerSchema.optional(),
        /**
         * Where the env stands in a version cycle: `after` goes through each Kubernetes version first and must have
         * served it for `soakDays` before this env's upgrades start (automation/plan/order.ts). Default none: the env
         * goes first.
         */
        versionCycle: z.strictObject({ after: dnsLabel, soakDays: int(0, 365) }).optional(),
        /** The env's rollout plan for the service-cluster upgrades (rolloutSchema above). */
        rollout: rolloutSchema.default(rolloutSchema.parse({})),
    })
    .superRefine(checkSubnetPlan)
    .superRefine(checkOperators)
    .superRefine((value, ctx) => {
        checkAccount(value, { "argocd.certificateArn": value.argocd.certificateArn, "ciRunner.connectionArn": value.ciRunner?.connectionArn, ...operatorArns(value.operatorAccess) }, ctx);
    })
    .superRefine((value, ctx) => {
        // Refinements run even when a version is malformed (already reported): compare only well-formed ones.
        const comparable = (version: unknown): version is string => typeof version === "string" && isMinorVersion(version) && typeof value.kubernetesVersion === "string" && isMinorVersion(value.kubernetesVersion);
        for (const [key, version] of [["coreAddonsVersion", value.coreAddonsVersion], ["nodeGroupVersion", value.nodeGroupVersion]] as const) {
            if (comparable(version) && compareMinor(version, value.kubernetesVersion) > 0) {
                ctx.addIssue({ code: "custom", path: [key], message: `${version} is ahead of the control plane ${value.kubernetesVersion}` });
            }
        }
        if (comparable(value.nodeGroupVersion) && minorDistance(value.nodeGroupVersion, value.kubernetesVersion) > 3) {
            ctx.addIssue({ code: "custom", path: ["nodeGroupVersion"], message: "nodes may be at most three minors behind the control plane" });
        }
        if (!value.argocdSsoClientSecret && !value.argocd.sso.clientSecretParameter) {
            ctx.addIssue({ code: "custom", path: ["argocd", "sso", "clientSecretParameter"], message: "required unless argocdSsoClientSecret is set as a secret" });
        }
        if (value.grafana.enabled && !value.grafana.hostname) {
            ctx.addIssue({ code: "custom", path: ["grafana", "hostname"], message: "required when grafana.enabled is true" });
        }
    })
    .transform((value) => ({
        ...value,
        coreAddonsVersion: value.coreAddonsVersion ?? value.kubernetesVersion,
        nodeGroupVersion: value.nodeGroupVersion ?? value.kubernetesVersion,
    }));

export type OpsConfig = z.output<typeof opsConfigSchema>;

// ---------------------------------------------------------------- region-<env>-<region>

export const serviceSchema = z.strictObject({
    /** Short service name; part of target group names (32 characters at most in all). */
    name: dnsLabel,
    /** Public host name the listener rule matches. */
    host: hostname,
    /** Container port the pods listen on (IP targets, and the port the binding opens on the pods). */
    port: int(1, 65535),
    /** Port of the Kubernetes Service in front of the pods. Default: port. */
    servicePort: int(1, 65535).optional(),
    /** Health-check path of the target groups. Default `/healthz`. */
    healthCheckPath: z.string().regex(/^\//, "expected a path starting with /").default("/healthz"),
    /** Namespace of the Kubernetes Service. Default `mitene`. */
    namespace: dnsLabel.default("mitene"),
    /** Kubernetes Service name. Default: the service name. */
    serviceName: dnsLabel.optional(),
});

const percent = z.union([z.number(), z.string().transform(Number)]);

/**
 * The metric gate of every traffic step (automation/gate/). Every field has a default; README "The gate"
 * explains how to read a verdict and tune these.
 */
export const gateSchema = z.strictObject({
    /** Highest acceptable 5xx rate of the new color, absolute. Default 0.01 (1%). */
    maxErrorRate: num(0, 1).default(0.01),
    /** Highest acceptable p99 latency of the new color in ms, absolute. Default 1500. */
    maxP99Ms: num(1, 600000).default(1500),
    /** Most unhealthy hosts tolerated in the new color's target groups. Default 0. */
    maxUnhealthyHosts: int(0, 1000).default(0),
    /** The new error rate may be at most this multiple of the old color's (plus errorRateSlack). Default 2. */
    maxErrorRateRatio: num(1, 100).default(2),
    /** Below this absolute difference (0.1 point) error rates are not compared: 0.01% vs 0.03% is noise. Default 0.001. */
    errorRateSlack: num(0, 1).default(0.001),
    /** The new p99 may be at most this multiple of the old color's. Default 1.5. */
    maxP99Ratio: num(1, 100).default(1.5),
    /** A step is promoted only with at least this many requests on the new color since it began. Default 200. */
    minRequests: int(1, 1e9).default(200),
    /** How long a step may stay without enough traffic before it is given up and traffic goes back. Default 30m. */
    inconclusiveTimeoutMinutes: num(0, 1440).default(30),
    /**
     * A count-based check fails only when its exact one-sided test rejects "within the limit" at this level.
     * Default 0.001: with about 80 tests per region upgrade (2 windows x 4 checks x 10 looks per step, most far
     * from their limit) healthy releases are rolled back well under once in a thousand upgrades (npm run bench).
     */
    significance: num(1e-12, 0.5).default(0.001),
    /** Failed looks in a row that roll back (Flagger's threshold). Default 1: each look is already a significance test. */
    failureLimit: int(1, 100).default(1),
    /** Failed metric queries in a row that fail the step closed. Default 4, Argo Rollouts' consecutiveErrorLimit. */
    queryErrorLimit: int(1, 100).default(4),
});

export type GateConfig = z.output<typeof gateSchema>;

export const regionConfigSchema = z
    .strictObject({
        ...account,
        ...network,
        /** ACM certificate for the service host names. */
        certificateArn: arn("acm"),
        /** Public hosted zone of the service host names. */
        hostedZoneId: z.string().regex(/^Z[A-Z0-9]{4,32}$/, "expected a Route 53 hosted zone id"),
        /** S3 bucket receiving ALB access logs (its policy must allow the regional ELB account). */
        accessLogsBucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "expected an S3 bucket name"),
        services: z.array(serviceSchema).min(1),
        /** Traffic split between the colors in percent, summing to 100. Set by the driver during upgrades. */
        weights: z
            .record(z.string(), percent)
            .superRefine((weights, ctx) => {
                for (const problem of weightProblems(weights)) ctx.addIssue({ code: "custom", message: problem });
            })
            .transform((weights): Weights => ({ blue: weights.blue, green: weights.green })),
        /** The color whose cluster owns the cron jobs; a cluster may enable them only when it is this color. */
        cronColor: z.enum(COLORS),
        gate: gateSchema.default(gateSchema.parse({})),
        /** Written by the driver while an upgrade is under way or rolled back (stacks/upgradeRecord.ts). */
        upgrade: upgradeRecordSchema.optional(),
    })
    .superRefine(checkSubnetPlan)
    .superRefine((value, ctx) => checkAccount(value, { certificateArn: value.certificateArn }, ctx))
    .superRefine((value, ctx) => {
        if (value.upgrade) {
            for (const problem of recordConsistencyProblems(value.upgrade, value.weights, value.cronColor)) ctx.addIssue({ code: "custom", path: ["upgrade"], message: problem });
        }
        const names = value.services.map((s) => s.name);
        if (new Set(names).size !== names.length) ctx.addIssue({ code: "custom", path: ["services"], message: `service names repeat: ${names.join(", ")}` });
        const hosts = value.services.map((s) => s.host);
        if (new Set(hosts).size !== hosts.length) ctx.addIssue({ code: "custom", path: ["services"], message: `service hosts repeat: ${hosts.join(", ")}` });
    });


/** Target group names are built from env, region and service; the longest must fit AWS's 32 characters. */
export function targetGroupNameProblems(env: string, region: string, services: { name: string }[]): string[] {
    return services
        .map((s) => targetGroupName(env, region, s.name, "green"))
        .filter((name) => name.length > AWS_NAME_MAX)
        .map((name) => `target group name "${name}" is longer than ${AWS_NAME_MAX} characters: shorten the service name`);
}

// ---------------------------------------------------------------- mitene-<env>-<region>-<color>

export const clusterConfigSchema = z.strictObject({
    ...account,
    /** Kubernetes version of the control plane, node groups and core add-ons alike (clusters are replaced, not upgraded). */
    kubernetesVersion,
    /** Whether the cron jobs run on this cluster (an Argo CD cluster label). Exactly one cluster per region has it. */
    cron: bool,
    /** Since when the cluster serves its region at its version (ISO time), written by the driver at the cron cut-over: the soak clock. Default none. */
    servingSince: z.string().refine((text) => !Number.isNaN(parseInstant(text)), "expected an ISO time like 2026-12-04T10:15Z").optional(),
    /** Whether the cluster is registered in Argo CD. Default true; the driver turns it off before destroying. */
    argocdRegistered: bool.default(true),
    nodeGroups,
    publicAccessCidrs,
    ...clusterLifecycle,
    /** Amazon Managed Prometheus workspace the Prometheus agent remote-writes to. */
    ampWorkspaceId: z.string().regex(/^ws-[a-z0-9-]+$/, "expected an AMP workspace id like ws-..."),
    /** SSM Parameter Store path external-secrets may read. Default `/mitene/<env>`. */
    parameterPath: z.string().regex(/^(\/[\w.-]+)+$/, "expected a path like /mitene/prod").optional(),
    /**
     * Install the AWS Node Termination Handler. Default false: its README says EKS managed node groups (all
     * this platform uses) do not need it, as EKS drains spot nodes on interruption itself. Turn it on for
     * self-managed spot nodes, where teams have seen it cure 502/504s during interruptions.
     */
    nodeTerminationHandler: bool.default(false),
    /** Retention of the container log group. Default 30 days. */
    logRetentionDays: logRetentionDays.default(30),
})
    .superRefine(checkOperators)
    .superRefine((value, ctx) => checkAccount(value, operatorArns(value.operatorAccess), ctx));
