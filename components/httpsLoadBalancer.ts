/**
 * An Application Load Balancer that only speaks HTTPS: invalid headers dropped, deletion protection, access
 * logs, a TLS 1.2+ listener whose default answer is 404, and port 80 only redirecting. Services add their
 * own host rules to `httpsListenerArn`.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { throwIfProblems } from "./validation";

/** AWS's recommended policy (TLS 1.3 and 1.2, hybrid post-quantum key exchange); the API default still allows TLS 1.0. */
export const DEFAULT_TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09";

/** Policies that allow nothing older than TLS 1.2. */
export const isTls12OrNewerPolicy = (policy: string) => /^ELBSecurityPolicy-(TLS13-1-[23]|TLS-1-2|FS-1-2)/.test(policy);

export interface HttpsLoadBalancerArgs {
    /** AWS provider of the region. */
    provider: aws.Provider;
    /** ALB name (32 characters at most). */
    loadBalancerName: string;
    /** Internal (Ops tools) or internet-facing (the service). */
    internal: boolean;
    vpcId: pulumi.Input<string>;
    /** Public subnets for an internet-facing ALB, private ones for an internal ALB. */
    subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** CIDRs allowed to connect. Internet-facing default 0.0.0.0/0; internal: required (the VPC or office ranges). */
    ingressCidrs?: string[];
    /** ACM certificate of the HTTPS listener. */
    certificateArn: string;
    /** TLS policy of the HTTPS listener. Default DEFAULT_TLS_POLICY. */
    sslPolicy?: string;
    /** S3 bucket for access logs. */
    accessLogsBucket: string;
    /** Key prefix of the access logs. Default: the ALB name. */
    accessLogsPrefix?: string;
    /** Deletion protection. Default true. */
    deletionProtection?: boolean;
}

export function httpsLoadBalancerProblems(args: HttpsLoadBalancerArgs): string[] {
    const problems: string[] = [];
    if (args.loadBalancerName.length > 32 || !/^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/.test(args.loadBalancerName)) {
        problems.push(`loadBalancerName "${args.loadBalancerName}" must be 1-32 letters, digits or hyphens`);
    }
    if (args.sslPolicy && !isTls12OrNewerPolicy(args.sslPolicy)) problems.push(`sslPolicy ${args.sslPolicy} allows TLS older than 1.2`);
    if (args.internal && !args.ingressCidrs?.length) problems.push("an internal load balancer needs ingressCidrs");
    return problems;
}

export class HttpsLoadBalancer extends pulumi.ComponentResource {
    readonly arn: pulumi.Output<string>;
    readonly arnSuffix: pulumi.Output<string>;
    readonly dnsName: pulumi.Output<string>;
    readonly zoneId: pulumi.Output<string>;
    readonly securityGroupId: pulumi.Output<string>;
    readonly httpsListenerArn: pulumi.Output<string>;

    constructor(name: string, args: HttpsLoadBalancerArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("mitene:edge:HttpsLoadBalancer", name, {}, opts);
        throwIfProblems(`HttpsLoadBalancer ${name}`, httpsLoadBalancerProblems(args));
        const child = { parent: this, provider: args.provider };
        const ingressCidrs = args.ingressCidrs ?? ["0.0.0.0/0"];

        const securityGroup = new aws.ec2.SecurityGroup(`${name}-alb`, {
            vpcId: args.vpcId,
            description: `${args.loadBalancerName} load balancer`,
            ingress: [
                { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ingressCidrs, description: "HTTPS" },
                { protocol: "tcp", fromPort: 80, toPort: 80, cidrBlocks: ingressCidrs, description: "HTTP, redirected to HTTPS" },
            ],
            egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"], description: "to targets in the VPC" }],
        }, child);

        const loadBalancer = new aws.lb.LoadBalancer(`${name}-alb`, {
            name: args.loadBalancerName,
            loadBalancerType: "application",
            internal: args.internal,
            subnets: args.subnetIds,
            securityGroups: [securityGroup.id],
            dropInvalidHeaderFields: true,
            enableDeletionProtection: args.deletionProtection ?? true,
            accessLogs: { bucket: args.accessLogsBucket, prefix: args.accessLogsPrefix ?? args.loadBalancerName, enabled: true },
        }, child);

        const https = new aws.lb.Listener(`${name}-https`, {
            loadBalancerArn: loadBalancer.arn,
            port: 443,
            protocol: "HTTPS",
            sslPolicy: args.sslPolicy ?? DEFAULT_TLS_POLICY,
            certificateArn: args.certificateArn,
            defaultActions: [{ type: "fixed-response", fixedResponse: { contentType: "text/plain", statusCode: "404", messageBody: "not found" } }],
        }, child);

        new aws.lb.Listener(`${name}-http`, {
            loadBalancerArn: loadBalancer.arn,
            port: 80,
            protocol: "HTTP",
            defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }],
        }, child);

        this.arn = loadBalancer.arn;
        this.arnSuffix = loadBalancer.arnSuffix;
        this.dnsName = loadBalancer.dnsName;
        this.zoneId = loadBalancer.zoneId;
        this.securityGroupId = securityGroup.id;
        this.httpsListenerArn = https.arn;
        this.registerOutputs({ arn: this.arn, dnsName: this.dnsName, httpsListenerArn: this.httpsListenerArn });
    }
}
