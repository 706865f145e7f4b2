/**
 * The platform's security rules as plain data and pure functions over one resource `{ type, name, inputs }`.
 * The same rules run in real previews (policy/index.ts, through @pulumi/policy) and, credential-free, over
 * rendered graphs (policy/graph.ts). Each rule reads the inputs in both shapes they come in: the wrapper
 * components' inputs the mock runtime records (`eks:index:Cluster`), and the raw AWS resources those
 * components create, which are what a real preview shows the analyzer (`aws:eks/cluster:Cluster`).
 *
 * Deliberately self-contained: the pack judges the components, so it does not reuse their helpers.
 */
import { inlinePolicies, readOnlyPrincipal, readOnlyProblems } from "./iamAccess";
import { asList, asRecord, isGiven, isInternet, portRangeCovers } from "./inputs";
import { webIdentityTrustProblems } from "./trust";

export type EnforcementLevel = "mandatory" | "advisory";

export interface PolicyResource {
    type: string;
    name: string;
    inputs: Record<string, unknown>;
}

export interface Rule {
    /** Kebab-case, unique. */
    name: string;
    description: string;
    enforcementLevel: EnforcementLevel;
    /** Resource types the rule looks at. */
    types: readonly string[];
    /** Violation messages for a resource of one of `types`; empty when it complies. */
    check(resource: PolicyResource): string[] | Promise<string[]>;
}

const EKS_CLUSTER_TYPES = ["eks:index:Cluster", "aws:eks/cluster:Cluster"];
const NODE_GROUP_TYPES = ["eks:index:ManagedNodeGroup", "aws:eks/nodeGroup:NodeGroup"];

const CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"];

/*
 * EKS settings sit at the top of the @pulumi/eks component's inputs and in blocks of the AWS resource's. Each
 * rule reads only its own: in a preview, reading a value not known yet stops the rule that reads it.
 */
const isEksComponent = (type: string) => type === "eks:index:Cluster";

/** The endpoint settings, named alike in both shapes. */
const endpointSettings = ({ type, inputs }: PolicyResource) => (isEksComponent(type) ? inputs : asRecord(inputs.vpcConfig));

const eksPrivateEndpoint: Rule = {
    name: "eks-private-endpoint",
    description: "The EKS API endpoint is private; a public endpoint needs an allow-list that excludes the internet.",
    enforcementLevel: "mandatory",
    types: EKS_CLUSTER_TYPES,
    check(resource) {
        const endpoint = endpointSettings(resource);
        const problems: string[] = [];
        if (endpoint.endpointPrivateAccess !== true) problems.push("endpointPrivateAccess must be true so nodes and tools reach the API inside the VPC");
        // Unless told otherwise, @pulumi/eks and AWS leave the public endpoint on.
        if (endpoint.endpointPublicAccess !== false) {
            const cidrs = asList(endpoint.publicAccessCidrs);
            if (cidrs.length === 0) problems.push("the public endpoint is on without publicAccessCidrs, which AWS opens to 0.0.0.0/0");
            for (const cidr of cidrs.filter(isInternet)) problems.push(`publicAccessCidrs must not contain ${cidr}`);
        }
        return problems;
    },
};

const eksSecretsEncryption: Rule = {
    name: "eks-secrets-encryption",
    description: "Kubernetes Secrets are envelope-encrypted with a customer-managed KMS key.",
    enforcementLevel: "mandatory",
    types: EKS_CLUSTER_TYPES,
    check({ type, inputs }) {
        const encryption = asRecord(inputs.encryptionConfig);
        const encrypted = isEksComponent(type)
            ? isGiven(inputs, "encryptionConfigKeyArn")
            : asList(encryption.resources).includes("secrets") && isGiven(asRecord(encryption.provider), "keyArn");
        return encrypted ? [] : ["secrets must be encrypted with a customer KMS key (encryptionConfigKeyArn, or encryptionConfig for \"secrets\")"];
    },
};

const eksControlPlaneLogs: Rule = {
    name: "eks-control-plane-logs",
    description: `All five EKS control-plane log types are sent to CloudWatch (${CONTROL_PLANE_LOG_TYPES.join(", ")}).`,
    enforcementLevel: "mandatory",
    types: EKS_CLUSTER_TYPES,
    check({ inputs }) {
        const enabled = asList(inputs.enabledClusterLogTypes);
        const missing = CONTROL_PLANE_LOG_TYPES.filter((logType) => !enabled.includes(logType));
        return missing.length > 0 ? [`enabledClusterLogTypes misses ${missing.join(", ")}`] : [];
    },
};

const eksAccessEntries: Rule = {
    name: "eks-access-entries",
    description: "Cluster access goes through EKS access entries (authenticationMode API), never the aws-auth ConfigMap.",
    enforcementLevel: "mandatory",
    types: [...EKS_CLUSTER_TYPES, "kubernetes:core/v1:ConfigMap", "kubernetes:core/v1:ConfigMapPatch"],
    check({ type, inputs }) {
        if (EKS_CLUSTER_TYPES.includes(type)) {
            const mode = isEksComponent(type) ? inputs.authenticationMode : asRecord(inputs.accessConfig).authenticationMode;
            return mode === "API" ? [] : [`authenticationMode must be API, got ${JSON.stringify(mode ?? "CONFIG_MAP (the default)")}`];
        }
        const metadata = asRecord(inputs.metadata);
        // An unset namespace is the provider's default one, which may well be kube-system.
        const inKubeSystem = metadata.namespace === undefined || metadata.namespace === "kube-system";
        return metadata.name === "aws-auth" && inKubeSystem ? ["the aws-auth ConfigMap grants cluster access outside access entries"] : [];
    },
};

const nodeImdsv2: Rule = {
    name: "node-imdsv2",
    description: "Nodes require IMDSv2 with a hop limit of 1, so pods cannot take the node role's credentials.",
    enforcementLevel: "mandatory",
    types: ["aws:ec2/launchTemplate:LaunchTemplate", ...NODE_GROUP_TYPES],
    check({ type, inputs }) {
        if (NODE_GROUP_TYPES.includes(type)) {
            // Without one, EKS uses its own launch template, whose hop limit of 2 lets pods reach the metadata.
            return isGiven(inputs, "launchTemplate") ? [] : ["a node group needs a launch template enforcing IMDSv2 with hop limit 1"];
        }
        const metadata = asRecord(inputs.metadataOptions);
        const problems: string[] = [];
        if (metadata.httpTokens !== "required") problems.push(`metadataOptions.httpTokens must be "required", got ${JSON.stringify(metadata.httpTokens ?? "optional (the default)")}`);
        if (metadata.httpPutResponseHopLimit !== 1) problems.push(`metadataOptions.httpPutResponseHopLimit must be 1, got ${JSON.stringify(metadata.httpPutResponseHopLimit ?? "unset")}`);
        return problems;
    },
};

const SSH_PORT = 22;

/** Ingress permissions of the three ways to write a security group rule, as protocol, ports and sources. */
function ingressPermissions({ type, inputs }: PolicyResource) {
    if (type === "aws:ec2/securityGroup:SecurityGroup") {
        return asList(inputs.ingress).map(asRecord).map((rule) => ({
            protocol: rule.protocol, fromPort: rule.fromPort, toPort: rule.toPort, sources: [...asList(rule.cidrBlocks), ...asList(rule.ipv6CidrBlocks)],
        }));
    }
    if (type === "aws:ec2/securityGroupRule:SecurityGroupRule") {
        if (inputs.type !== "ingress") return [];
        return [{ protocol: inputs.protocol, fromPort: inputs.fromPort, toPort: inputs.toPort, sources: [...asList(inputs.cidrBlocks), ...asList(inputs.ipv6CidrBlocks)] }];
    }
    return [{ protocol: inputs.ipProtocol, fromPort: inputs.fromPort, toPort: inputs.toPort, sources: [inputs.cidrIpv4, inputs.cidrIpv6] }];
}

const noSsh: Rule = {
    name: "no-ssh",
    description: "No SSH to nodes: no key pair, no node-group remote access, no security group opening port 22 to the internet. Shell access is SSM.",
    enforcementLevel: "mandatory",
    types: [
        "aws:ec2/launchTemplate:LaunchTemplate",
        ...NODE_GROUP_TYPES,
        "aws:ec2/securityGroup:SecurityGroup",
        "aws:ec2/securityGroupRule:SecurityGroupRule",
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    ],
    check(resource) {
        const { type, inputs } = resource;
        if (type === "aws:ec2/launchTemplate:LaunchTemplate") return isGiven(inputs, "keyName") ? ["launch templates must not set keyName"] : [];
        if (NODE_GROUP_TYPES.includes(type)) return isGiven(inputs, "remoteAccess") ? ["node groups must not set remoteAccess"] : [];
        return ingressPermissions(resource)
            .filter((permission) => portRangeCovers(permission.protocol, permission.fromPort, permission.toPort, SSH_PORT))
            .flatMap((permission) => permission.sources.filter(isInternet))
            .map((source) => `ingress allows port ${SSH_PORT} from ${source}`);
    },
};

const LOAD_BALANCER_TYPES = ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"];

/** A rule on Application Load Balancers only; network and gateway load balancers have no such settings. */
function albRule(rule: Omit<Rule, "types" | "check"> & { check(inputs: Record<string, unknown>): string[] }): Rule {
    return {
        ...rule,
        types: LOAD_BALANCER_TYPES,
        check: ({ inputs }) => ((inputs.loadBalancerType ?? "application") === "application" ? rule.check(inputs) : []),
    };
}

const albDropInvalidHeaders = albRule({
    name: "alb-drop-invalid-headers",
    description: "Application Load Balancers drop HTTP headers with invalid names (request smuggling).",
    enforcementLevel: "mandatory",
    check: (inputs) => (inputs.dropInvalidHeaderFields === true ? [] : ["dropInvalidHeaderFields must be true"]),
});

const albDeletionProtection = albRule({
    name: "alb-deletion-protection",
    description: "Application Load Balancers have deletion protection. Advisory: tearing down an environment turns it off first.",
    enforcementLevel: "advisory",
    check: (inputs) => (inputs.enableDeletionProtection === true ? [] : ["enableDeletionProtection should be true"]),
});

const albAccessLogs = albRule({
    name: "alb-access-logs",
    description: "Application Load Balancers write access logs to an S3 bucket.",
    enforcementLevel: "mandatory",
    check(inputs) {
        const logs = asRecord(inputs.accessLogs);
        return logs.enabled === true && isGiven(logs, "bucket") ? [] : ["accessLogs must be enabled with a bucket"];
    },
});

const LISTENER_TYPES = ["aws:lb/listener:Listener", "aws:alb/listener:Listener"];

/** ELB policies that accept nothing older than TLS 1.2. */
const TLS12_POLICY = /^ELBSecurityPolicy-(TLS13-1-[23]|TLS-1-2|FS-1-2)-/;

const listenerTls12: Rule = {
    name: "listener-tls12",
    description: "HTTPS and TLS listeners use a security policy allowing TLS 1.2 or newer only.",
    enforcementLevel: "mandatory",
    types: LISTENER_TYPES,
    check({ inputs }) {
        if (inputs.protocol !== "HTTPS" && inputs.protocol !== "TLS") return [];
        const policy = inputs.sslPolicy;
        if (policy === undefined) return ["sslPolicy must be set: the AWS default policy still accepts TLS 1.0"];
        return typeof policy === "string" && TLS12_POLICY.test(policy) ? [] : [`sslPolicy ${JSON.stringify(policy)} accepts TLS older than 1.2`];
    },
};

const listenerHttpRedirect: Rule = {
    name: "listener-http-redirect",
    description: "Plain-HTTP listeners only redirect to HTTPS.",
    enforcementLevel: "mandatory",
    types: LISTENER_TYPES,
    check({ inputs }) {
        // An ALB listener without a protocol is HTTP.
        if ((inputs.protocol ?? "HTTP") !== "HTTP") return [];
        const actions = asList(inputs.defaultActions).map(asRecord);
        const redirectsToHttps = actions.length > 0 && actions.every((action) => action.type === "redirect" && asRecord(action.redirect).protocol === "HTTPS");
        return redirectsToHttps ? [] : ["an HTTP listener must only redirect to HTTPS"];
    },
};

const irsaTrustScoped: Rule = {
    name: "irsa-trust-scoped",
    description: "IAM roles assumed with web identity (IRSA) trust exactly one Kubernetes service account, for the STS audience.",
    enforcementLevel: "mandatory",
    types: ["aws:iam/role:Role"],
    check: ({ inputs }) => webIdentityTrustProblems(inputs.assumeRolePolicy),
};

const kmsKeyRotation: Rule = {
    name: "kms-key-rotation",
    description: "Symmetric KMS keys rotate their key material yearly.",
    enforcementLevel: "mandatory",
    types: ["aws:kms/key:Key"],
    check({ inputs }) {
        // Asymmetric and HMAC keys cannot rotate.
        if ((inputs.customerMasterKeySpec ?? "SYMMETRIC_DEFAULT") !== "SYMMETRIC_DEFAULT") return [];
        return inputs.enableKeyRotation === true ? [] : ["enableKeyRotation must be true"];
    },
};

const forwardWeightsPercent: Rule = {
    name: "forward-weights-percent",
    description: "Weighted forwards split traffic in integer percentages that sum to 100 (this project's rule; ALB takes any 0..999).",
    enforcementLevel: "mandatory",
    types: ["aws:lb/listenerRule:ListenerRule", "aws:alb/listenerRule:ListenerRule", ...LISTENER_TYPES],
    check({ type, inputs }) {
        const actions = asList(LISTENER_TYPES.includes(type) ? inputs.defaultActions : inputs.actions).map(asRecord);
        return actions.flatMap((action) => {
            const groups = asList(asRecord(action.forward).targetGroups).map(asRecord);
            const weights = groups.map((group) => group.weight);
            // A forward to one target group with no weights is a plain forward, not a split.
            if (groups.length < 2 && weights.every((weight) => weight === undefined)) return [];
            const percents = weights.filter((weight): weight is number => Number.isInteger(weight) && (weight as number) >= 0 && (weight as number) <= 100);
            if (percents.length !== weights.length) return [`forward weights must all be integer percentages 0..100, got ${JSON.stringify(weights)}`];
            const sum = percents.reduce((total, weight) => total + weight, 0);
            return sum === 100 ? [] : [`forward weights must sum to 100, got ${sum} (${weights.join(" + ")})`];
        });
    },
};

const readOnlyPrincipals: Rule = {
    name: "read-only-principals",
    description: "The preview role and the CI runners' service roles hold no write right and no role to assume (beyond their own logs, network interfaces and state decryption): jobs get their rights from OIDC. Over rendered graphs, no role they can assume holds a write right either.",
    enforcementLevel: "mandatory",
    types: ["aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy", "aws:iam/rolePolicyAttachment:RolePolicyAttachment"],
    async check({ type, inputs }) {
        if (type === "aws:iam/role:Role") {
            const problems = await Promise.all(inlinePolicies(inputs).map((document) => readOnlyProblems(String(inputs.name), document)));
            const managed = readOnlyPrincipal(inputs.name) ? asList(inputs.managedPolicyArns) : [];
            return [...problems.flat(), ...managed.map((arn) => `read-only ${String(inputs.name)} has the managed policy ${String(arn)} attached, whose rights this rule cannot see`)];
        }
        if (type === "aws:iam/rolePolicy:RolePolicy") return readOnlyProblems(String(inputs.role), inputs.policy);
        return readOnlyPrincipal(inputs.role) ? [`read-only ${String(inputs.role)} has the managed policy ${String(inputs.policyArn)} attached, whose rights this rule cannot see`] : [];
    },
};

export const RULES: readonly Rule[] = [
    eksPrivateEndpoint,
    eksSecretsEncryption,
    eksControlPlaneLogs,
    eksAccessEntries,
    nodeImdsv2,
    noSsh,
    albDropInvalidHeaders,
    albDeletionProtection,
    albAccessLogs,
    listenerTls12,
    listenerHttpRedirect,
    irsaTrustScoped,
    kmsKeyRotation,
    forwardWeightsPercent,
    readOnlyPrincipals,
];

/** The @pulumi/eks components; the AWS resources they create carry the same settings. */
const EKS_COMPONENT_TYPES = ["eks:index:Cluster", "eks:index:ManagedNodeGroup"];

/** Violation messages of `rule` for `resource`; none when the rule does not look at its type. */
export async function checkResource(rule: Rule, resource: PolicyResource): Promise<string[]> {
    if (!rule.types.includes(resource.type)) return [];
    // In a real preview the @pulumi/eks provider registers its components itself, and one whose SDK does not
    // forward component inputs registers them empty. Such a component is judged through the AWS resources
    // it creates, which every preview shows; judging the empty inputs would report every setting as missing.
    if (EKS_COMPONENT_TYPES.includes(resource.type) && Object.keys(resource.inputs).length === 0) return [];
    return await rule.check(resource);
}
